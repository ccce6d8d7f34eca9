import assert from "node:assert/strict";
import { normalCdf } from "../drift/mod.ts";
import { twoProportionZ } from "./two_proportion.ts";

Deno.test("the two-proportion z-test follows the pooled formula with the sign of rate_a − rate_b", () => {
  const a = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0]; // 0.3
  const b = [1, 1, 1, 1, 1, 1, 0, 0]; // 0.75
  const pooled = 9 / 18;
  const z = (0.3 - 0.75) / Math.sqrt(pooled * (1 - pooled) * (1 / 10 + 1 / 8));
  const r = twoProportionZ(a, b);
  assert.ok(Math.abs(r.statistic - z) < 1e-14);
  assert.ok(Math.abs(r.p_value - 2 * normalCdf(-Math.abs(z))) < 1e-15);
  assert.equal(r.rate_a, 0.3);
  assert.equal(r.rate_b, 0.75);
});

Deno.test("booleans and 0/1 numbers give the same test", () => {
  const a = [true, false, true, true];
  const b = [false, false, true, false, false];
  assert.deepEqual(twoProportionZ(a, b), twoProportionZ(a.map(Number), b.map(Number)));
});

Deno.test("two samples of one and the same value give z = 0 and p = 1", () => {
  assert.deepEqual(twoProportionZ([1, 1], [1, 1, 1]), {
    statistic: 0,
    p_value: 1,
    rate_a: 1,
    rate_b: 1,
  });
  assert.equal(twoProportionZ([0, 0], [0]).p_value, 1);
  assert.ok(twoProportionZ([0, 0, 0], [1, 1, 1]).p_value < 0.05);
});

Deno.test("the two-proportion z-test takes only 0, 1, true and false", () => {
  assert.throws(() => twoProportionZ([0, 2], [1]), TypeError);
  assert.throws(() => twoProportionZ(["1" as unknown as number], [1]), TypeError);
  assert.throws(() => twoProportionZ([], [1]), RangeError);
});
