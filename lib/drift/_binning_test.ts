import assert from "node:assert/strict";
import { chisquare } from "./chisquare.ts";
import { zTest } from "./two_proportion_z.ts";
import { jensenshannon } from "./jensenshannon.ts";
import { psi } from "./psi.ts";
import { binnedShares, sturgesEdges } from "./_binning.ts";

Deno.test("categorical tests do not mutate frozen inputs and reject all-missing columns", () => {
  const ref = Object.freeze(["b", "a", null, "a"]);
  const cur = Object.freeze(["a", "c", ""]);
  for (const f of [chisquare, zTest, jensenshannon, psi]) {
    assert.doesNotThrow(() => f(ref, cur));
    assert.deepEqual(ref, ["b", "a", null, "a"]);
    assert.throws(
      () => f(ref, [null, "", NaN]),
      (e) => e instanceof RangeError && /current.*non-missing/.test(e.message),
    );
    assert.throws(
      () => f([], cur),
      (e) => e instanceof RangeError && /reference.*empty/.test(e.message),
    );
  }
});

Deno.test("numeric binning uses Sturges bins over both samples once the reference has > 20 values", () => {
  const ref = Array.from({ length: 64 }, (_, i) => i + 0.5);
  const edges = sturgesEdges(Float64Array.from(ref), false);
  // ptp 63, n 64 → width 63/7 = 9 → 7 bins, 8 edges from 0.5 to 63.5
  assert.equal(edges.length, 8);
  assert.equal(edges[0], 0.5);
  assert.equal(edges[7], 63.5);
  // both samples together: n = 128 → width 63/8 → 8 bins
  const shares = binnedShares(ref, ref, "numerical", false);
  assert.equal(shares.reference.length, 8);
  assert.ok(Math.abs(shares.reference.reduce((a, b) => a + b, 0) - 1) < 1e-15);
});
