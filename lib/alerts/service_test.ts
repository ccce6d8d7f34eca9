import assert from "node:assert/strict";
import type { AlertEvent, AlertNotificationEvent } from "../events/alert.ts";
import type { ChannelConfig } from "./channels/config.ts";
import { DeliveryError } from "./channels/types.ts";
import { AlertConfigStore, AlertNotFoundError } from "./config_store.ts";
import type { ResponseLike } from "./evaluate.ts";
import { AlertService } from "./service.ts";
import { AlertValidationError } from "./validation.ts";

function response(ts: number, latencyMs: number): ResponseLike {
  return {
    ts_end: ts,
    latency_ms: latencyMs,
    ttft_ms: null,
    status: "success",
    model: "m",
    source: "test",
    tokens_per_s: 10,
  };
}

/** A service over a temporary store, a clock, a record log and a sender double. */
async function setup() {
  const dir = await Deno.makeTempDir({ prefix: "alerts-service-" });
  const store = await AlertConfigStore.open(`${dir}/alerts.json`);
  let now = 1_000_000;
  const written: AlertEvent[] = [];
  const sent: { channel: string; n: AlertNotificationEvent }[] = [];
  let failing = false;
  let changes = 0;
  const service = new AlertService({
    store,
    publish: (records) => {
      written.push(...records);
      return Promise.resolve();
    },
    now: () => now,
    backoff: { baseMs: 1_000, maxMs: 1_000, jitter: 0 },
    onChange: () => changes++,
    send: (channel: ChannelConfig, n: AlertNotificationEvent) => {
      if (failing) return Promise.reject(new DeliveryError("refused", { retryable: true }));
      sent.push({ channel: channel.name, n });
      return Promise.resolve();
    },
  });
  await service.upsertChannel({ name: "oncall", type: "webhook", url: "http://127.0.0.1:9/h" });
  const rule = await service.createRule({
    id: "p95",
    name: "slow p95",
    kind: "metric",
    metric: "latency_p95_s",
    op: ">",
    threshold: 2,
    window_s: 60,
    channels: ["oncall"],
  });
  return {
    service,
    store,
    rule,
    written,
    sent,
    changes: () => changes,
    setNow: (t: number) => (now = t),
    now: () => now,
    fail: (f: boolean) => (failing = f),
    cleanup: () => Deno.remove(dir, { recursive: true }),
  };
}

Deno.test("the leader's evaluation writes records, then delivers the notification once", async () => {
  const s = await setup();
  try {
    const slow = [response(s.now() - 1_000, 3_000)];
    const records = await s.service.evaluate({ responses: slow });
    assert.deepEqual(records.map((r) => r.kind), ["state", "notification"]);
    assert.deepEqual(s.written, records, "the records were written before anything was sent");
    assert.equal(s.service.view().firing, 1);
    assert.equal(s.service.view().deliveries_pending, 1);
    const outcomes = await s.service.deliver();
    assert.deepEqual(outcomes.map((r) => r.kind === "delivery" && r.outcome), ["sent"]);
    assert.equal(s.sent.length, 1);
    assert.equal(s.sent[0].n.rule_name, "slow p95");
    await s.service.evaluate({ responses: slow });
    await s.service.deliver();
    assert.equal(s.sent.length, 1, "a firing alert is notified once");
    assert.equal(s.service.view().readings[0].value, 3);
  } finally {
    await s.cleanup();
  }
});

Deno.test("a follower folded from the leader's records shows the same alerts and owes no delivery", async () => {
  const s = await setup();
  try {
    await s.service.evaluate({ responses: [response(s.now() - 1_000, 3_000)] });
    await s.service.deliver();
    const follower = new AlertService({
      store: s.store,
      publish: () => Promise.resolve(),
      now: s.now,
    });
    follower.fold(s.written);
    const view = follower.view();
    assert.equal(view.firing, 1);
    assert.equal(view.active[0].fingerprint, s.service.view().active[0].fingerprint);
    assert.equal(view.deliveries_pending, 0, "the delivery record closed it");
    assert.equal(view.history.length, 1);
    follower.observe({ responses: [response(s.now() - 1_000, 1_000)] });
    assert.equal(follower.view().readings[0].value, 1);
    assert.equal(follower.view().firing, 1, "observing changes no state");
  } finally {
    await s.cleanup();
  }
});

Deno.test("a failed delivery stays in the outbox and is retried after the backoff", async () => {
  const s = await setup();
  try {
    s.fail(true);
    await s.service.evaluate({ responses: [response(s.now() - 1_000, 3_000)] });
    const first = await s.service.deliver();
    assert.equal(first[0].kind === "delivery" && first[0].outcome, "failed");
    assert.deepEqual(await s.service.deliver(), [], "not due before the backoff");
    s.fail(false);
    s.setNow(s.now() + 1_000);
    const second = await s.service.deliver();
    assert.equal(second[0].kind === "delivery" && second[0].outcome, "sent");
    assert.equal(s.sent.length, 1);
  } finally {
    await s.cleanup();
  }
});

Deno.test("silences mute a rule until lifted, and are written as records", async () => {
  const s = await setup();
  try {
    await assert.rejects(
      () => s.service.silence({ rule_id: "nope", duration_s: 60 }),
      (e: unknown) =>
        e instanceof AlertValidationError && /rule_id: expected the id/.test(e.message),
    );
    const silence = await s.service.silence({ rule_id: "p95", duration_s: 600, comment: "deploy" });
    assert.equal(s.written.at(-1), silence);
    await s.service.evaluate({ responses: [response(s.now() - 1_000, 3_000)] });
    assert.equal(s.service.view().active[0].silenced, true);
    assert.equal(s.service.view().deliveries_pending, 0, "nothing is sent while silenced");
    await s.service.unsilence(silence.silence_id);
    assert.deepEqual(s.service.view().silences, []);
    await assert.rejects(() => s.service.unsilence(silence.silence_id), AlertNotFoundError);
    await s.service.evaluate({ responses: [response(s.now() - 1_000, 3_000)] });
    assert.equal(s.service.view().deliveries_pending, 1, "notified once the silence is lifted");
  } finally {
    await s.cleanup();
  }
});

Deno.test("a test notification goes to the named channel now, and an unknown channel is 404", async () => {
  const s = await setup();
  try {
    const outcome = await s.service.testChannel("oncall");
    assert.deepEqual(outcome, { ok: true, attempts: 1 });
    assert.equal(s.sent[0].n.test, true);
    assert.equal(s.written.length, 0, "a test notification is not an alert record");
    await assert.rejects(() => s.service.testChannel("nope"), AlertNotFoundError);
    assert.ok(s.changes() > 0);
  } finally {
    await s.cleanup();
  }
});
