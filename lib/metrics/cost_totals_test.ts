import assert from "node:assert/strict";
import { CostTotals } from "./cost_totals.ts";

Deno.test("cost totals sum priced calls per model and price the token totals on hosted models", () => {
  const cost = new CostTotals();
  cost.add({
    model: "a",
    prompt_tokens: 100,
    completion_tokens: 50,
    cost_usd: 0.01,
    price_version: "v1",
  });
  cost.add({
    model: "a",
    prompt_tokens: 300,
    completion_tokens: 150,
    cost_usd: 0.03,
    price_version: "v2",
  });
  cost.add({ model: "b", prompt_tokens: 600, completion_tokens: 800 });
  const s = cost.snapshot([{ name: "h", input_per_1m: 1, output_per_1m: 2 }]);
  assert.equal(s.calls, 3);
  assert.equal(s.priced_calls, 2);
  assert.ok(Math.abs(s.total_usd - 0.04) < 1e-15);
  assert.ok(Math.abs(s.per_1k_calls_usd! - 20) < 1e-12, "0.04 USD over 2 priced calls");
  assert.deepEqual(s.price_versions, ["v1", "v2"]);
  assert.deepEqual(s.per_model.b, {
    calls: 1,
    priced_calls: 0,
    total_usd: 0,
    per_1k_calls_usd: null,
  });
  assert.equal(s.per_model.a.priced_calls, 2);
  const hosted = (1_000 * 1 + 1_000 * 2) / 1e6;
  assert.deepEqual(s.hosted, [{
    name: "h",
    total_usd: hosted,
    per_1k_calls_usd: (hosted / 3) * 1000,
  }]);
  assert.equal(new CostTotals().snapshot().per_1k_calls_usd, null);
});
