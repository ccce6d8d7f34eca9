/**
 * Faults injected into real services: a private stack (its own Kafka, MLflow and Ollama on free
 * ports, see `_private_stack.ts`) runs the server's pipeline while its services are stopped and
 * started again, so the suite's shared stack is never disturbed.
 *
 * - Kafka stopped for 20 s in the middle of a 2,000-request stream: every request the stream
 *   reported as sent has exactly one distinct response on `llm.responses` and exactly one MLflow
 *   run; the producer buffers and retries, the consumers resume from their committed offsets.
 * - MLflow stopped for 30 s: the sink retries with backoff (its lag and `retrying` show in the
 *   health report meanwhile) and logs every run once MLflow is back.
 * - Ollama stopped mid-stream: requests in flight and those that follow are recorded as failures
 *   with their error type, the success rate shows it, and later requests succeed on their own.
 * - The dashboard's pipeline restarted: totals, charts and the response stream come back from
 *   Kafka.
 *
 * The steps share the private stack and run in order; each checks only its own request ids.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { LlmClient } from "../client/llm_client.ts";
import type { RequestInput } from "../events/mod.ts";
import { consumerLag, createKafka, EventProducer, GROUPS, TOPICS } from "../kafka/mod.ts";
import { sampleResponse } from "../events/testing.ts";
import { MetricsAggregator, type MetricsSnapshot } from "../metrics/mod.ts";
import { MlflowClient, type RunsSummary } from "../mlflow/mod.ts";
import { freePort } from "../stack/free_port.ts";
import { delay } from "../stack/process.ts";
import { INTEGRATION, waitFor } from "../stack/testing.ts";
import { StreamJob, type StreamSummary } from "../stream/engine.ts";
import { Pipeline } from "../../server/pipeline.ts";
import { type PrivateStack, startPrivateStack } from "./_private_stack.ts";
import { responsesById, runsById, waitIdle } from "./_pipeline_checks.ts";

const DATASETS = fileURLToPath(new URL("../../datasets", import.meta.url));
const SHORT = ["Say OK.", "Reply with OK.", "Answer OK."];
/**
 * Requests of the stream (LLMOPS_FAULTS_STREAM_COUNT, default 2,000). All go through the real
 * model, so the step takes as long as the worker needs for them (minutes on two cores).
 */
const STREAM_COUNT = Number(Deno.env.get("LLMOPS_FAULTS_STREAM_COUNT") ?? 2_000);
const STREAM_RATE = 20;
const KAFKA_DOWN_MS = 20_000;
const MLFLOW_DOWN_MS = 30_000;

/** The parts of a snapshot that do not depend on the order responses arrived in. */
function orderFree(s: MetricsSnapshot) {
  return {
    total: s.total,
    succeeded: s.succeeded,
    failed: s.failed,
    success_rate: s.success_rate,
    avg_latency_s: round(s.avg_latency_s),
    avg_tokens: round(s.avg_tokens),
    avg_tokens_per_s: round(s.avg_tokens_per_s),
    errors_by_type: s.errors_by_type,
    per_model: Object.keys(s.per_model).sort(),
    window_size: s.window_size,
    latency_s: s.latency_s,
    ttft_s: s.ttft_s,
    token_histogram: s.token_histogram,
    response_length_histogram: s.response_length_histogram,
    latency_trend: s.latency_trend.map((p) => p.latency_s).sort((a, b) => a - b),
    first_ts: s.first_ts,
    last_ts: s.last_ts,
  };
}

function round(x: number | null): number | null {
  return x === null ? null : Math.round(x * 1e9) / 1e9;
}

Deno.test({
  name: "faults on a private stack: Kafka, MLflow and Ollama outages and a dashboard restart",
  ...INTEGRATION,
  fn: async (t) => {
    const t0 = Date.now();
    const timings: Record<string, number> = {};
    const stack: PrivateStack = await startPrivateStack();
    timings.stack_up_s = (Date.now() - t0) / 1000;
    const config = stack.config;
    const kafka = createKafka(config.kafka.brokers, "faults-test");
    const admin = kafka.admin();
    const mlflow = new MlflowClient(config.mlflow.uri);
    const port = freePort();
    let pipeline: Pipeline | null = null;
    let client: LlmClient | null = null;
    try {
      await admin.connect();
      pipeline = await Pipeline.start({
        config,
        port,
        workers: 2,
        workerConcurrency: 2,
        datasetsDir: DATASETS,
      });
      client = await LlmClient.connect({ config, source: "test", clientId: "faults-client" });

      await t.step(
        "Kafka stopped for 20 s mid-stream: one response and one MLflow run per sent request",
        async () => {
          const started = Date.now();
          const sent: string[] = [];
          const submitErrors: string[] = [];
          const c = client!;
          const job = new StreamJob({
            client: {
              submit: async (input: RequestInput) => {
                try {
                  const request = await c.submit(input);
                  sent.push(request.request_id);
                  return request;
                } catch (error) {
                  submitErrors.push((error as Error).message);
                  throw error;
                }
              },
              awaitResponse: (id, options) => c.awaitResponse(id, options),
            },
            entries: SHORT,
            loop: true,
            count: STREAM_COUNT,
            rate: STREAM_RATE,
            concurrency: STREAM_COUNT,
            maxTokens: 1,
            temperature: 0,
            timeoutS: 1_800,
          });
          const finished = job.start();
          await waitFor(
            () => job.status().sent >= STREAM_COUNT * 0.3,
            "30% of the stream sent",
            120_000,
          );
          const sentBefore = job.status().sent;
          await stack.stop("kafka");
          const stoppedAt = Date.now();
          await delay(KAFKA_DOWN_MS - (Date.now() - stoppedAt));
          const sentWhileDown = job.status().sent - sentBefore;
          const acknowledgedWhileDown = sent.length;
          await stack.start("kafka");
          const restartedAt = Date.now();
          console.log(
            `kafka: down ${((restartedAt - stoppedAt) / 1000).toFixed(1)} s; ${sentWhileDown} ` +
              `requests sent meanwhile; ${
                job.status().sent - acknowledgedWhileDown
              } awaiting Kafka`,
          );
          assert.ok(sentWhileDown > 0, "the stream went on while Kafka was down");

          await waitFor(
            () => sent.length + submitErrors.length >= STREAM_COUNT,
            "every submit to settle",
            240_000,
          );
          assert.deepEqual(submitErrors, [], "no submit failed: the producer buffered and retried");
          assert.equal(sent.length, STREAM_COUNT);
          await waitIdle(admin, "the worker and the sink to catch up", 900_000);

          // The topic: every sent request has a response; duplicates are possible (at least once).
          const onTopic = await responsesById(kafka);
          const missing = sent.filter((id) => !onTopic.has(id));
          assert.deepEqual(missing, [], "every sent request has a response event");
          const events = sent.reduce((n, id) => n + onTopic.get(id)!.length, 0);
          const duplicates = events - sent.length;
          // Consumers resume from their committed offsets: duplicates are bounded by the
          // uncommitted chunks at the outage, far from a replay of the topic.
          assert.ok(duplicates <= 100, `${duplicates} duplicate responses: a replay?`);

          // MLflow: exactly one run per request id.
          const runs = await runsById(mlflow, config.mlflow.experiment);
          const notOne = sent.filter((id) => runs.get(id)?.length !== 1);
          assert.deepEqual(
            notOne.map((id) => `${id}: ${runs.get(id)?.length ?? 0} runs`).slice(0, 10),
            [],
            "exactly one MLflow run per request",
          );
          const successes = sent.filter((id) => onTopic.get(id)![0].status === "success").length;

          // The stream saw its responses too (or they are counted as timeouts/abandoned).
          const summary: StreamSummary = await Promise.race([
            finished,
            delay(30_000).then(() => job.stop({ abandon: true })),
          ]);
          timings.kafka_step_s = (Date.now() - started) / 1000;
          console.log(
            `kafka: ${sent.length} sent, ${events} response events (${duplicates} duplicates), ` +
              `${successes} successes, ${runs.size} request ids with runs; stream saw ` +
              `${summary.succeeded} succeeded, ${summary.failed} failed ` +
              `${JSON.stringify(summary.failed_by_type)}, ${summary.abandoned} abandoned; ` +
              `${timings.kafka_step_s} s`,
          );
          assert.equal(successes, STREAM_COUNT, "every call succeeded");
          assert.equal(summary.succeeded, STREAM_COUNT, "the client received every response");
        },
      );

      await t.step(
        "MLflow stopped for 30 s: the sink retries, its lag shows, every run is logged after",
        async () => {
          await waitIdle(admin, "the pipeline to be idle", 300_000);
          const started = Date.now();
          const p = pipeline!;
          await stack.stop("mlflow");
          const stoppedAt = Date.now();
          const requests = [];
          for (let i = 0; i < 20; i++) {
            requests.push(
              await client!.submit({
                prompt: SHORT[i % 3],
                params: { num_predict: 1, temperature: 0 },
              }),
            );
          }
          const ids = requests.map((r) => r.request_id);
          await Promise.all(ids.map((id) => client!.awaitResponse(id, { timeoutMs: 60_000 })));
          // While MLflow is down: the sink's group lags, and the health report says it retries.
          let seen:
            | { lag: number | null; retrying: boolean; last_error: string | null }
            | undefined;
          await waitFor(
            async () => {
              const health = await p.health();
              seen = health.consumers.find((c) => c.group === GROUPS.mlflowSink);
              return health.mlflow.healthy === false && (seen?.lag ?? 0) > 0 && seen!.retrying;
            },
            "the sink's lag and retrying to show in the health report",
            25_000,
          );
          assert.ok(seen!.last_error, "the health report says why");
          const sinkHealth = (await p.health()).sink;
          assert.equal(sinkHealth?.policy, "all", "the sink's policy shows in the health report");
          assert.ok((sinkHealth?.lag ?? 0) > 0 && sinkHealth?.retrying, "and its lag and retrying");
          const lagWhileDown = seen!.lag;
          assert.ok(Date.now() - stoppedAt < MLFLOW_DOWN_MS, "seen while MLflow was still down");
          await delay(MLFLOW_DOWN_MS - (Date.now() - stoppedAt));
          // Still retrying after 30 s: nothing was given up or dead-lettered.
          const stillRetrying = (await p.health()).consumers.find((c) =>
            c.group === GROUPS.mlflowSink
          );
          assert.equal(stillRetrying?.retrying, true);
          await stack.start("mlflow");
          const back = Date.now();
          await waitIdle(admin, "the sink to catch up after MLflow is back", 120_000);
          const caughtUp = Date.now();
          const runs = await runsById(mlflow, config.mlflow.experiment);
          for (const id of ids) {
            assert.equal(runs.get(id)?.length, 1, `one run for ${id}`);
            assert.equal(runs.get(id)![0].info.status, "FINISHED");
          }
          const after = (await p.health()).consumers.find((c) => c.group === GROUPS.mlflowSink);
          assert.equal(after?.retrying, false);
          assert.equal(after?.lag, 0);
          timings.mlflow_step_s = (Date.now() - started) / 1000;
          console.log(
            `mlflow: down ${((back - stoppedAt) / 1000).toFixed(1)} s, sink lag ${lagWhileDown} ` +
              `while down (${seen!.last_error?.slice(0, 80)}), all ${ids.length} runs logged ` +
              `${((caughtUp - back) / 1000).toFixed(1)} s after MLflow was back`,
          );
        },
      );

      await t.step(
        "a call done again (a worker stopped before committing) adds no second MLflow run",
        async () => {
          await waitIdle(admin, "the pipeline to be idle", 300_000);
          // The same request answered twice, the second time 90 s later, as a worker that
          // stopped after producing but before committing would answer it again.
          const ts = Date.now();
          const request_id = crypto.randomUUID();
          const first = sampleResponse({ request_id, ts, ts_start: ts + 10, ts_end: ts + 60 });
          const again = sampleResponse({
            request_id,
            ts,
            ts_start: ts + 90_000,
            ts_end: ts + 90_050,
            worker_id: "worker-after-restart",
          });
          const producer = new EventProducer(kafka);
          await producer.connect();
          try {
            await producer.send(TOPICS.responses, request_id, first);
            await waitFor(
              async () => (await runsById(mlflow, config.mlflow.experiment)).has(request_id),
              "the first run",
              60_000,
            );
            await producer.send(TOPICS.responses, request_id, again);
          } finally {
            await producer.disconnect();
          }
          await waitIdle(admin, "the sink to read the second response", 60_000);
          const runs = (await runsById(mlflow, config.mlflow.experiment)).get(request_id)!;
          assert.equal(runs.length, 1, "one run for a request answered twice");
          assert.equal(runs[0].info.start_time, ts + 10);
        },
      );

      await t.step(
        "Ollama stopped mid-stream: failures with their type, then recovery by itself",
        async () => {
          await waitIdle(admin, "the pipeline to be idle", 300_000);
          const started = Date.now();
          const p = pipeline!;
          const c = client!;
          const tokensOf = new Set<string>();
          const unsubscribe = p.subscribe((event) => {
            if (event.type === "token") tokensOf.add(event.data.request_id);
          });
          const ask = (input: RequestInput) => c.submit(input).then((r) => r.request_id);
          const long: string[] = [];
          for (let i = 0; i < 4; i++) {
            long.push(
              await ask({
                prompt: "Write a long story about a dragon who learns to cook.",
                params: { num_predict: 400, temperature: 0.7 },
              }),
            );
          }
          await waitFor(
            () => long.some((id) => tokensOf.has(id)),
            "a long answer to stream",
            60_000,
          );
          unsubscribe();
          const streaming = long.filter((id) => tokensOf.has(id));
          await stack.stop("ollama");
          const during: string[] = [];
          for (let i = 0; i < 6; i++) {
            during.push(await ask({ prompt: SHORT[i % 3], params: { num_predict: 1 } }));
          }
          const failedPhase = await Promise.all(
            [...long, ...during].map((id) => c.awaitResponse(id, { timeoutMs: 60_000 })),
          );
          await stack.start("ollama");
          const after: string[] = [];
          for (let i = 0; i < 6; i++) {
            after.push(await ask({ prompt: SHORT[i % 3], params: { num_predict: 1 } }));
          }
          const recovered = await Promise.all(
            after.map((id) => c.awaitResponse(id, { timeoutMs: 120_000 })),
          );

          const byId = new Map(failedPhase.map((r) => [r.request_id, r]));
          for (const id of streaming) {
            const r = byId.get(id)!;
            assert.equal(r.status, "error", `in flight ${id}`);
            assert.ok(
              ["broken_stream", "connection_refused"].includes(r.error!.type),
              `in flight: ${JSON.stringify(r.error)}`,
            );
          }
          for (const id of [...long, ...during]) {
            const r = byId.get(id)!;
            assert.equal(r.status, "error", `${id}: ${r.status}`);
            assert.ok(
              ["broken_stream", "connection_refused"].includes(r.error!.type),
              JSON.stringify(r.error),
            );
          }
          for (const id of during) assert.equal(byId.get(id)!.error!.type, "connection_refused");
          for (const r of recovered) assert.equal(r.status, "success", JSON.stringify(r.error));

          // The success rate shows it.
          const metrics = new MetricsAggregator();
          for (const r of [...failedPhase, ...recovered]) metrics.add(r);
          const snapshot = metrics.snapshot();
          assert.equal(snapshot.total, 16);
          assert.equal(snapshot.succeeded, 6);
          assert.equal(snapshot.success_rate, 6 / 16);
          const errors = snapshot.errors_by_type;
          assert.equal((errors.connection_refused ?? 0) + (errors.broken_stream ?? 0), 10);
          assert.ok((errors.connection_refused ?? 0) >= 6);
          // and so does the dashboard's own aggregate
          await waitFor(
            () => (p.metrics().errors_by_type.connection_refused ?? 0) >= 6,
            "the dashboard to count the failures",
            30_000,
          );
          assert.ok(p.metrics().success_rate! < 1);
          timings.ollama_step_s = (Date.now() - started) / 1000;
          console.log(
            `ollama: ${streaming.length} streaming when stopped; errors ${
              JSON.stringify(errors)
            }; ` +
              `in flight: ${
                streaming.map((id) => byId.get(id)!.error!.type).join(", ")
              }; success rate ${snapshot.success_rate}`,
          );
        },
      );

      await t.step(
        "the dashboard restarted: totals, charts and response stream come back",
        async () => {
          const started = Date.now();
          await waitIdle(admin, "the pipeline to be idle", 120_000);
          const first = pipeline!;
          // everything on the topic has reached the first dashboard
          await waitFor(
            async () => {
              const lag = await consumerLag(admin, `dashboard-${port}`, TOPICS.responses);
              return lag.lag === 0;
            },
            "the dashboard consumer to catch up",
            60_000,
          );
          const before = first.metrics();
          const recentBefore = first.recentResponses(500);
          const runsBefore = await countedRuns(first);
          await first.stop();
          pipeline = null;
          const second = await Pipeline.start({
            config,
            port,
            workers: 2,
            workerConcurrency: 2,
            datasetsDir: DATASETS,
          });
          pipeline = second;
          await waitFor(
            () => second.metrics().total >= before.total,
            `the restarted dashboard to count ${before.total} responses`,
            120_000,
          );
          await delay(1_000);
          const after = second.metrics();
          assert.ok(before.total >= STREAM_COUNT + 37, `${before.total} responses before restart`);
          assert.deepEqual(orderFree(after), orderFree(before));
          assert.equal(after.duplicates_ignored, before.duplicates_ignored);
          const recentAfter = second.recentResponses(500);
          assert.equal(recentAfter.length, recentBefore.length);
          assert.deepEqual(
            recentAfter.map((r) => r.request_id).sort(),
            recentBefore.map((r) => r.request_id).sort(),
            "the response stream shows the same responses",
          );
          // the restarted dashboard counts the runs afresh: the same runs, the same totals
          const runsAfter = await countedRuns(second);
          assertSameTotals(runsAfter, runsBefore);
          timings.restart_step_s = (Date.now() - started) / 1000;
          console.log(
            `restart: ${after.total} responses, ${after.failed} failed, ${runsAfter.total_runs} ` +
              `runs before and after; ${timings.restart_step_s} s`,
          );
        },
      );
    } finally {
      await client?.close().catch(() => {});
      await pipeline?.stop().catch(() => {});
      await admin.disconnect().catch(() => {});
      await stack.down();
      timings.total_s = (Date.now() - t0) / 1000;
      console.log(`faults: timings ${JSON.stringify(timings)}`);
    }
  },
});

/** The pipeline's MLflow run totals, once it has counted the runs. */
async function countedRuns(pipeline: Pipeline): Promise<RunsSummary> {
  let summary: RunsSummary | null = null;
  await waitFor(
    async () => (summary = await pipeline.runsSummary()) !== null,
    "the MLflow runs to be counted",
    120_000,
  );
  return summary!;
}

/** Two run totals agree: the same counts, the same averages (to rounding: summed in another order). */
function assertSameTotals(actual: RunsSummary, expected: RunsSummary): void {
  const { counted_at: _a, avg_latency_s: la, avg_tokens: ta, ...counts } = actual;
  const { counted_at: _e, avg_latency_s: le, avg_tokens: te, ...wanted } = expected;
  assert.deepEqual(counts, wanted, "the MLflow run totals are the same");
  for (const [a, e, name] of [[la, le, "latency"], [ta, te, "tokens"]] as const) {
    assert.ok(
      a !== null && e !== null && Math.abs(a - e) <= 1e-9 * Math.max(1, Math.abs(e)),
      `the average ${name} of the runs is the same: ${a} vs ${e}`,
    );
  }
}
