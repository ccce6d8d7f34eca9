import assert from "node:assert/strict";
import { benjaminiHochberg } from "./fdr.ts";

/** The step-up rule written out directly: the largest k with p(k) ≤ k·q/m, reject p ≤ p(k). */
function stepUp(pValues: number[], level: number): boolean[] {
  const sorted = [...pValues].sort((a, b) => a - b);
  const m = pValues.length;
  let cutoff = -1;
  for (let k = m; k >= 1; k--) {
    if (sorted[k - 1] <= (k * level) / m) {
      cutoff = sorted[k - 1];
      break;
    }
  }
  return pValues.map((p) => p <= cutoff);
}

Deno.test("Benjamini–Hochberg rejects by the step-up rule, worked by hand", () => {
  // m = 4, level 0.05: thresholds 0.0125, 0.025, 0.0375, 0.05 for the sorted p-values
  // 0.01 ≤ 0.0125 yes; 0.03 > 0.025; 0.04 > 0.0375; 0.5 > 0.05 → reject only 0.01.
  const result = benjaminiHochberg([0.01, 0.04, 0.03, 0.5], 0.05);
  assert.deepEqual(result.rejected, [true, false, false, false]);
  assert.equal(result.cutoff, 0.01);
  // A p-value above its own threshold is still rejected when a larger rank passes (step-up):
  // sorted 0.02 (0.0167) fails alone, but 0.03 ≤ 2·0.05/3 = 0.0333 passes.
  assert.deepEqual(benjaminiHochberg([0.03, 0.02, 0.9], 0.05).rejected, [true, true, false]);
});

Deno.test("adjusted p-values equal m·p/rank made monotone, capped at 1", () => {
  const { adjusted } = benjaminiHochberg([0.01, 0.04, 0.03, 0.5], 0.05);
  // ranks: 0.01→1, 0.03→2, 0.04→3, 0.5→4; raw m·p/rank: 0.04, 0.06, 0.0533, 0.5
  const expected = [0.04, 4 * 0.04 / 3, 4 * 0.04 / 3, 0.5];
  adjusted.forEach((q, i) =>
    assert.ok(Math.abs(q - expected[i]) < 1e-12, `${q} vs ${expected[i]}`)
  );
  assert.deepEqual(benjaminiHochberg([1, 1], 0.05).adjusted, [1, 1]);
});

Deno.test("on random p-values the procedure agrees with the step-up rule written out", () => {
  let seed = 12345;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  let rejections = 0;
  for (let trial = 0; trial < 500; trial++) {
    const m = 1 + Math.floor(random() * 20);
    const p = Array.from({ length: m }, () => (random() < 0.3 ? random() * 0.01 : random()));
    const level = [0.01, 0.05, 0.1][trial % 3];
    const expected = stepUp(p, level);
    assert.deepEqual(benjaminiHochberg(p, level).rejected, expected, `p=${p} level=${level}`);
    rejections += expected.filter(Boolean).length;
  }
  assert.ok(rejections > 100, "the trials exercise rejections");
});

Deno.test("bad p-values and levels are rejected; no p-values reject nothing", () => {
  assert.throws(() => benjaminiHochberg([0.1, 1.2], 0.05), /p-value 1 within \[0, 1\], found 1.2/);
  assert.throws(() => benjaminiHochberg([NaN], 0.05), RangeError);
  assert.throws(() => benjaminiHochberg([0.1], 0), /level within \(0, 1\), found 0/);
  assert.deepEqual(benjaminiHochberg([], 0.05), { adjusted: [], rejected: [], cutoff: null });
});
