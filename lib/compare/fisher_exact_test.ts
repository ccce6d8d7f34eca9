import assert from "node:assert/strict";
import { mulberry32 } from "./_prng.ts";
import { fisherExact, type Table2x2 } from "./fisher_exact.ts";

function choose(n: number, k: number): bigint {
  let r = 1n;
  for (let i = 1; i <= k; i++) r = (r * BigInt(n - k + i)) / BigInt(i);
  return r;
}

/** Two-sided Fisher p-value in exact integer arithmetic: no rounding, no tolerance needed. */
function exactP([[a, b], [c, d]]: Table2x2): number {
  const n1 = a + b;
  const n2 = c + d;
  const n = a + c;
  const weight = (x: number) => choose(n1, x) * choose(n2, n - x);
  const observed = weight(a);
  let tail = 0n;
  let total = 0n;
  for (let x = Math.max(0, n - n2); x <= Math.min(n, n1); x++) {
    const w = weight(x);
    total += w;
    if (w <= observed) tail += w;
  }
  return Number((tail * 10n ** 30n) / total) / 1e30;
}

Deno.test("Fisher's p-value equals exact integer arithmetic on 300 random tables", () => {
  const random = mulberry32(17);
  for (let i = 0; i < 300; i++) {
    const cell = () => Math.floor(random() * (i % 3 === 0 ? 4 : 30));
    const table: Table2x2 = [[cell(), cell()], [cell(), cell()]];
    const [[a, b], [c, d]] = table;
    if (a + b === 0 || c + d === 0 || a + c === 0 || b + d === 0) continue;
    const got = fisherExact(table).p_value;
    const want = Math.min(exactP(table), 1);
    assert.ok(
      Math.abs(got - want) <= 1e-12 * Math.max(want, 1e-300) + 1e-15,
      `${table}: ${got} vs ${want}`,
    );
  }
});

Deno.test("Fisher counts tables exactly as likely as the observed one (mirror tables)", () => {
  // [[3, 7], [7, 3]] and [[7, 3], [3, 7]] have the same probability
  const r = fisherExact([[3, 7], [7, 3]]);
  assert.ok(Math.abs(r.p_value - exactP([[3, 7], [7, 3]])) < 1e-15);
  assert.equal(fisherExact([[7, 3], [3, 7]]).p_value, r.p_value);
});

Deno.test("Fisher's odds ratio is the sample odds ratio ad/bc; transposing keeps the p-value", () => {
  assert.equal(fisherExact([[8, 2], [1, 5]]).odds_ratio, 20);
  assert.equal(fisherExact([[5, 0], [0, 5]]).odds_ratio, Number.POSITIVE_INFINITY);
  assert.equal(fisherExact([[0, 5], [3, 0]]).odds_ratio, 0);
  const t = fisherExact([[12, 5], [9, 20]]);
  const tt = fisherExact([[12, 9], [5, 20]]);
  assert.ok(Math.abs(t.p_value - tt.p_value) < 1e-14);
});

Deno.test("an empty row or column gives odds ratio NaN and p = 1; the most likely table p = 1", () => {
  const r = fisherExact([[0, 0], [3, 4]]);
  assert.ok(Number.isNaN(r.odds_ratio));
  assert.equal(r.p_value, 1);
  assert.equal(fisherExact([[5, 5], [5, 5]]).p_value, 1);
});

Deno.test("Fisher works on tables of a million without overflow", () => {
  const r = fisherExact([[500_000, 500_000], [501_000, 499_000]]);
  assert.ok(r.p_value > 0 && r.p_value < 0.2, `p ${r.p_value}`);
  const far = fisherExact([[0, 1_000_000], [200, 999_800]]);
  assert.ok(far.p_value > 0 && far.p_value < 1e-50, `p ${far.p_value}`);
});

Deno.test("Fisher rejects negative, fractional and misshapen tables", () => {
  assert.throws(() => fisherExact([[1, -1], [2, 3]]), RangeError);
  assert.throws(() => fisherExact([[1, 0.5], [2, 3]]), RangeError);
  assert.throws(() => fisherExact([[1, 2, 3], [2, 3]] as unknown as Table2x2), TypeError);
  assert.throws(() => fisherExact([[1, 2]] as unknown as Table2x2), TypeError);
});
