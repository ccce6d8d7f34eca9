/**
 * The MLflow sink against the real Kafka and MLflow: the mapping, DLQ, replay safety, the sampling
 * policy and the minute runs.
 */
import assert from "node:assert/strict";
import { createKafka, EventProducer, readTopic, TOPICS } from "../kafka/mod.ts";
import {
  ExperimentTotals,
  minuteStart,
  MlflowClient,
  requestIdUnit,
  runContribution,
  tagOf,
} from "../mlflow/mod.ts";
import type { ResponseEvent } from "../events/mod.ts";
import { MlflowSink } from "./mlflow_sink.ts";
import { sampleResponse } from "../events/testing.ts";
import {
  createTopicsReady,
  INTEGRATION,
  integrationConfig,
  uniqueName,
  waitFor,
} from "../stack/testing.ts";

/** What a response that timed out has in place of an answer. */
const TIMED_OUT = {
  status: "error" as const,
  error: { type: "timeout" as const, message: "slow" },
  response: "",
  ttft_ms: null,
};

/** A Kafka client, its admin and a producer, and a fresh topic; `close` deletes the topic. */
async function sinkTestbed(name: string, partitions = 3) {
  const config = integrationConfig();
  const kafka = createKafka(config.kafka.brokers, "sink-test");
  const admin = kafka.admin();
  await admin.connect();
  const topic = uniqueName(name);
  await createTopicsReady(admin, [topic], partitions);
  const producer = new EventProducer(kafka);
  await producer.connect();
  const close = async () => {
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  };
  return { config, kafka, admin, topic, producer, close };
}

Deno.test({
  name: "the sink logs one run per response as DESIGN.md maps it, and a replay adds none",
  ...INTEGRATION,
  fn: async () => {
    const { config, kafka, admin, topic, producer, close } = await sinkTestbed("sink-test");
    const events = Array.from({ length: 25 }, (_, i) =>
      sampleResponse({
        ts_start: 1_800_000_000_000 + i * 1000,
        ts_end: 1_800_000_000_500 + i * 1000,
        latency_ms: 500 + i,
        ...(i % 5 === 4 ? TIMED_OUT : {}),
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

    await close();
  },
});

Deno.test({
  name: "after a backlog, a call done again adds no second run (the chunk's range holds 100 runs)",
  ...INTEGRATION,
  fn: async () => {
    const { config, kafka, topic, producer, close } = await sinkTestbed("sink-backlog", 1);
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

    await close();
  },
});

Deno.test({
  name:
    "sampled: runs only for the picked request ids and every error; one minute run per minute and model counts all; a replay writes none again",
  ...INTEGRATION,
  fn: async () => {
    const { config, kafka, admin, topic, producer, close } = await sinkTestbed("sink-sample");
    // Three past minutes, two models: windows that close as soon as the topic is read.
    const t0 = minuteStart(Date.now() - 3_600_000);
    const events = Array.from({ length: 60 }, (_, i) =>
      sampleResponse({
        ts: t0 + i * 3_000,
        ts_start: t0 + i * 3_000,
        ts_end: t0 + i * 3_000 + 400 + i,
        latency_ms: 400 + i,
        model: i % 2 === 0 ? "model-a" : "model-b",
        prompt_tokens: 5 + i,
        completion_tokens: i % 9,
        cost_usd: 0.0001 * i,
        ...(i % 7 === 3
          ? { status: "error" as const, error: { type: "timeout" as const, message: "slow" } }
          : {}),
      }));
    for (const e of events) await producer.send(topic, e.request_id, e);
    await producer.send(topic, events[5].request_id, events[5]); // a second delivery
    await producer.flush();

    const mlflow = new MlflowClient(config.mlflow.uri);
    const experiment = uniqueName("sink-sample");
    const options = {
      kafka,
      dlq: producer,
      mlflow,
      experiment,
      groupId: uniqueName("sink-sample-group"),
      topic,
      chunkSize: 10,
      runs: "sample:0.4",
    };
    const picked = events.filter((e) => e.status === "error" || requestIdUnit(e.request_id) < 0.4);
    assert.ok(picked.length > 10 && picked.length < 50, `a sample of ${picked.length}`);
    const windows = new Map<string, ResponseEvent[]>();
    for (const e of events) {
      const key = `${e.model} ${minuteStart(e.ts_end)}`;
      windows.set(key, [...(windows.get(key) ?? []), e]);
    }

    const sink = new MlflowSink(options);
    await sink.start();
    await waitFor(() => sink.loggedCount === picked.length, `${picked.length} sampled runs`);
    await waitFor(
      () => sink.minuteRuns!.writtenCount === windows.size,
      `${windows.size} minute runs`,
    );
    // every delivery the policy passes over, the second one of events[5] included
    const passedOver = [...events, events[5]].filter((e) => !picked.includes(e)).length;
    await waitFor(() => sink.sampledOutCount === passedOver, "the others to be passed over");
    const status = sink.status();
    assert.equal(status.policy, "sample:0.4");
    assert.equal(status.sampled_out, passedOver);
    assert.equal(status.minute_runs?.open_windows, 0);
    await sink.stop();

    const runs = await mlflow.searchAllRuns({ experiment_ids: [sink.experimentId!] });
    assert.deepEqual(
      runs.map((r) => tagOf(r, "request_id")).sort(),
      picked.map((e) => e.request_id).sort(),
    );
    const minuteRuns = await mlflow.searchAllRuns({
      experiment_ids: [sink.minuteRuns!.experimentId!],
    });
    assert.equal(minuteRuns.length, windows.size);
    for (const run of minuteRuns) {
      const members = windows.get(`${tagOf(run, "model")} ${run.info.start_time}`);
      assert.ok(members, `a minute run of no window: ${run.info.run_name}`);
      const m = Object.fromEntries(run.data.metrics!.map((x) => [x.key, x.value]));
      assert.equal(run.info.status, "FINISHED");
      assert.equal(run.info.end_time, run.info.start_time! + 60_000);
      assert.equal(m.requests, members.length);
      assert.equal(m.failed, members.filter((e) => e.status === "error").length);
      assert.equal(m.prompt_tokens, members.reduce((a, e) => a + e.prompt_tokens, 0));
      assert.equal(m.completion_tokens, members.reduce((a, e) => a + e.completion_tokens, 0));
      assert.ok(Math.abs(m.cost_usd - members.reduce((a, e) => a + e.cost_usd!, 0)) < 1e-12);
      assert.equal(m.latency_max_s, Math.max(...members.map((e) => e.latency_ms / 1000)));
      assert.equal(m.per_call_runs, members.filter((e) => picked.includes(e)).length);
    }

    // Replay both groups from the start: no second run, per call or per minute.
    await admin.resetOffsets({ groupId: options.groupId, topic, earliest: true });
    await admin.resetOffsets({ groupId: `${options.groupId}-minutes`, topic, earliest: true });
    const replay = new MlflowSink(options);
    await replay.start();
    await waitFor(() => replay.skippedCount >= picked.length, "the replay to skip the runs");
    await waitFor(
      () => replay.minuteRuns!.alreadyWrittenCount === windows.size,
      "the replay to find every minute run",
    );
    await replay.stop();
    assert.equal(replay.createdCount, 0);
    assert.equal(replay.minuteRuns!.writtenCount, 0);
    assert.equal(
      (await mlflow.searchAllRuns({ experiment_ids: [sink.minuteRuns!.experimentId!] })).length,
      windows.size,
    );

    await close();
  },
});

Deno.test({
  name:
    "run totals kept from the sink's reports, counted again while it logs, equal every run read",
  ...INTEGRATION,
  fn: async () => {
    const { config, kafka, topic, producer, close } = await sinkTestbed("sink-totals-test");
    const now = Date.now();
    const events = Array.from({ length: 150 }, (_, i) =>
      sampleResponse({
        ts_start: now - 60_000 + i * 100,
        ts_end: now - 59_000 + i * 100,
        latency_ms: 200 + 7 * i,
        completion_tokens: i % 40,
        ...(i % 6 === 5 ? TIMED_OUT : {}),
      }));
    for (const e of events) await producer.send(topic, e.request_id, e);
    await producer.flush();

    const mlflow = new MlflowClient(config.mlflow.uri);
    let sink: MlflowSink | null = null;
    // small pages and a slow sink, so the counts read while runs are being created
    const totals = new ExperimentTotals({
      mlflow,
      experimentId: () => Promise.resolve(sink!.experimentId!),
      pageSize: 20,
    });
    sink = new MlflowSink({
      kafka,
      dlq: producer,
      mlflow,
      experiment: uniqueName("sink-totals-test"),
      groupId: uniqueName("sink-totals-group"),
      topic,
      chunkSize: 10,
      concurrency: 2,
      minuteRuns: false,
      onLogged: (logged) => totals.add(logged),
    });
    await sink.start();
    let counts = 0;
    while (sink.loggedCount < events.length) {
      await totals.recount();
      counts++;
    }
    await sink.stop();
    assert.ok(counts >= 2, `${counts} counts while the sink logged`);

    const runs = await mlflow.searchAllRuns({ experiment_ids: [sink.experimentId!] });
    assert.equal(runs.length, events.length);
    const read = runs.map(runContribution);
    const kept = (await totals.summary())!;
    assert.equal(kept.total_runs, events.length);
    assert.equal(kept.successful_runs, read.filter((c) => c.finished).length);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(Math.abs(kept.avg_latency_s! - mean(read.map((c) => c.latencyS))) < 1e-9);
    assert.ok(Math.abs(kept.avg_tokens! - mean(read.map((c) => c.tokens))) < 1e-9);
    await totals.recount();
    assert.equal((await totals.summary())!.total_runs, events.length, "a last count agrees");

    await close();
  },
});
