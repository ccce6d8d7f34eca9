import assert from "node:assert/strict";
import { bootstrapMeanDiff } from "./bootstrap.ts";
import { mulberry32, randomNormal } from "./_prng.ts";

const random = mulberry32(3);
const A = Object.freeze(Array.from({ length: 40 }, () => 1 + randomNormal(random)));
const B = Object.freeze(Array.from({ length: 50 }, () => 1.5 + 2 * randomNormal(random)));

Deno.test("the bootstrap interval is reproducible for a seed and changes with the seed", () => {
  const r1 = bootstrapMeanDiff(A, B, { seed: 9 });
  const r2 = bootstrapMeanDiff(A, B, { seed: 9 });
  const r3 = bootstrapMeanDiff(A, B, { seed: 10 });
  assert.deepEqual(r1, r2);
  assert.notEqual(r1.ci_low, r3.ci_low);
  assert.equal(r1.resamples, 2000);
  assert.equal(r1.level, 0.95);
});

Deno.test("the bootstrap interval is of mean_b − mean_a, holds the estimate, and widens with the level", () => {
  const r95 = bootstrapMeanDiff(A, B);
  const meanA = A.reduce((s, v) => s + v, 0) / A.length;
  const meanB = B.reduce((s, v) => s + v, 0) / B.length;
  assert.ok(Math.abs(r95.estimate - (meanB - meanA)) < 1e-12);
  assert.ok(r95.ci_low < r95.estimate && r95.estimate < r95.ci_high);
  const r50 = bootstrapMeanDiff(A, B, { level: 0.5 });
  const r99 = bootstrapMeanDiff(A, B, { level: 0.99 });
  assert.ok(r99.ci_high - r99.ci_low > r95.ci_high - r95.ci_low);
  assert.ok(r95.ci_high - r95.ci_low > r50.ci_high - r50.ci_low);
  // the standard error of the difference is about √(1/40 + 4/50) ≈ 0.32: a 95% interval about
  // 4 standard errors wide
  const width = r95.ci_high - r95.ci_low;
  assert.ok(width > 0.9 && width < 1.7, `width ${width}`);
  const flipped = bootstrapMeanDiff(B, A);
  assert.ok(flipped.estimate < 0 && Math.abs(flipped.estimate + r95.estimate) < 1e-12);
});

Deno.test("constant samples give a zero-width interval at the difference", () => {
  const r = bootstrapMeanDiff([2, 2, 2], [5, 5]);
  assert.deepEqual([r.ci_low, r.ci_high, r.estimate], [3, 3, 3]);
});

Deno.test("the bootstrap rejects bad levels, resample counts, seeds and samples", () => {
  assert.throws(() => bootstrapMeanDiff([1], [2], { level: 1 }), RangeError);
  assert.throws(() => bootstrapMeanDiff([1], [2], { level: 0 }), RangeError);
  assert.throws(() => bootstrapMeanDiff([1], [2], { resamples: 0 }), RangeError);
  assert.throws(() => bootstrapMeanDiff([1], [2], { resamples: 2.5 }), RangeError);
  assert.throws(() => bootstrapMeanDiff([1], [2], { seed: 0.5 }), TypeError);
  assert.throws(() => bootstrapMeanDiff([], [2]), RangeError);
  assert.throws(() => bootstrapMeanDiff([1, NaN], [2]), TypeError);
});
