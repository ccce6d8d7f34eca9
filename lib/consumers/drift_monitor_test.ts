/** The drift monitor against the real Kafka, on a topic of its own. */
import assert from "node:assert/strict";
import { createKafka } from "../kafka/client.ts";
import { EventProducer } from "../kafka/producer.ts";
import { readTopic } from "../kafka/reader.ts";
import { GROUPS, TOPICS } from "../kafka/topics.ts";
import { parseDlqEvent } from "../events/mod.ts";
import { createTopicsReady, INTEGRATION, integrationConfig, uniqueName } from "../stack/testing.ts";
import { responses } from "../drift/_llm_testing.ts";
import type { DriftAlert, DriftSnapshot } from "../drift/mod.ts";
import { DriftMonitor } from "./drift_monitor.ts";

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

Deno.test("the drift monitor defaults to llm.responses and the drift-monitor group, and checks options", () => {
  const kafka = createKafka(["127.0.0.1:1"], "drift-monitor-unit");
  const dlq = new EventProducer(kafka); // never connected: nothing is consumed here
  const monitor = new DriftMonitor({ kafka, dlq });
  assert.equal(monitor.topic, TOPICS.responses);
  assert.equal(monitor.groupId, GROUPS.driftMonitor);
  assert.equal(monitor.latest(), null);
  assert.equal(monitor.needed(), 400);
  assert.deepEqual(monitor.alerts(), []);
  assert.equal(monitor.windows().reference.kind, "first_n");
  assert.throws(() => new DriftMonitor({ kafka, dlq, referenceSize: 0 }), /referenceSize/);
  assert.throws(() => new DriftMonitor({ kafka, dlq, intervalMs: 0 }), /intervalMs/);
  assert.throws(() => new DriftMonitor({ kafka, dlq, stattest: "t" as never }), /stattest/);
  assert.throws(() => monitor.configure({ currentSize: 1.5 }), /currentSize/);
  assert.throws(() => monitor.configure({ driftShare: 3 }), /driftShare/);
  assert.throws(() => monitor.configure({ baselineRows: [] }), /non-empty/);
  assert.equal(monitor.configure({ referenceSize: 10, currentSize: 5 }), null, "not ready yet");
  assert.equal(monitor.needed(), 15);
});

Deno.test({
  name:
    "the drift monitor reports on first-N and newest-M windows, drops duplicates, dead-letters bad messages, alerts on drift",
  ...INTEGRATION,
  fn: async () => {
    const { kafka: config } = integrationConfig();
    const kafka = createKafka(config.brokers, "drift-monitor-test");
    const admin = kafka.admin();
    await admin.connect();
    const topic = uniqueName("drift-monitor-test");
    const groupId = uniqueName("drift-monitor-test");
    // one partition: consumption order is production order, so "the first 30" is exact
    await createTopicsReady(admin, [topic], 1);
    const producer = new EventProducer(kafka);
    await producer.connect();
    let monitor: DriftMonitor | null = null;
    try {
      const normal = responses(60, 21, false);
      const shifted = responses(30, 22, true);
      const sends: Promise<void>[] = [];
      normal.forEach((event, i) => {
        if (i === 10) sends.push(producer.send(topic, "bad-json", "{not json"));
        // duplicate deliveries, as at-least-once Kafka makes them: counted once
        if (i === 20) sends.push(producer.send(topic, normal[5].request_id, normal[5]));
        if (i === 59) sends.push(producer.send(topic, normal[30].request_id, normal[30]));
        if (i === 40) {
          const { latency_ms: _, ...missing } = normal[i];
          sends.push(producer.send(topic, "bad-schema", missing));
        }
        sends.push(producer.send(topic, event.request_id, event));
      });
      await Promise.all(sends);

      const reports: DriftSnapshot[] = [];
      const alerted: DriftAlert[] = [];
      monitor = new DriftMonitor({
        kafka,
        dlq: producer,
        topic,
        groupId,
        referenceSize: 30,
        currentSize: 30,
        intervalMs: 200,
        onReport: (s) => reports.push(s),
        onAlert: (a) => alerted.push(a),
      });
      await monitor.start();
      const m = monitor;
      await until(() => m.latest()?.responses_seen === 60, "a report on 60 responses");
      const first = m.latest()!;
      assert.equal(first.report.reference_rows, 30);
      assert.equal(first.report.current_rows, 30);
      assert.equal(first.report.dataset_drift, false, JSON.stringify(first.report.columns));
      assert.equal(first.report.columns_total, first.report.columns.length);
      assert.ok(first.report.quality.length > 0 && first.report.correlations.reference);
      assert.deepEqual(first.windows.reference, {
        kind: "first_n",
        size: 30,
        rows: 30,
        from: normal[0].ts_end,
        to: normal[29].ts_end,
        label: null,
        contiguous: true,
      });
      assert.deepEqual(first.windows.current, {
        kind: "newest_m",
        size: 30,
        rows: 30,
        from: normal[30].ts_end,
        to: normal[59].ts_end,
      });
      assert.equal(first.distributions.latency_s.reference.length, 30);
      assert.equal(first.distributions.latency_s.reference[0], normal[0].latency_ms / 1000);
      assert.equal(reports.at(-1), first, "onReport receives every report");
      assert.deepEqual(m.alerts(), []);
      assert.equal(m.deadLetteredCount, 2);

      // the malformed messages are in llm.dlq with their reasons
      const dead = async () =>
        (await readTopic(kafka, TOPICS.dlq, { lastNPerPartition: 50 }))
          .map((msg) => parseDlqEvent(JSON.parse(msg.value!.toString())))
          .filter((d) => d.source_topic === topic);
      await until(async () => (await dead()).length >= 2, "2 dead letters");
      const letters = (await dead()).sort((a, b) => Number(a.offset) - Number(b.offset));
      assert.equal(letters.length, 2);
      assert.deepEqual(letters.map((d) => d.key), ["bad-json", "bad-schema"]);
      assert.deepEqual(letters.map((d) => d.consumer_group), [groupId, groupId]);
      assert.match(letters[0].reason, /JSON/i);
      assert.match(letters[1].reason, /latency_ms/);

      // a shifted second half of traffic drifts and raises one alert
      await Promise.all(shifted.map((e) => producer.send(topic, e.request_id, e)));
      await until(() => m.latest()?.responses_seen === 90, "a report on 90 responses");
      const drifted = m.latest()!;
      assert.equal(drifted.report.dataset_drift, true, JSON.stringify(drifted.report.columns));
      assert.equal(drifted.report.reference_rows, 30);
      assert.equal(drifted.report.current_rows, 30);
      assert.equal(drifted.windows.current.from, shifted[0].ts_end);
      assert.equal(drifted.windows.reference.to, normal[29].ts_end, "the reference stays put");
      const alerts = m.alerts();
      assert.ok(alerts.length >= 1);
      assert.deepEqual(alerted, alerts);
      const alert = alerts.at(-1)!;
      assert.ok(alert.drifted_columns.includes("latency_s"), alert.drifted_columns.join());
      assert.ok(alert.share >= 0.5);
      assert.deepEqual(drifted.alerts, alerts);

      // changing the windows recomputes at once
      const configured = m.configure({ referenceSize: 20 });
      assert.ok(configured);
      assert.equal(configured.report.reference_rows, 20);
      assert.equal(configured.report.current_rows, 30);
      assert.equal(configured.windows.reference.size, 20);
      assert.equal(configured.windows.reference.to, normal[19].ts_end);
      assert.equal(m.latest(), configured);
      assert.equal(m.alerts().length, alerts.length, "drift stayed true: no new alert");
      const psi = m.configure({ stattest: "psi", columns: ["latency_s", "prompt_chars"] })!;
      assert.deepEqual(psi.report.columns.map((c) => c.stattest), ["psi", "psi"]);
      assert.throws(() => m.configure({ columns: ["nope"] }), /nope/);
      assert.deepEqual(
        m.latest()!.report,
        psi.report,
        "a failed configure keeps the previous report options",
      );

      await m.stop();
      monitor = null;
      // stopping committed what was consumed: 90 responses, 2 duplicates and 2 dead letters
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
      assert.equal(offsets.partitions[0].offset, "94");
    } finally {
      await monitor?.stop().catch(() => {});
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.deleteGroups([groupId]).catch(() => {});
      await admin.disconnect();
    }
  },
});
