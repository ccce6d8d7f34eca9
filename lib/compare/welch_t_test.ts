import assert from "node:assert/strict";
import { betainc, studentTSf } from "./_betainc.ts";
import { welchT } from "./welch_t.ts";

Deno.test("Welch's t follows the unequal-variance formula and Welch–Satterthwaite df", () => {
  const a = [1, 2, 3, 4]; // mean 2.5, variance 5/3
  const b = [2, 4, 6, 8, 10]; // mean 6, variance 10
  const vn1 = 5 / 3 / 4;
  const vn2 = 10 / 5;
  const r = welchT(a, b);
  assert.ok(Math.abs(r.statistic - (2.5 - 6) / Math.sqrt(vn1 + vn2)) < 1e-14);
  const df = (vn1 + vn2) ** 2 / (vn1 ** 2 / 3 + vn2 ** 2 / 4);
  assert.ok(Math.abs(r.df - df) < 1e-12);
  assert.ok(Math.abs(r.p_value - 2 * studentTSf(Math.abs(r.statistic), df)) < 1e-15);
});

Deno.test("swapping the samples negates t and keeps df and the p-value", () => {
  const a = [0.3, 1.2, 0.8, 2.2, 1.1, 0.4];
  const b = [1.9, 2.5, 3.1, 0.7, 2.2];
  const r = welchT(a, b);
  const s = welchT(b, a);
  assert.equal(s.statistic, -r.statistic);
  assert.equal(s.df, r.df);
  assert.equal(s.p_value, r.p_value);
});

Deno.test("two constant samples give df 1 and t = ±Infinity (p = 0) or NaN, as scipy", () => {
  const r = welchT([1, 1, 1], [2, 2]);
  assert.equal(r.statistic, Number.NEGATIVE_INFINITY);
  assert.equal(r.df, 1);
  assert.equal(r.p_value, 0);
  const same = welchT([3, 3], [3, 3, 3]);
  assert.ok(Number.isNaN(same.statistic) && Number.isNaN(same.p_value));
});

Deno.test("Welch's t needs two values per sample and numbers only", () => {
  assert.throws(() => welchT([1], [1, 2]), RangeError);
  assert.throws(() => welchT([1, 2], [1, NaN]), TypeError);
  assert.throws(() => welchT(null as unknown as number[], [1, 2]), TypeError);
});

Deno.test("Student's t survival function has the closed forms of df 1 and 2 and is symmetric", () => {
  for (const t of [-30, -2.5, -0.3, 0, 0.01, 1, 4.2, 100]) {
    const cauchy = 0.5 - Math.atan(t) / Math.PI;
    assert.ok(
      Math.abs(studentTSf(t, 1) - cauchy) < 1e-14 * Math.max(1, 1 / cauchy),
      `df 1, t ${t}`,
    );
    // 1/2 − t/(2√(2+t²)), written without cancellation for t ≥ 0
    const root = Math.sqrt(2 + t * t);
    const two = t >= 0 ? 1 / (root * (root + t)) : 1 - 1 / (root * (root - t));
    assert.ok(Math.abs(studentTSf(t, 2) - two) <= 1e-13 * two, `df 2, t ${t}`);
    assert.ok(Math.abs(studentTSf(-t, 7.5) - (1 - studentTSf(t, 7.5))) < 1e-15);
  }
  assert.ok(Number.isNaN(studentTSf(1, 0)));
});

Deno.test("the incomplete beta function has its closed forms and symmetry", () => {
  for (const x of [0, 1e-8, 0.2, 0.5, 0.77, 0.999, 1]) {
    assert.ok(Math.abs(betainc(1, 1, x) - x) < 1e-15, `I_x(1,1) at ${x}`);
    assert.ok(Math.abs(betainc(3.5, 1, x) - x ** 3.5) < 1e-14, `I_x(3.5,1) at ${x}`);
    const s = betainc(2.5, 7, x) + betainc(7, 2.5, 1 - x);
    assert.ok(Math.abs(s - 1) < 1e-14, `symmetry at ${x}`);
  }
  assert.ok(Number.isNaN(betainc(0, 1, 0.5)));
  assert.ok(Number.isNaN(betainc(1, 1, 1.5)));
});
