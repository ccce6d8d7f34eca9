import assert from "node:assert/strict";
import { ALERT_EVENT_SCHEMA, alertEventKey, parseAlertEvent } from "./alert.ts";
import { decodeEvent, EventValidationError } from "./validate.ts";

const state = {
  schema: "llm.alert.v1",
  kind: "state",
  ts: 1_760_000_000_000,
  rule_id: "p95",
  rule_name: "slow p95",
  rule_kind: "metric",
  state: "firing",
  value: 2.5,
  threshold: 2,
  severity: "warning",
  labels: { alertname: "slow p95", model: "smollm2:135m" },
  fingerprint: "0123456789abcdef",
  started_at: 1_759_999_940_000,
  fired_at: 1_760_000_000_000,
};

Deno.test("llm.alert.v1 records decode from Kafka bytes and are keyed by their rule", () => {
  const bytes = new TextEncoder().encode(JSON.stringify(state));
  const event = decodeEvent(bytes, ALERT_EVENT_SCHEMA, parseAlertEvent);
  assert.equal(event.kind, "state");
  assert.equal(alertEventKey(event), "p95");
  const delivery = parseAlertEvent({
    schema: "llm.alert.v1",
    kind: "delivery",
    ts: 1,
    rule_id: "p95",
    key: "0123456789abcdef:firing:1",
    channel: "oncall",
    outcome: "sent",
    attempt: 1,
  });
  assert.equal(alertEventKey(delivery), "p95", "deliveries stay on their rule's partition");
});

Deno.test("invalid alert records name the wrong fields", () => {
  assert.throws(
    () => parseAlertEvent({ ...state, state: "exploded", severity: "loud" }),
    (error) => {
      assert.ok(error instanceof EventValidationError);
      assert.deepEqual(error.issues.map((i) => i.path).sort(), ["severity", "state"]);
      return true;
    },
  );
  assert.throws(
    () => parseAlertEvent({ ...state, labels: { "bad-name": "x" } }),
    /labels\.bad-name: Invalid key in record/,
  );
  assert.throws(
    () => parseAlertEvent({ ...state, kind: "gossip" }),
    /invalid llm\.alert\.v1: kind/,
  );
  assert.throws(
    () =>
      decodeEvent(
        new TextEncoder().encode('{"schema":"llm.alert.v2"}'),
        ALERT_EVENT_SCHEMA,
        parseAlertEvent,
      ),
    /expected "llm.alert.v1", found "llm.alert.v2"/,
  );
});
