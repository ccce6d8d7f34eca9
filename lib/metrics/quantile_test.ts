/** Quantiles and distributions, as numpy computes them. */
import assert from "node:assert/strict";
import { distribution, quantileSorted } from "./quantile.ts";

Deno.test("quantileSorted interpolates between closest ranks as numpy does", () => {
  assert.equal(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantileSorted([10], 0.99), 10);
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.ok(Math.abs(quantileSorted(hundred, 0.99) - 99.01) < 1e-9);
  assert.equal(quantileSorted(hundred, 0), 1);
  assert.equal(quantileSorted(hundred, 1), 100);
});

Deno.test("quantileSorted rejects an empty sample and q outside [0, 1]", () => {
  assert.throws(() => quantileSorted([], 0.5), RangeError);
  assert.throws(() => quantileSorted([1, 2], 1.01), /within \[0, 1\], found 1.01/);
  assert.throws(() => quantileSorted([1, 2], Number.NaN), RangeError);
});

Deno.test("distribution gives mean and percentiles of a copy, and nulls when empty", () => {
  const values = [3, 1, 2, 4];
  const d = distribution(values);
  assert.deepEqual(values, [3, 1, 2, 4]);
  assert.equal(d.count, 4);
  assert.equal(d.avg, 2.5);
  assert.equal(d.p50, 2.5);
  assert.ok(Math.abs(d.p95! - 3.85) < 1e-9);
  assert.equal(d.max, 4);
  assert.deepEqual(distribution([]), {
    count: 0,
    avg: null,
    p50: null,
    p95: null,
    p99: null,
    max: null,
  });
});
