/** The MLflow sink against the real Kafka and MLflow: the mapping, DLQ, and replay safety. */
import assert from "node:assert/strict";
import { createKafka, EventProducer, readTopic, TOPICS } from "../kafka/mod.ts";
import { MlflowClient, tagOf } from "../mlflow/mod.ts";
import { MlflowSink } from "./mlflow_sink.ts";
import { sampleResponse } from "../events/testing.ts";
import {
  createTopicsReady,
  INTEGRATION,
  integrationConfig,
  uniqueName,
  waitFor,
} from "../stack/testing.ts";

Deno.test({
  name: "the sink logs one run per response as DESIGN.md maps it, and a replay adds none",
  ...INTEGRATION,
  fn: async () => {
    const config = integrationConfig();
    const kafka = createKafka(config.kafka.brokers, "sink-test");
    const admin = kafka.admin();
    await admin.connect();
    const topic = uniqueName("sink-test");
    await createTopicsReady(admin, [topic], 3);
    const producer = new EventProducer(kafka);
    await producer.connect();
    const events = Array.from({ length: 25 }, (_, i) =>
      sampleResponse({
        ts_start: 1_800_000_000_000 + i * 1000,
        ts_end: 1_800_000_000_500 + i * 1000,
        latency_ms: 500 + i,
        ...(i % 5 === 4
          ? {
            status: "error" as const,
            error: { type: "timeout" as const, message: "slow" },
            response: "",
            ttft_ms: null,
          }
          : {}),
      }));
    for (const e of events) await producer.send(topic, e.request_id, e);
    await producer.send(topic, "broken", "{ this is not a response");
    // a duplicate delivery of the first event
    await producer.send(topic, events[0].request_id, events[0]);
    await producer.flush();

    const mlflow = new MlflowClient(config.mlflow.uri);
    const experiment = uniqueName("sink-test");
    const group = uniqueName("sink-test-group");
    const runSink = async () => {
      const sink = new MlflowSink({
        kafka,
        dlq: producer,
        mlflow,
        experiment,
        groupId: group,
        topic,
        chunkSize: 10,
      });
      await sink.start();
      return sink;
    };
    const sink = await runSink();
    await waitFor(() => sink.loggedCount === 25, "25 runs logged");
    assert.equal(sink.createdCount, 25);
    const experimentId = sink.experimentId!;
    const runs = await mlflow.searchAllRuns({ experiment_ids: [experimentId] });
    assert.equal(runs.length, 25);
    await waitFor(() => sink.skippedCount + sink.createdCount >= 26, "the duplicate to be skipped");
    await sink.stop();

    const byRequest = new Map(runs.map((r) => [tagOf(r, "request_id"), r]));
    for (const [i, e] of events.entries()) {
      const run = byRequest.get(e.request_id)!;
      assert.ok(run, `no run for ${e.request_id}`);
      assert.equal(run.info.run_name, e.request_id);
      assert.equal(run.info.start_time, e.ts_start);
      assert.equal(run.info.end_time, e.ts_end);
      assert.equal(run.info.status, e.status === "success" ? "FINISHED" : "FAILED");
      for (const key of ["model", "user_id", "status", "source"]) {
        assert.equal(tagOf(run, key), String(e[key as keyof typeof e]), key);
      }
      const params = Object.fromEntries(run.data.params!.map((p) => [p.key, p.value]));
      assert.deepEqual(params, {
        model: e.model,
        temperature: String(e.params.temperature),
        top_p: String(e.params.top_p),
        num_predict: String(e.params.num_predict),
      });
      const metrics = Object.fromEntries(run.data.metrics!.map((m) => [m.key, m.value]));
      assert.equal(metrics.latency_s, (500 + i) / 1000);
      assert.equal(metrics.tokens, e.completion_tokens);
      assert.equal(metrics.prompt_tokens, e.prompt_tokens);
      assert.equal(metrics.response_length, e.response_chars);
      assert.equal(metrics.tokens_per_s, e.tokens_per_s);
      assert.equal(metrics.success, e.status === "success" ? 1 : 0);
      assert.equal(metrics.ttft_s, e.ttft_ms === null ? undefined : e.ttft_ms / 1000);
    }

    // Replay: reset the group to the earliest offset and run the sink again.
    await admin.resetOffsets({ groupId: group, topic, earliest: true });
    const replay = await runSink();
    await waitFor(() => replay.skippedCount >= 25, "the replay to skip all 25");
    await replay.stop();
    assert.equal(replay.createdCount, 0);
    assert.equal((await mlflow.searchAllRuns({ experiment_ids: [experimentId] })).length, 25);

    const dead = (await readTopic(kafka, TOPICS.dlq, { lastNPerPartition: 100 }))
      .map((m) => JSON.parse(m.value!.toString()))
      .filter((d) => d.source_topic === topic);
    assert.ok(dead.length >= 1);
    assert.match(dead[0].reason, /invalid JSON/);
    assert.equal(atob(dead[0].original_base64), "{ this is not a response");

    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  },
});

Deno.test({
  name: "after a backlog, a call done again adds no second run (the chunk's range holds 100 runs)",
  ...INTEGRATION,
  fn: async () => {
    const config = integrationConfig();
    const kafka = createKafka(config.kafka.brokers, "sink-test");
    const admin = kafka.admin();
    await admin.connect();
    const topic = uniqueName("sink-backlog");
    await createTopicsReady(admin, [topic], 1);
    const producer = new EventProducer(kafka);
    await producer.connect();
    const mlflow = new MlflowClient(config.mlflow.uri);
    const options = {
      kafka,
      dlq: producer,
      mlflow,
      experiment: uniqueName("sink-backlog"),
      groupId: uniqueName("sink-backlog-group"),
      topic,
      chunkSize: 10,
    };
    const t0 = 1_800_000_000_000;
    // 100 requests sent at t0, answered one second apart: the backlog of an outage.
    const first = Array.from(
      { length: 100 },
      (_, i) =>
        sampleResponse({
          ts: t0,
          ts_start: t0 + 1_000 * (i + 1),
          ts_end: t0 + 1_000 * (i + 1) + 500,
        }),
    );
    for (const e of first) await producer.send(topic, e.request_id, e);
    await producer.flush();
    const sink = new MlflowSink(options);
    await sink.start();
    await waitFor(() => sink.loggedCount === 100, "100 runs logged");
    await sink.stop();

    // The first request answered again later (a worker stopped before committing), and two new
    // ones: one chunk whose time range, from t0, holds all 100 earlier runs.
    const again = { ...first[0], ts_start: t0 + 200_000, ts_end: t0 + 200_500 };
    const fresh = [1, 2].map((i) =>
      sampleResponse({ ts: t0, ts_start: t0 + 200_000 + i, ts_end: t0 + 200_500 + i })
    );
    for (const e of [again, ...fresh]) await producer.send(topic, e.request_id, e);
    await producer.flush();
    const resumed = new MlflowSink(options);
    await resumed.start();
    await waitFor(() => resumed.createdCount + resumed.skippedCount >= 3, "the three responses");
    await resumed.stop();
    assert.equal(resumed.createdCount, 2, "only the two new requests got runs");
    const runs = await mlflow.searchAllRuns({ experiment_ids: [resumed.experimentId!] });
    assert.equal(runs.length, 102);
    assert.equal(runs.filter((r) => tagOf(r, "request_id") === first[0].request_id).length, 1);

    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  },
});
