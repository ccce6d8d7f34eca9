import assert from "node:assert/strict";
import { mulberry32 } from "./_prng.ts";
import { adjustPValues, benjaminiHochberg, holm } from "./adjust.ts";

Deno.test("adjusted p-values are monotone in the raw ones, at least the raw ones and at most 1", () => {
  const random = mulberry32(99);
  for (let trial = 0; trial < 50; trial++) {
    const m = 1 + Math.floor(random() * 15);
    const ps = Array.from({ length: m }, () => (random() < 0.3 ? random() * 0.01 : random()));
    const h = holm(ps);
    const bh = benjaminiHochberg(ps);
    for (let i = 0; i < m; i++) {
      assert.ok(h[i] >= ps[i] && h[i] <= 1 && bh[i] >= ps[i] && bh[i] <= 1);
      assert.ok(h[i] >= bh[i] - 1e-15, "Holm is never below BH");
      for (let j = 0; j < m; j++) {
        if (ps[i] < ps[j]) assert.ok(h[i] <= h[j] && bh[i] <= bh[j], "monotone");
        if (ps[i] === ps[j]) assert.ok(h[i] === h[j] && bh[i] === bh[j], "ties stay tied");
      }
    }
  }
});

Deno.test("Holm multiplies the smallest p-value by m and BH the largest by 1", () => {
  assert.deepEqual(holm([0.01, 0.04, 0.03]), [0.03, 0.06, 0.06]);
  assert.deepEqual(benjaminiHochberg([0.01, 0.04, 0.03]), [0.03, 0.04, 0.04]);
  assert.deepEqual(holm([0.5, 0.6]), [1, 1]);
  assert.deepEqual(holm([]), []);
  assert.deepEqual(adjustPValues([0.2], "bh"), [0.2]);
});

Deno.test("adjustment rejects p-values outside [0, 1] and unknown methods", () => {
  assert.throws(() => holm([0.1, NaN]), RangeError);
  assert.throws(() => benjaminiHochberg([1.5]), RangeError);
  assert.throws(() => adjustPValues([0.1], "bonferroni" as "holm"), RangeError);
  assert.throws(() => holm("0.1" as unknown as number[]), TypeError);
});
