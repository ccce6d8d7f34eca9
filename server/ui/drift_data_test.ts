import assert from "node:assert/strict";
import {
  alertText,
  categoryShares,
  correlationCells,
  correlationMatrix,
  qualityRows,
  sharedHistogram,
  windowSize,
  windowSummaries,
} from "./drift_data.ts";
import type { DriftReportBody } from "./types.ts";

Deno.test("both sides share the same bins and their shares each sum to one", () => {
  const bins = sharedHistogram([0, 1, 2, 3], [2, 4, 4, 4, 10], 5);
  const ref = bins.filter((b) => b.side === "reference");
  const cur = bins.filter((b) => b.side === "current");
  assert.deepEqual(ref.map((b) => b.x0), cur.map((b) => b.x0));
  assert.deepEqual(ref.map((b) => b.x0), [0, 2, 4, 6, 8]);
  assert.equal(ref.at(-1)!.x1, 10);
  assert.deepEqual(ref.map((b) => b.count), [2, 2, 0, 0, 0]);
  assert.deepEqual(cur.map((b) => b.count), [0, 1, 3, 0, 1]);
  assert.ok(Math.abs(cur.reduce((s, b) => s + b.share, 0) - 1) < 1e-12);
  assert.equal(cur[2].share, 3 / 5);
});

Deno.test("missing values are ignored and a constant column gets one bin", () => {
  const bins = sharedHistogram([5, null, 5, Number.NaN], [5, "x"], 10);
  assert.equal(bins.length, 2);
  assert.deepEqual(bins.map((b) => [b.x0, b.x1, b.share]), [[4.5, 5.5, 1], [4.5, 5.5, 1]]);
  assert.deepEqual(sharedHistogram([], [null]), []);
  assert.throws(() => sharedHistogram([1], [1], 0), RangeError);
});

Deno.test("category shares are per side, most frequent first, with the tail as other", () => {
  const shares = categoryShares(["a", "a", "b", null], ["b", "c", ""], 12);
  assert.deepEqual(
    shares.map((s) => `${s.side}:${s.category}:${s.count}`),
    [
      "reference:a:2",
      "reference:b:1",
      "reference:c:0",
      "current:a:0",
      "current:b:1",
      "current:c:1",
    ],
  );
  assert.equal(shares[0].share, 2 / 3);
  const capped = categoryShares(["a", "b", "c", "d"], ["a"], 2);
  assert.deepEqual(capped.filter((s) => s.side === "reference").map((s) => s.category), [
    "a",
    "other",
  ]);
  assert.equal(capped.find((s) => s.side === "reference" && s.category === "other")!.count, 3);
});

Deno.test("correlation matrices are read from either report layout", () => {
  const lib = { pearson: { columns: ["a", "b"], values: [[1, 0.5], [0.5, 1]] } };
  assert.deepEqual(correlationMatrix(lib, "pearson")?.columns, ["a", "b"]);
  const flat = { columns: ["a"], spearman: [[1]] };
  assert.deepEqual(correlationMatrix(flat, "spearman"), { columns: ["a"], values: [[1]] });
  assert.equal(correlationMatrix(lib, "spearman"), null);
  assert.equal(correlationMatrix(undefined, "pearson"), null);
});

Deno.test("correlation cells cover the matrix and keep undefined entries as null", () => {
  const cells = correlationCells({ columns: ["a", "b"], values: [[1, null], [null, 1]] });
  assert.deepEqual(cells, [
    { x: "a", y: "a", value: 1 },
    { x: "b", y: "a", value: null },
    { x: "a", y: "b", value: null },
    { x: "b", y: "b", value: 1 },
  ]);
});

Deno.test("quality rows come from an array or an object keyed by column", () => {
  const stats = { count: 1 };
  const asArray = { quality: [{ column: "x", reference: stats, current: stats }] };
  const asObject = { quality: { y: { reference: stats, current: stats } } };
  assert.equal(qualityRows(asArray as unknown as DriftReportBody)[0].column, "x");
  assert.equal(qualityRows(asObject as unknown as DriftReportBody)[0].column, "y");
  assert.deepEqual(qualityRows(null), []);
});

Deno.test("windows read as rules, rows of size and time ranges", () => {
  const time = (ms: number) => `t${ms}`;
  assert.deepEqual(
    windowSummaries({
      reference: { kind: "first_n", size: 200, rows: 200, from: 1, to: 5, contiguous: false },
      current: { kind: "newest_m", size: 100, rows: 40, from: 6, to: 9 },
      responses_seen: 240,
    }, time),
    [
      {
        name: "Reference",
        rule: "first 200 responses",
        rows: "200 of 200",
        range: "t1 – t5",
        note:
          "Enlarged after some of its rows had moved on: it holds the first responses plus later ones.",
      },
      {
        name: "Current",
        rule: "newest 100 responses",
        rows: "40 of 100",
        range: "t6 – t9",
        note: null,
      },
    ],
  );
  assert.deepEqual(
    windowSummaries({
      reference: { kind: "baseline", label: "ref.json", size: 3, rows: 3, from: null, to: 2 },
    }, time),
    [{ name: "Reference", rule: "baseline file ref.json", rows: "3 of 3", range: "—", note: null }],
  );
  assert.deepEqual(windowSummaries({ current: "nonsense" }, time), []);
  assert.deepEqual(windowSummaries(null, time), []);
});

Deno.test("window sizes are read from flat or nested windows", () => {
  assert.equal(windowSize({ reference_size: 100 }, ["reference_size"]), 100);
  assert.equal(windowSize({ reference: { size: 80 } }, ["reference_size", "reference.size"]), 80);
  assert.equal(windowSize({}, ["reference_size"]), null);
});

Deno.test("alerts read as their message, or as JSON when they have none", () => {
  assert.equal(alertText({ message: "latency_s drifted" }), "latency_s drifted");
  assert.equal(alertText("plain"), "plain");
  assert.equal(alertText({ column: "x" }), '{"column":"x"}');
});

Deno.test("a drift monitor alert reads as a sentence with its time and columns", () => {
  const alert = { at: 1_000, drifted_columns: ["latency_s", "tokens"], share: 0.5333 };
  assert.equal(
    alertText(alert, (ms) => `t=${ms}`),
    "t=1000: dataset drift, 2 columns drifted (53%): latency_s, tokens",
  );
  assert.equal(alertText(alert), "dataset drift, 2 columns drifted (53%): latency_s, tokens");
});
