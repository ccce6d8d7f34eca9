import assert from "node:assert/strict";
import { sampleResponse } from "../events/testing.ts";
import { evaluateRule, inputHorizonMs } from "./evaluate.ts";
import { AlertInputWindow } from "./input_window.ts";
import { parseRule } from "./rules.ts";

const T0 = 1_760_000_000_000;

Deno.test("the input window keeps only what the rules' longest window needs, in compact form", () => {
  const rules = [
    parseRule({
      id: "n",
      name: "n",
      kind: "metric",
      metric: "requests",
      op: ">",
      threshold: 2,
      window_s: 60,
    }),
    parseRule({ id: "q", name: "q", kind: "health", check: "no_data", window_s: 300 }),
  ];
  const window = new AlertInputWindow({ startedAt: T0 });
  for (let i = 0; i < 5; i++) {
    window.addResponse({ ...sampleResponse({ ts_end: T0 + i * 30_000 }), cost_usd: 0.1 });
  }
  window.addDeadLetter(T0 + 1);
  const now = T0 + 130_000;
  const inputs = window.inputs(now, inputHorizonMs(rules));
  assert.deepEqual(inputs.responses!.map((r) => r.ts_end - T0), [90_000, 120_000]);
  assert.equal("prompt" in inputs.responses![0], false, "no prompt or response text is kept");
  assert.equal(inputs.responses![0].cost_usd, 0.1);
  assert.deepEqual(inputs.health!.dlq_ts, []);
  assert.equal(evaluateRule(rules[0], inputs, now).value, 2);
  // No response for 300 s after the last one: no_data fires even though the window is empty.
  const later = T0 + 120_000 + 300_000;
  const quiet = window.inputs(later, inputHorizonMs(rules));
  assert.equal(quiet.responses!.length, 0);
  assert.equal(evaluateRule(rules[1], quiet, later).active, true);
});

Deno.test("health readings and the drift report pass through; the item cap bounds memory", () => {
  const window = new AlertInputWindow({ startedAt: T0, maxItems: 3 });
  for (let i = 0; i < 10; i++) window.addResponse(sampleResponse({ ts_end: T0 + i }));
  window.setHealth({ services: { kafka: false } });
  window.setHealth({ consumer_lag: { "mlflow-sink": 7 } });
  window.setDrift({ report: { columns: [] }, ts: T0 });
  const inputs = window.inputs(T0 + 10, 60_000);
  assert.deepEqual(inputs.responses!.map((r) => r.ts_end - T0), [7, 8, 9]);
  assert.deepEqual(inputs.health!.services, { kafka: false });
  assert.deepEqual(inputs.health!.consumer_lag, { "mlflow-sink": 7 });
  assert.equal(inputs.health!.last_response_ts, T0 + 9);
  assert.equal(inputs.drift!.ts, T0);
});
