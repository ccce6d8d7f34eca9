import assert from "node:assert/strict";
import { mulberry32, randomIndex, randomNormal } from "./_prng.ts";

Deno.test("mulberry32 repeats its sequence for a seed and differs between seeds", () => {
  const a = mulberry32(123);
  const b = mulberry32(123);
  const c = mulberry32(124);
  const sa = Array.from({ length: 5 }, a);
  assert.deepEqual(sa, Array.from({ length: 5 }, b));
  assert.notDeepEqual(sa, Array.from({ length: 5 }, c));
  assert.throws(() => mulberry32(1.5), TypeError);
});

Deno.test("mulberry32 draws look uniform and Box–Muller draws look standard normal", () => {
  const random = mulberry32(2024);
  const n = 100_000;
  const bins = new Array(10).fill(0);
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const u = random();
    assert.ok(u >= 0 && u < 1);
    bins[randomIndex(() => u, 10)]++;
    const z = randomNormal(random);
    sum += z;
    sumSq += z * z;
  }
  // chi-square with 9 df: 27.9 is its 0.999 quantile
  const chi2 = bins.reduce((s, o) => s + (o - n / 10) ** 2 / (n / 10), 0);
  assert.ok(chi2 < 27.9, `chi-square ${chi2}`);
  // mean within 5 standard errors (1/√n), variance within 5 standard errors (√(2/n))
  assert.ok(Math.abs(sum / n) < 5 / Math.sqrt(n), `mean ${sum / n}`);
  assert.ok(Math.abs(sumSq / n - 1) < 5 * Math.sqrt(2 / n), `variance ${sumSq / n}`);
});
