import assert from "node:assert/strict";
import { wasserstein } from "./wasserstein.ts";

Deno.test("wasserstein is normed by the reference's population standard deviation", () => {
  const r = wasserstein([0, 1, 2, 3], [1, 2, 3, 4]);
  const std = Math.sqrt(((1.5 ** 2) * 2 + (0.5 ** 2) * 2) / 4);
  assert.ok(Math.abs(r.score - 1 / std) < 1e-15);
  assert.equal(r.p_value, null);
  assert.equal(r.drifted, true);
  // constant reference: the norm is floored at 0.001
  assert.ok(Math.abs(wasserstein([2, 2, 2], [2, 2, 3]).score - (1 / 3) / 0.001) < 1e-9);
});

Deno.test("wasserstein does not mutate frozen inputs and rejects strings", () => {
  const a = Object.freeze([3, 1, 2]);
  assert.doesNotThrow(() => wasserstein(a, [1, 5]));
  assert.deepEqual(a, [3, 1, 2]);
  assert.throws(() => wasserstein([1, "2" as unknown as number], [1]), TypeError);
});
