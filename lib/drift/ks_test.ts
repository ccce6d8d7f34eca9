import assert from "node:assert/strict";
import { ks } from "./ks.ts";
import { computeOuterProbInsideMethod, computeProbOutsideSquare } from "./_ks_exact.ts";

function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

Deno.test("ks reports D = 1 and drift for disjoint samples", () => {
  const r = ks([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
  assert.equal(r.statistic, 1);
  assert.equal(r.p_value, r.score);
  assert.ok(r.p_value! < 0.05);
  assert.equal(r.drifted, true);
  assert.equal(r.threshold, 0.05);
});

Deno.test("ks gives p = 1 and no drift for identical samples", () => {
  const a = [3, 1, 2, 2, 5];
  const r = ks(a, [...a]);
  assert.equal(r.statistic, 0);
  assert.equal(r.p_value, 1);
  assert.equal(r.drifted, false);
});

Deno.test("ks drifts when p equals the threshold (Evidently uses p <= threshold)", () => {
  const r = ks([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
  assert.equal(ks([1, 2, 3, 4, 5], [6, 7, 8, 9, 10], { threshold: r.p_value! }).drifted, true);
  assert.equal(ks([1, 2, 3, 4, 5], [6, 7, 8, 9, 10], { threshold: r.p_value! / 2 }).drifted, false);
});

Deno.test("ks does not mutate frozen inputs", () => {
  const a = Object.freeze([5, 3, 9, 1, null, 4]);
  const b = Object.freeze([2, 8, 7, 6]);
  const copyA = [...a];
  const copyB = [...b];
  assert.doesNotThrow(() => ks(a, b));
  assert.deepEqual([...a], copyA);
  assert.deepEqual([...b], copyB);
  const typed = new Float64Array([4, 3, 2, 1]);
  ks(typed, [1, 2]);
  assert.deepEqual([...typed], [4, 3, 2, 1]);
});

Deno.test("ks rejects empty, all-missing and non-numeric input with clear errors", () => {
  assert.throws(
    () => ks([], [1]),
    (e) => e instanceof RangeError && /reference.*empty/.test(e.message),
  );
  assert.throws(
    () => ks([1, 2], [null, NaN]),
    (e) => e instanceof RangeError && /current.*non-missing.*2 missing/.test(e.message),
  );
  assert.throws(
    () => ks([1, "x" as unknown as number], [1]),
    (e) => e instanceof TypeError && /numbers only.*"x".*index 1/.test(e.message),
  );
  assert.throws(() => ks([1], [2], { threshold: -1 }), RangeError);
  assert.throws(() => ks([1], [2], { method: "fast" as "auto" }), RangeError);
});

Deno.test("ks exact two-sided probability equals a brute-force lattice path count", () => {
  // count paths from (0,0) to (m,n) staying strictly inside |x/m - y/n| < d
  function inside(m: number, n: number, d: number): number {
    const A: number[][] = Array.from({ length: m + 1 }, () => new Array(n + 1).fill(0));
    for (let x = 0; x <= m; x++) {
      for (let y = 0; y <= n; y++) {
        if (Math.abs(x / m - y / n) >= d - 1e-12) continue;
        A[x][y] = x === 0 && y === 0 ? 1 : (x ? A[x - 1][y] : 0) + (y ? A[x][y - 1] : 0);
      }
    }
    let total = 1;
    for (let k = 1; k <= n; k++) total = (total * (m + k)) / k;
    return A[m][n] / total;
  }
  for (const [m, n, h] of [[7, 5, 12], [9, 6, 7], [8, 8, 3], [12, 4, 6]]) {
    const g = gcdOf(m, n);
    const lcm = (m / g) * n;
    const expected = 1 - inside(m, n, h / lcm);
    const got = m === n
      ? computeProbOutsideSquare(n, h * 1)
      : computeOuterProbInsideMethod(m, n, g, h);
    assert.ok(Math.abs(got - expected) < 1e-12, `${m}x${n} h=${h}: ${got} vs ${expected}`);
  }
});

function gcdOf(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

Deno.test("ks switches from exact to asymptotic above 10,000 values per side", () => {
  const rnd = lcg(7);
  const a = Array.from({ length: 10000 }, rnd);
  const b = Array.from({ length: 10001 }, rnd);
  assert.equal(ks(a, a.slice(0, 9000)).method, "exact");
  assert.equal(ks(a, b).method, "asymp");
  assert.equal(ks(a.slice(0, 50), b.slice(0, 60), { method: "asymp" }).method, "asymp");
});

Deno.test("ks exact path on 10,000 x 10,000 with a large statistic finishes quickly", () => {
  const rnd = lcg(11);
  const a = Array.from({ length: 10000 }, rnd);
  const b = Array.from({ length: 9999 }, () => rnd() + 0.3);
  const t0 = performance.now();
  const r = ks(a, b);
  const ms = performance.now() - t0;
  assert.equal(r.method, "exact");
  assert.ok(r.p_value! < 1e-10);
  assert.ok(ms < 5000, `took ${ms} ms`);
});
