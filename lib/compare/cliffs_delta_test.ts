import assert from "node:assert/strict";
import { mulberry32 } from "./_prng.ts";
import { cliffsDelta } from "./cliffs_delta.ts";
import { mannWhitneyU } from "./mann_whitney.ts";

function bruteForce(a: number[], b: number[]): number {
  let s = 0;
  for (const x of a) for (const y of b) s += Math.sign(y - x);
  return s / (a.length * b.length);
}

Deno.test("Cliff's delta equals the O(n·m) pair count on tied and untied samples", () => {
  const random = mulberry32(5);
  for (const [n, m, levels] of [[1, 1, 3], [7, 13, 4], [40, 25, 1000], [100, 3, 2]]) {
    const a = Array.from({ length: n }, () => Math.floor(random() * levels));
    const b = Array.from({ length: m }, () => Math.floor(random() * levels));
    assert.ok(Math.abs(cliffsDelta(a, b) - bruteForce(a, b)) < 1e-15, `${n}×${m}`);
    const u = mannWhitneyU(a, b).statistic;
    assert.ok(Math.abs(cliffsDelta(a, b) - (1 - (2 * u) / (n * m))) < 1e-12, "1 − 2U/nm");
  }
});

Deno.test("Cliff's delta is positive when B is larger and stays within [-1, 1]", () => {
  assert.equal(cliffsDelta([1, 2, 3], [4, 5]), 1);
  assert.equal(cliffsDelta([4, 5], [1, 2, 3]), -1);
  assert.equal(cliffsDelta([1, 2], [2, 1]), 0);
  assert.equal(cliffsDelta([1, 2, 3], [2]), 0);
});

Deno.test("Cliff's delta keeps its inputs and rejects bad samples", () => {
  const a = Object.freeze([3, 1, 2]);
  cliffsDelta(a, [0]);
  assert.deepEqual(a, [3, 1, 2]);
  assert.throws(() => cliffsDelta([], [1]), RangeError);
  assert.throws(() => cliffsDelta([NaN], [1]), TypeError);
});
