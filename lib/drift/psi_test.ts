import assert from "node:assert/strict";
import { psi } from "./psi.ts";
import { binnedShares } from "./_binning.ts";

Deno.test("PSI replaces zero shares with 0.0001 (or min share / 1e6 when that is tiny)", () => {
  const shares = binnedShares(["a", "a", "b"], ["a", "c"], "categorical", true);
  // keys a, b, c: reference [2/3, 1/3, 0→0.0001], current [1/2, 0→0.0001, 1/2]
  assert.deepEqual([...shares.reference], [2 / 3, 1 / 3, 0.0001]);
  assert.deepEqual([...shares.current], [0.5, 0.0001, 0.5]);
  const r = psi(["a", "a", "b"], ["a", "c"]);
  const expected = (2 / 3 - 0.5) * Math.log((2 / 3) / 0.5) +
    (1 / 3 - 0.0001) * Math.log((1 / 3) / 0.0001) +
    (0.0001 - 0.5) * Math.log(0.0001 / 0.5);
  assert.ok(Math.abs(r.score - expected) < 1e-12);
  assert.equal(r.drifted, true);
});
