import assert from "node:assert/strict";
import { mulberry32 } from "./_prng.ts";
import { mannWhitneyExactSf, mannWhitneyU } from "./mann_whitney.ts";

/** Counts of U over every way of choosing which m of the m + n ranks belong to sample 1. */
function bruteForceCounts(m: number, n: number): number[] {
  const counts = new Array(m * n + 1).fill(0);
  const total = m + n;
  for (let mask = 0; mask < 1 << total; mask++) {
    let bits = 0;
    for (let i = 0; i < total; i++) if (mask & (1 << i)) bits++;
    if (bits !== m) continue;
    // U of sample 1 = number of (sample-1, sample-2) pairs where the sample-1 rank is larger
    let u = 0;
    let below = 0; // sample-2 members seen so far (lower ranks)
    for (let i = 0; i < total; i++) {
      if (mask & (1 << i)) u += below;
      else below++;
    }
    counts[u]++;
  }
  return counts;
}

Deno.test("the exact survival function equals brute-force enumeration of every arrangement", () => {
  for (const [m, n] of [[1, 1], [2, 3], [3, 4], [4, 4], [2, 7], [5, 6], [3, 9]]) {
    const counts = bruteForceCounts(m, n);
    const total = counts.reduce((s, c) => s + c, 0);
    for (let k = 0; k <= m * n + 1; k++) {
      let tail = 0;
      for (let u = k; u <= m * n; u++) tail += counts[u];
      const got = mannWhitneyExactSf(k, m, n);
      assert.ok(Math.abs(got - tail / total) < 1e-14, `m=${m} n=${n} k=${k}: ${got}`);
      assert.equal(mannWhitneyExactSf(k, n, m), got, "symmetric in the sample sizes");
    }
  }
});

Deno.test("U of sample a counts the pairs where a is larger, ties as one half", () => {
  const random = mulberry32(11);
  const a = Array.from({ length: 23 }, () => Math.floor(random() * 6));
  const b = Array.from({ length: 31 }, () => Math.floor(random() * 6));
  let pairs = 0;
  for (const x of a) for (const y of b) pairs += x > y ? 1 : x === y ? 0.5 : 0;
  const r = mannWhitneyU(a, b);
  assert.equal(r.statistic, pairs);
  assert.equal(r.method, "asymptotic");
  const swapped = mannWhitneyU(b, a);
  assert.equal(swapped.statistic, a.length * b.length - pairs);
  assert.ok(Math.abs(swapped.p_value - r.p_value) < 1e-15, "two-sided p is symmetric");
  assert.equal(Math.sign(r.z!), -Math.sign(swapped.z!));
});

Deno.test("auto uses the exact distribution only when a sample has at most 8 values and no ties", () => {
  assert.equal(mannWhitneyU([1, 2, 3], [4, 5, 6, 7, 8, 9, 10, 11, 12, 13]).method, "exact");
  assert.equal(mannWhitneyU([1, 2, 3], [3, 5, 6]).method, "asymptotic");
  const nine = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  assert.equal(mannWhitneyU(nine, nine.map((v) => v + 0.5)).method, "asymptotic");
  assert.equal(mannWhitneyU(nine, [0.5, 1.5]).method, "exact");
});

Deno.test("complete separation of small samples gives the smallest exact p-value, 2 / C(m+n, m)", () => {
  const r = mannWhitneyU([1, 2, 3, 4], [5, 6, 7, 8, 9]);
  assert.equal(r.statistic, 0);
  assert.ok(Math.abs(r.p_value - 2 / 126) < 1e-15);
});

Deno.test("a larger sample a gives a positive z in the normal approximation", () => {
  const a = Array.from({ length: 20 }, (_, i) => 10 + i);
  const b = Array.from({ length: 20 }, (_, i) => i * 0.9);
  const r = mannWhitneyU(a, b);
  assert.ok(r.z! > 0);
  assert.ok(r.p_value < 1e-4);
});

Deno.test("Mann–Whitney rejects NaN, text, empty samples and unknown methods, and keeps its inputs", () => {
  assert.throws(() => mannWhitneyU([1, NaN], [2]), TypeError);
  assert.throws(() => mannWhitneyU([1, "2" as unknown as number], [2]), TypeError);
  assert.throws(() => mannWhitneyU([], [2]), RangeError);
  assert.throws(() => mannWhitneyU([1], [2], { method: "perm" as "exact" }), RangeError);
  assert.throws(() => mannWhitneyExactSf(3, 0, 4), RangeError);
  const a = Object.freeze([3, 1, 2]);
  const b = Object.freeze([6, 4, 5]);
  mannWhitneyU(a, b);
  assert.deepEqual(a, [3, 1, 2]);
  assert.deepEqual(b, [6, 4, 5]);
});
