import assert from "node:assert/strict";
import { columnDrift } from "./column_drift.ts";
import { detectColumnKind } from "./column_kind.ts";

Deno.test("column kinds follow Evidently: floats numerical, small integer columns categorical", () => {
  assert.equal(detectColumnKind([0.5, 1, 2], [3]), "numerical");
  assert.equal(detectColumnKind([1, 2, 3], [2, 1]), "categorical");
  assert.equal(detectColumnKind(Array.from({ length: 11 }, (_, i) => i)), "numerical");
  // an integer column with a missing value is a float column in pandas
  assert.equal(detectColumnKind([1, 2, null], [1]), "numerical");
  assert.equal(detectColumnKind(["a", 1], ["b"]), "categorical");
  assert.equal(detectColumnKind([true, false], [true]), "categorical");
  assert.throws(() => detectColumnKind([null], [""]), RangeError);
});

Deno.test("columnDrift picks the default test, and honours stattest and threshold overrides", () => {
  const ref = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7];
  const cur = [1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7];
  const r = columnDrift("latency_s", ref, cur);
  assert.equal(r.column, "latency_s");
  assert.equal(r.kind, "numerical");
  assert.equal(r.stattest, "ks");
  assert.equal(r.drifted, true);
  const w = columnDrift("latency_s", ref, cur, { stattest: "wasserstein", threshold: 100 });
  assert.equal(w.stattest, "wasserstein");
  assert.equal(w.threshold, 100);
  assert.equal(w.drifted, false);
});

Deno.test("columnDrift names the column when it is empty or all missing", () => {
  assert.throws(
    () => columnDrift("ttft_s", [1, 2], [null, NaN]),
    (e) => e instanceof RangeError && /"ttft_s".*current.*2 missing/.test(e.message),
  );
  assert.throws(
    () => columnDrift("ttft_s", [], [1]),
    (e) => e instanceof RangeError && /"ttft_s".*reference.*no rows/.test(e.message),
  );
});

Deno.test("columnDrift rejects non-numeric values in a column declared numerical", () => {
  assert.throws(
    () => columnDrift("x", [1.5, "fast"], [2.5, 3.5], { kind: "numerical" }),
    (e) => e instanceof TypeError && /"x".*numbers only.*"fast".*reference/.test(e.message),
  );
});
