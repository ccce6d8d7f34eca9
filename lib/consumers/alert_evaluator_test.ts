// The alert evaluator against the real Kafka, Mailpit and Alertmanager, on private topics: rules
// of each kind fire and resolve on traffic to every channel; a receiver down for a minute gets
// its notification once when it is back; two evaluators elect one leader and hand over.
import assert from "node:assert/strict";
import {
  AlertConfigStore,
  type AlertEvent,
  parseAlertEvent,
  SIGNATURE_HEADER,
  type SlackPayload,
  verifySignature,
  type WebhookBody,
} from "../alerts/mod.ts";
import { sampleResponse } from "../events/testing.ts";
import { createKafka, EventProducer, readTopic } from "../kafka/mod.ts";
import { startAlertmanager } from "../stack/alertmanager.ts";
import { freePort } from "../stack/free_port.ts";
import { startMailpit } from "../stack/mailpit.ts";
import {
  createTestTopics,
  INTEGRATION,
  integrationConfig,
  uniqueName,
  waitFor,
} from "../stack/testing.ts";
import { startReceiver } from "../alerts/_testing.ts";
import { AlertEvaluator, type AlertEvaluatorOptions } from "./alert_evaluator.ts";
import { DriftMonitor } from "./drift_monitor.ts";

const SECRET = "a-webhook-secret-for-tests";
const DASHBOARD = "http://127.0.0.1:8000";
/** How long the receiver stays down in the outage test (seconds). */
const OUTAGE_S = Number(Deno.env.get("LLMOPS_ALERTS_OUTAGE_S") ?? 60);
const progress = (line: string) => console.error(line);
const decoder = new TextDecoder();

type Topics = { responses: string; dlq: string; feedback: string; alerts: string };

/** Private topics, a producer, a temporary store, and evaluators made on them. */
async function fixture() {
  const config = integrationConfig();
  const kafka = createKafka(config.kafka.brokers, uniqueName("alert-eval-test"));
  const made = await createTestTopics(kafka, ["responses", "dlq", "feedback", "alerts"]);
  const topics: Topics = made.topics;
  const producer = new EventProducer(kafka);
  await producer.connect();
  const dir = await Deno.makeTempDir({ prefix: "alerts-eval-" });
  const store = await AlertConfigStore.open(`${dir}/alerts.json`);
  const groupId = uniqueName("alert-evaluator");
  const evaluators: AlertEvaluator[] = [];
  const errors: string[] = [];
  const evaluator = async (extra: Partial<AlertEvaluatorOptions> = {}) => {
    const e = new AlertEvaluator({
      kafka,
      producer,
      store: extra.store ?? store,
      topics,
      groupId,
      evaluateIntervalMs: 300,
      deliverIntervalMs: 200,
      dashboardUrl: DASHBOARD,
      backoff: { baseMs: 300, maxMs: 3_000 },
      onError: (error) => errors.push(error.message),
      ...extra,
    });
    evaluators.push(e);
    await e.start();
    await e.ready();
    return e;
  };
  /** Produces response events that end now. */
  const respond = async (latenciesMs: number[]) => {
    await Promise.all(latenciesMs.map((latency_ms) => {
      const e = sampleResponse({ latency_ms, ts_end: Date.now(), model: "alert-test" });
      return producer.send(topics.responses, e.request_id, e);
    }));
  };
  /** Produces `n` dead letters (`llm.dlq.v1`) sent now. */
  const deadLetters = async (n: number) => {
    await Promise.all(Array.from({ length: n }, (_, i) =>
      producer.send(topics.dlq, `k${i}`, {
        schema: "llm.dlq.v1",
        ts: Date.now(),
        source_topic: topics.responses,
        partition: 0,
        offset: String(i),
        consumer_group: "alert-test",
        reason: "synthetic dead letter",
        key: null,
        original_base64: "",
      })));
  };
  const records = async (): Promise<AlertEvent[]> =>
    (await readTopic(kafka, topics.alerts, { timeoutMs: 20_000 })).map((m) =>
      parseAlertEvent(JSON.parse(decoder.decode(m.value!)))
    );
  return {
    kafka,
    topics,
    producer,
    store,
    evaluator,
    respond,
    deadLetters,
    records,
    errors,
    cleanup: async () => {
      for (const e of evaluators) await e.stop();
      await producer.disconnect();
      await made.cleanup();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Latencies of a steady service: the same 40 values each time (no drift between two sets). */
const STEADY = Array.from({ length: 40 }, (_, i) => 900 + 5 * i);
/** The same shape, 2 s slower. */
const SLOW = STEADY.map((ms) => ms + 2_000);

interface AmAlert {
  labels: Record<string, string>;
  status: { state: string };
}

Deno.test({
  name: "metric, drift and health rules fire and resolve on traffic, notifying a signed webhook, " +
    "Slack's payload, email through Mailpit and a real Alertmanager once each way",
  ...INTEGRATION,
  async fn() {
    const started = Date.now();
    const f = await fixture();
    const config = integrationConfig();
    const webhook = startReceiver();
    const slack = startReceiver();
    const amHooks = startReceiver();
    const mailpit = await startMailpit(config, {}, progress);
    const am = await startAlertmanager(config, {
      configYaml: `route:
  receiver: hooks
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hooks
    webhook_configs:
      - url: ${amHooks.url}/am
        send_resolved: true
`,
    }, progress);
    const monitor = new DriftMonitor({
      kafka: f.kafka,
      dlq: f.producer,
      topic: f.topics.responses,
      groupId: uniqueName("alert-test-drift"),
      referenceSize: 40,
      currentSize: 40,
      intervalMs: 200,
    });
    try {
      const channels = ["hook", "slack", "mail", "am"];
      await f.store.upsertChannel({
        name: "hook",
        type: "webhook",
        url: `${webhook.url}/alerts`,
        secret: SECRET,
      });
      await f.store.upsertChannel({
        name: "slack",
        type: "slack",
        url: `${slack.url}/services/T000/B000/XXXX`,
      });
      await f.store.upsertChannel({
        name: "mail",
        type: "email",
        host: "127.0.0.1",
        port: mailpit.smtpPort,
        tls: "none",
        from: "alerts@llmops.test",
        to: ["oncall@llmops.test"],
      });
      await f.store.upsertChannel({ name: "am", type: "alertmanager", url: am.url });
      const rules = [
        {
          id: "p95",
          name: "slow p95",
          kind: "metric",
          metric: "latency_p95_s",
          op: ">",
          threshold: 2,
          window_s: 8,
          severity: "critical",
        },
        { id: "drift", name: "latency drift", kind: "drift", columns: ["latency_s"] },
        {
          id: "dlq",
          name: "dead letters",
          kind: "health",
          check: "dlq_rate",
          threshold: 5,
          window_s: 8,
        },
      ];
      for (const rule of rules) await f.store.createRule({ ...rule, channels });
      await monitor.start();
      const evaluator = await f.evaluator({
        drift: () => {
          const s = monitor.latest();
          return s ? { report: s.report, ts: s.computed_at } : null;
        },
      });
      await waitFor(() => evaluator.isLeader, "the evaluator to lead", 20_000);

      // steady traffic: a reference and a current window alike; nothing fires
      await f.respond(STEADY);
      await f.respond(STEADY);
      await waitFor(() => monitor.latest() !== null, "the first drift report", 20_000);
      await evaluator.evaluateNow();
      assert.equal(evaluator.service.view().active.length, 0, "nothing fires on steady traffic");

      // the incident: slow answers (latency drifts, p95 > 2 s) and dead letters
      await f.respond(SLOW);
      await f.deadLetters(10);
      await waitFor(
        () => evaluator.service.view().firing === 3,
        "all three rules firing",
        30_000,
      );
      const firing = evaluator.service.view().active;
      const fingerprints = new Map(firing.map((a) => [a.rule_id, a.fingerprint]));
      await waitFor(
        () => webhook.requests.length >= 3 && slack.requests.length >= 3,
        "three firing notifications on the webhook and Slack",
        20_000,
      );
      const amActive = async () =>
        (await (await fetch(`${am.url}/api/v2/alerts?active=true`)).json()) as AmAlert[];
      await waitFor(async () => (await amActive()).length === 3, "three alerts in Alertmanager");
      const groups = await (await fetch(`${am.url}/api/v2/alerts/groups`)).json() as {
        labels: Record<string, string>;
      }[];
      assert.deepEqual(
        groups.map((g) => g.labels.alertname).sort(),
        ["dead letters", "latency drift", "slow p95"],
        "Alertmanager groups the alerts by alertname",
      );
      await waitFor(
        () => amHooks.requests.some((r) => JSON.parse(decoder.decode(r.body)).status === "firing"),
        "Alertmanager's own firing notification",
        20_000,
      );

      // recovery: steady answers again; the slow ones leave the 8 s window, no more dead letters
      await f.respond(STEADY);
      await waitFor(
        () => evaluator.service.view().active.length === 0,
        "all three rules resolved",
        40_000,
      );
      await waitFor(
        () => webhook.requests.length >= 6 && slack.requests.length >= 6,
        "three resolved notifications on the webhook and Slack",
        20_000,
      );
      await waitFor(async () => (await amActive()).length === 0, "Alertmanager resolved them");
      await waitFor(
        () =>
          amHooks.requests.some((r) => JSON.parse(decoder.decode(r.body)).status === "resolved"),
        "Alertmanager's own resolved notification",
        20_000,
      );
      await waitFor(
        async () =>
          (await (await fetch(`${mailpit.url}/api/v1/messages`)).json()).messages.length >= 6,
        "six emails in Mailpit",
        20_000,
      );
      await waitFor(() => evaluator.service.view().deliveries_pending === 0, "an empty outbox");

      // the webhook: six signed bodies, each rule firing then resolved under one fingerprint
      assert.equal(webhook.requests.length, 6);
      const bodies: WebhookBody[] = [];
      for (const request of webhook.requests) {
        assert.equal(request.path, "/alerts");
        assert.ok(
          await verifySignature(SECRET, request.body, request.headers.get(SIGNATURE_HEADER)),
          "the HMAC-SHA256 signature of the raw body verifies with the channel's secret",
        );
        assert.equal(
          await verifySignature(
            "another secret!!",
            request.body,
            request.headers.get(SIGNATURE_HEADER),
          ),
          false,
        );
        const body = JSON.parse(decoder.decode(request.body)) as WebhookBody;
        assert.equal(request.headers.get("idempotency-key"), body.idempotency_key);
        for (
          const field of [
            "rule",
            "state",
            "value",
            "threshold",
            "severity",
            "labels",
            "started_at",
            "fingerprint",
            "dashboard_url",
          ]
        ) assert.ok(field in body, `the webhook body has ${field}`);
        assert.equal(body.dashboard_url, `${DASHBOARD}/#alerts/${body.fingerprint}`);
        bodies.push(body);
      }
      for (const [ruleId, fingerprint] of fingerprints) {
        const mine = bodies.filter((b) => b.rule_id === ruleId);
        assert.deepEqual(mine.map((b) => b.state), ["firing", "resolved"], ruleId);
        assert.ok(mine.every((b) => b.fingerprint === fingerprint));
      }
      const p95 = bodies.find((b) => b.rule_id === "p95" && b.state === "firing")!;
      assert.equal(p95.severity, "critical");
      assert.equal(p95.threshold, 2);
      assert.ok(p95.value! > 2, `p95 ${p95.value} above the threshold`);
      const drift = bodies.find((b) => b.rule_id === "drift" && b.state === "firing")!;
      assert.match(drift.detail!, /latency_s \(q=/, "the drifted column with its adjusted p-value");

      // Slack: its incoming-webhook shape (text + Block Kit blocks within the limits)
      assert.equal(slack.requests.length, 6);
      for (const request of slack.requests) {
        assert.equal(request.path, "/services/T000/B000/XXXX");
        assert.equal(request.headers.get("content-type"), "application/json");
        const payload = JSON.parse(decoder.decode(request.body)) as SlackPayload;
        assert.deepEqual(Object.keys(payload).sort(), ["blocks", "text"]);
        assert.ok(payload.text.length > 0 && payload.text.length <= 3000);
        assert.ok(payload.blocks.length <= 50);
        for (const block of payload.blocks) {
          assert.ok(["header", "section", "context", "actions"].includes(block.type));
          if (block.type === "header") {
            assert.equal(block.text.type, "plain_text");
            assert.ok(block.text.text.length <= 150);
          }
          if (block.type === "section") assert.ok((block.fields ?? []).length <= 10);
          if (block.type === "actions") {
            assert.equal(block.elements[0].url.startsWith(`${DASHBOARD}/#alerts/`), true);
          }
        }
      }
      const headers = slack.requests.map((r) =>
        (JSON.parse(decoder.decode(r.body)) as SlackPayload).blocks[0]
      ).map((b) => b.type === "header" ? b.text.text : "");
      assert.deepEqual(
        headers.filter((h) => h.startsWith("FIRING")).length,
        3,
        `three firing headers: ${headers.join(" | ")}`,
      );

      // email: six messages, subjects with the state and the rule
      const list = await (await fetch(`${mailpit.url}/api/v1/messages`)).json() as {
        messages: { Subject: string; MessageID: string }[];
      };
      assert.equal(list.messages.length, 6);
      const subjects = list.messages.map((m) => m.Subject).sort();
      for (const name of ["dead letters", "latency drift", "slow p95"]) {
        assert.equal(subjects.filter((s) => s.includes(`[FIRING] ${name}:`)).length, 1, name);
        assert.equal(subjects.filter((s) => s.includes(`[RESOLVED] ${name}:`)).length, 1, name);
      }
      assert.equal(new Set(list.messages.map((m) => m.MessageID)).size, 6);

      // the durable record: two notifications per rule, each delivered once to each channel
      const written = await f.records();
      const notifications = written.filter((r) => r.kind === "notification");
      assert.equal(notifications.length, 6);
      const sent = written.filter((r) => r.kind === "delivery" && r.outcome === "sent");
      assert.equal(sent.length, 24, "6 notifications × 4 channels");
      assert.deepEqual(f.errors, []);
      console.log(
        `all channels fired and resolved in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
    } finally {
      await monitor.stop();
      await f.cleanup();
      await am.stop();
      await mailpit.stop();
      await Promise.all([webhook.stop(), slack.stop(), amHooks.stop()]);
    }
  },
});

Deno.test({
  name: `a receiver down for ${OUTAGE_S} s gets the notification once, after it is back`,
  ...INTEGRATION,
  async fn() {
    const f = await fixture();
    const port = freePort();
    let receiver: ReturnType<typeof startReceiver> | null = null;
    try {
      await f.store.upsertChannel({
        name: "hook",
        type: "webhook",
        url: `http://127.0.0.1:${port}/alerts`,
        secret: SECRET,
      });
      await f.store.createRule({
        id: "p95",
        name: "slow p95",
        kind: "metric",
        metric: "latency_p95_s",
        op: ">",
        threshold: 2,
        window_s: 600,
        channels: ["hook"],
      });
      const evaluator = await f.evaluator({ backoff: { baseMs: 500, maxMs: 5_000 } });
      await f.respond(SLOW);
      await waitFor(() => evaluator.service.view().firing === 1, "the rule firing", 20_000);
      const downSince = Date.now();
      await waitFor(
        async () => {
          const failed = (await f.records()).filter((r) =>
            r.kind === "delivery" && r.outcome === "failed"
          );
          return failed.length >= 2;
        },
        "failed delivery attempts recorded",
        20_000,
      );
      // the receiver stays down for the whole outage, while the alert keeps firing
      await new Promise((r) =>
        setTimeout(r, Math.max(0, downSince + OUTAGE_S * 1000 - Date.now()))
      );
      assert.equal(evaluator.service.view().deliveries_pending, 1, "still owed after the outage");
      receiver = startReceiver({ port });
      const back = Date.now();
      await waitFor(
        () => receiver!.requests.length === 1,
        "the notification after the outage",
        15_000,
      );
      const arrivedAfterS = (Date.now() - back) / 1000;
      await waitFor(() => evaluator.service.view().deliveries_pending === 0, "the outbox emptied");
      // a few more delivery and evaluation passes send nothing more
      await evaluator.evaluateNow();
      await evaluator.deliverNow();
      await evaluator.evaluateNow();
      await evaluator.deliverNow();
      assert.equal(receiver.requests.length, 1, "exactly once");
      const body = JSON.parse(decoder.decode(receiver.requests[0].body)) as WebhookBody;
      assert.equal(body.state, "firing");
      assert.ok(
        await verifySignature(
          SECRET,
          receiver.requests[0].body,
          receiver.requests[0].headers.get(SIGNATURE_HEADER),
        ),
      );
      const deliveries = (await f.records()).filter((r) => r.kind === "delivery");
      const failed = deliveries.filter((r) => r.kind === "delivery" && r.outcome === "failed");
      const sent = deliveries.filter((r) => r.kind === "delivery" && r.outcome === "sent");
      assert.equal(sent.length, 1);
      assert.ok(failed.length >= 5, `${failed.length} failed attempts during the outage`);
      console.log(
        `down ${OUTAGE_S} s: ${failed.length} failed attempts, delivered ${
          arrivedAfterS.toFixed(1)
        } s after the receiver came back`,
      );
    } finally {
      await receiver?.stop();
      await f.cleanup();
    }
  },
});

Deno.test({
  name: "two evaluators elect one leader: one notification per episode, and the other takes " +
    "over the same episode when the leader stops",
  ...INTEGRATION,
  async fn() {
    const f = await fixture();
    const hook = startReceiver();
    try {
      await f.store.upsertChannel({ name: "hook", type: "webhook", url: `${hook.url}/h` });
      await f.store.createRule({
        id: "busy",
        name: "busy",
        kind: "metric",
        metric: "requests",
        op: ">=",
        threshold: 1,
        window_s: 8,
        channels: ["hook"],
      });
      const a = await f.evaluator();
      const b = await f.evaluator();
      await waitFor(() => a.isLeader !== b.isLeader, "exactly one leader", 30_000);
      const [leader, other] = a.isLeader ? [a, b] : [b, a];
      assert.equal(other.status().role, "follower");
      await f.respond([1_000]);
      await waitFor(() => hook.requests.length === 1, "the firing notification", 20_000);
      await waitFor(() => other.service.view().firing === 1, "the follower sees it firing", 20_000);
      const fingerprint = other.service.view().active[0].fingerprint;
      await leader.stop();
      await waitFor(() => other.isLeader, "the follower to take over", 30_000);
      // the response leaves the 8 s window: the new leader resolves the same episode
      await waitFor(() => hook.requests.length === 2, "the resolved notification", 30_000);
      const bodies = hook.requests.map((r) => JSON.parse(decoder.decode(r.body)) as WebhookBody);
      assert.deepEqual(bodies.map((x) => x.state), ["firing", "resolved"]);
      assert.ok(bodies.every((x) => x.fingerprint === fingerprint), "one episode across leaders");
      assert.equal(new Set(bodies.map((x) => x.idempotency_key)).size, 2);
    } finally {
      await hook.stop();
      await f.cleanup();
    }
  },
});

Deno.test({
  name: "each dead letter and feedback counts once, however long the evaluator reads: two dead " +
    "letters stay under a threshold of three",
  ...INTEGRATION,
  async fn() {
    const f = await fixture();
    try {
      await f.store.createRule({
        id: "dlq",
        name: "dead letters",
        kind: "health",
        check: "dlq_rate",
        threshold: 3,
        window_s: 60,
        channels: [],
      });
      const evaluator = await f.evaluator();
      await waitFor(() => evaluator.isLeader, "the evaluator to lead", 20_000);
      const before = evaluator.status().messages_read;
      await f.deadLetters(2);
      await waitFor(
        () => evaluator.status().messages_read >= before + 2,
        "the two dead letters read",
        20_000,
      );
      // ten more evaluations (300 ms apart): a batch fetched again would be counted again
      const evaluated = new Set<number>();
      await waitFor(
        () => {
          const at = evaluator.status().last_evaluated_at;
          if (at !== null) evaluated.add(at);
          return evaluated.size >= 10;
        },
        "ten evaluations",
        30_000,
      );
      assert.equal(evaluator.status().messages_read, before + 2);
      assert.equal(evaluator.service.view().active.length, 0, "two dead letters are under three");
    } finally {
      await f.cleanup();
    }
  },
});
