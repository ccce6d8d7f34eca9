import assert from "node:assert/strict";
import { zTest } from "./two_proportion_z.ts";

Deno.test("z-test codes the first sorted category as 0 and matches the pooled formula", () => {
  const ref = ["yes", "no", "yes", "no"];
  const cur = ["yes", "yes", "yes", "yes"];
  const r = zTest(ref, cur);
  // "no" is first → p_ref(yes) = 0.5, p_cur(yes) = 1, pooled 0.75
  const z = (0.5 - 1) / Math.sqrt(0.75 * 0.25 * (1 / 4 + 1 / 4));
  assert.ok(Math.abs(r.statistic - z) < 1e-15);
  assert.ok(r.p_value! > 0 && r.p_value! < 1);
});

Deno.test("z-test of one identical constant on both sides gives p = 1", () => {
  const r = zTest(["ok", "ok"], ["ok"]);
  assert.equal(r.p_value, 1);
  assert.equal(r.drifted, false);
});
