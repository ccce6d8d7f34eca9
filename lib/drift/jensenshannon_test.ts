import assert from "node:assert/strict";
import { jensenshannon, jensenShannonDistance } from "./jensenshannon.ts";

Deno.test("Jensen–Shannon distance is 0 for equal and √ln2 for disjoint distributions", () => {
  assert.equal(jensenShannonDistance([0.2, 0.8], [0.2, 0.8]), 0);
  assert.ok(Math.abs(jensenShannonDistance([1, 0], [0, 1]) - Math.sqrt(Math.LN2)) < 1e-15);
  assert.equal(jensenshannon(["a", "b"], ["a", "b"]).drifted, false);
  assert.equal(jensenshannon(["a", "a"], ["b", "b"]).drifted, true);
});
