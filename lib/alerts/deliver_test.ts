import assert from "node:assert/strict";
import type { AlertEvent } from "../events/alert.ts";
import { sampleResponse } from "../events/testing.ts";
import { waitFor } from "../stack/testing.ts";
import { freePort } from "../stack/free_port.ts";
import { type RecordedRequest, sampleNotification, startReceiver } from "./_testing.ts";
import { parseChannel } from "./channels/config.ts";
import { deliverDue, sendWithRetries } from "./deliver.ts";
import { AlertEngine } from "./engine.ts";
import { Outbox } from "./outbox.ts";
import { parseRule } from "./rules.ts";

const SMALL_BACKOFF = { baseMs: 20, maxMs: 200, jitter: 0 };

/** Runs deliverDue every 10 ms until stopped, collecting the records it returns. */
function deliveryLoop(outbox: Outbox, channels: Map<string, ReturnType<typeof parseChannel>>) {
  const records: AlertEvent[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      records.push(...await deliverDue(outbox, channels, { timeoutMs: 2_000 }));
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return {
    records,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

Deno.test("a receiver that is down gets the notification exactly once after it is back", async () => {
  const port = freePort(); // nothing listens there yet: connections are refused
  const channel = parseChannel({
    name: "oncall",
    type: "webhook",
    url: `http://127.0.0.1:${port}/h`,
  });
  const channels = new Map([[channel.name, channel]]);
  const outbox = new Outbox({ backoff: SMALL_BACKOFF });
  outbox.apply(sampleNotification({ channels: ["oncall"], ts: Date.now() }));
  const loop = deliveryLoop(outbox, channels);
  let receiver: ReturnType<typeof startReceiver> | undefined;
  try {
    await waitFor(
      () => loop.records.filter((r) => r.kind === "delivery" && r.outcome === "failed").length >= 4,
      "four failed attempts while the receiver is down",
      10_000,
    );
    assert.equal(outbox.size, 1, "still pending, not lost");
    receiver = startReceiver({ port });
    await waitFor(() => outbox.size === 0, "the delivery after the receiver is back", 10_000);
    // One more pass: nothing is left to send.
    assert.deepEqual(await deliverDue(outbox, channels), []);
    assert.equal(receiver.requests.length, 1);
    const sent = loop.records.filter((r) => r.kind === "delivery" && r.outcome === "sent");
    assert.equal(sent.length, 1);
    const failures = loop.records.filter((r) => r.kind === "delivery" && r.outcome === "failed");
    assert.ok(failures.every((r) => r.kind === "delivery" && /Connection refused/.test(r.error!)));
  } finally {
    await loop.stop();
    await receiver?.stop();
  }
});

Deno.test("a restart between a send and its record resends with the same Idempotency-Key, which the receiver drops", async () => {
  const seen = new Set<string>();
  const accepted: RecordedRequest[] = [];
  const receiver = startReceiver({
    respond: (request) => {
      const key = request.headers.get("idempotency-key")!;
      if (!seen.has(key)) accepted.push(request);
      seen.add(key);
      return new Response("ok");
    },
  });
  try {
    const channel = parseChannel({ name: "oncall", type: "webhook", url: receiver.url });
    const channels = { oncall: channel };
    const n = sampleNotification();
    const before = Outbox.replay([n]);
    await deliverDue(before, channels); // its `sent` record is lost in the crash
    const after = Outbox.replay([n]);
    const records = await deliverDue(after, channels);
    assert.equal(records[0].kind === "delivery" && records[0].outcome, "sent");
    assert.equal(receiver.requests.length, 2, "sent twice on the wire");
    assert.equal(accepted.length, 1, "one notification for a receiver that honours the key");
    // With the record kept, a third start sends nothing.
    assert.equal(Outbox.replay([n, ...records]).size, 0);
  } finally {
    await receiver.stop();
  }
});

Deno.test("engine, records and outbox together: firing then resolve reach a receiver once each across a restart", async () => {
  const receiver = startReceiver();
  try {
    const channel = parseChannel({ name: "oncall", type: "webhook", url: receiver.url });
    const channels = { oncall: channel };
    let now = 1_760_000_000_000;
    const rule = parseRule({
      id: "errors",
      name: "errors",
      kind: "metric",
      metric: "error_rate",
      op: ">",
      threshold: 0.5,
      window_s: 60,
      channels: ["oncall"],
    });
    const failing = () => ({
      responses: [sampleResponse({
        ts_end: now - 1,
        status: "error",
        error: { type: "timeout", message: "slow" },
      })],
    });
    const topic: AlertEvent[] = []; // stands for llm.alerts
    const engine = new AlertEngine({ now: () => now });
    const outbox = new Outbox();
    for (const r of engine.evaluate([rule], failing())) {
      topic.push(r);
      outbox.apply(r);
    }
    topic.push(...await deliverDue(outbox, channels, { now: () => now }));
    assert.equal(receiver.requests.length, 1);
    // Restart: both rebuilt from the topic.
    now += 30_000;
    const engine2 = AlertEngine.replay(topic, { now: () => now });
    const outbox2 = Outbox.replay(topic);
    assert.equal(outbox2.size, 0);
    const still = engine2.evaluate([rule], failing());
    assert.deepEqual(still, []);
    now += 30_000;
    for (const r of engine2.evaluate([rule], { responses: [] })) {
      topic.push(r);
      outbox2.apply(r);
    }
    topic.push(...await deliverDue(outbox2, channels, { now: () => now }));
    const states = receiver.requests.map((r) => JSON.parse(new TextDecoder().decode(r.body)).state);
    assert.deepEqual(states, ["firing", "resolved"]);
  } finally {
    await receiver.stop();
  }
});

Deno.test("sendWithRetries retries a 503 and reports the outcome; a 400 is not retried", async () => {
  let calls = 0;
  const receiver = startReceiver({
    respond: (request) =>
      request.path === "/bad"
        ? new Response("invalid_payload", { status: 400 })
        : new Response("", { status: ++calls < 3 ? 503 : 200 }),
  });
  try {
    const channel = parseChannel({ name: "w", type: "webhook", url: receiver.url });
    const waits: number[] = [];
    const sleep = (ms: number) => {
      waits.push(ms);
      return Promise.resolve();
    };
    const options = { attempts: 5, backoff: SMALL_BACKOFF, sleep };
    const outcome = await sendWithRetries(channel, sampleNotification(), options);
    assert.deepEqual(outcome, { ok: true, attempts: 3 });
    assert.deepEqual(waits, [20, 40]);
    const bad = parseChannel({ name: "b", type: "webhook", url: `${receiver.url}/bad` });
    const never = await sendWithRetries(bad, sampleNotification(), options);
    assert.equal(never.ok, false);
    assert.equal(never.attempts, 1);
    assert.match(never.error!, /HTTP 400 \(invalid_payload\)/);
  } finally {
    await receiver.stop();
  }
});
