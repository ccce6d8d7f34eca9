import assert from "node:assert/strict";
import { datasetDrift } from "./dataset_drift.ts";

const ref = Object.freeze(
  Array.from(
    { length: 60 },
    (_, i) => Object.freeze({ x: i * 0.5 + 0.25, m: i % 3 ? "a" : "b", y: (i * 7) % 13 + 0.5 }),
  ),
);
const cur = Object.freeze(
  Array.from(
    { length: 50 },
    (_, i) => Object.freeze({ x: i * 0.5 + 20.25, m: i % 3 ? "a" : "b", y: (i * 5) % 13 + 0.5 }),
  ),
);

Deno.test("datasetDrift reports every common column and the share of drifted columns", () => {
  const r = datasetDrift(ref, cur);
  assert.equal(r.reference_rows, 60);
  assert.equal(r.current_rows, 50);
  assert.deepEqual(r.columns.map((c) => c.column), ["x", "m", "y"]);
  assert.equal(r.columns_total, 3);
  const drifted = r.columns.filter((c) => c.drifted).length;
  assert.equal(r.drifted_columns, drifted);
  assert.equal(r.share_of_drifted_columns, drifted / 3);
  assert.equal(r.drift_share, 0.5);
  assert.equal(r.dataset_drift, drifted / 3 >= 0.5);
  assert.equal(r.columns[0].drifted, true);
});

Deno.test("datasetDrift honours drift share, column selection and per-column overrides", () => {
  const r = datasetDrift(ref, cur, {
    columns: ["x", "m"],
    driftShare: 0.9,
    perColumn: { x: { stattest: "psi", threshold: 0.05 } },
  });
  assert.equal(r.columns_total, 2);
  assert.equal(r.columns[0].stattest, "psi");
  assert.equal(r.columns[0].threshold, 0.05);
  assert.equal(r.dataset_drift, r.share_of_drifted_columns >= 0.9);
});

Deno.test("datasetDrift rejects unknown columns, empty datasets and unknown stattests", () => {
  assert.throws(() => datasetDrift(ref, cur, { columns: ["nope"] }), /Unknown column "nope"/);
  assert.throws(() => datasetDrift([], cur), /reference.*at least one row/);
  assert.throws(
    () => datasetDrift(ref, cur, { stattest: "bogus" as "ks" }),
    /ks, chisquare, z, wasserstein, jensenshannon, psi/,
  );
  assert.throws(
    () => datasetDrift([{ x: null }, { x: null }], [{ x: 1 }]),
    /"x".*reference/,
  );
});
