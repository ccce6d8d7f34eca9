import assert from "node:assert/strict";
import { columnStats, qualitySummary, quantileSorted } from "./quality.ts";

Deno.test("quantiles interpolate linearly between order statistics", () => {
  const s = new Float64Array([1, 2, 3, 4]);
  assert.equal(quantileSorted(s, 0.25), 1.75);
  assert.equal(quantileSorted(s, 0.5), 2.5);
  assert.equal(quantileSorted(s, 1), 4);
});

Deno.test("numeric column stats count missing values and IQR outliers", () => {
  const values = Object.freeze([1, 2, 3, 4, 5, 6, 7, 8, 100, null, NaN]);
  const s = columnStats(values, "numerical");
  assert.equal(s.count, 11);
  assert.equal(s.missing, 2);
  assert.equal(s.missing_share, 2 / 11);
  assert.equal(s.distinct, 9);
  assert.equal(s.min, 1);
  assert.equal(s.max, 100);
  assert.equal(s.mean, 136 / 9);
  assert.equal(s.q25, 3);
  assert.equal(s.q75, 7);
  assert.equal(s.outliers, 1); // 100 > 7 + 1.5 * 4
  const std = Math.sqrt(
    [1, 2, 3, 4, 5, 6, 7, 8, 100].reduce((a, x) => a + (x - 136 / 9) ** 2, 0) / 8,
  );
  assert.ok(Math.abs(s.std! - std) < 1e-12);
});

Deno.test("quality summary lists categories new in the current data", () => {
  const q = qualitySummary([{ m: "a" }, { m: "b" }, { m: null }], [{ m: "c" }, { m: "a" }, {
    m: "c",
  }]);
  assert.equal(q[0].kind, "categorical");
  assert.deepEqual(q[0].new_categories, ["c"]);
  assert.equal(q[0].reference.missing, 1);
  assert.equal(q[0].current.most_common, "c");
});
