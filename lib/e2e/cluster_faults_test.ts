/**
 * The scale-out profile under faults, as real processes on a private stack of its own: a
 * three-node Kafka cluster (replication 3, min ISR 2) and MLflow on PostgreSQL, two standalone
 * LLM workers (`deno task worker`), a standalone gateway (`deno task gateway`) and a dashboard
 * pipeline that runs no worker (`LLMOPS_WORKERS=0`: the MLflow sink, drift, ingest).
 *
 * - A stream of requests through the workers and calls through the gateway (the OpenAI SDK),
 *   while one Kafka node is killed with SIGKILL and restarted 20 s later, and one worker process
 *   is killed mid-call: every sent request gets a response, every gateway call an answer and a
 *   response event, each request id exactly one MLflow run (on PostgreSQL), and every consumer
 *   group's lag returns to 0 (none stalls).
 * - PostgreSQL stopped for 30 s: MLflow answers errors, the sink retries, every run is logged
 *   after.
 *
 * `LLMOPS_CLUSTER_STREAM_COUNT` sets the stream's size: 500 by default, so that the suite stays
 * in its time on two cores (every call goes through the model); `2000` is the full size,
 * about 20 minutes here while the other suites run.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import { LlmClient } from "../client/llm_client.ts";
import { groupMembers } from "../consumers/mod.ts";
import type { RequestInput } from "../events/mod.ts";
import { consumerLag, createKafka, GROUPS, TOPICS } from "../kafka/mod.ts";
import { MlflowClient } from "../mlflow/mod.ts";
import { freePort } from "../stack/free_port.ts";
import { delay } from "../stack/process.ts";
import { INTEGRATION, waitFor } from "../stack/testing.ts";
import { StreamJob } from "../stream/engine.ts";
import { Pipeline } from "../../server/pipeline.ts";
import { type PrivateStack, startPrivateStack } from "./_private_stack.ts";
import { responsesById, runsById, traceRequests, waitIdle } from "./_pipeline_checks.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DATASETS = `${ROOT}datasets`;
const STREAM_COUNT = Number(Deno.env.get("LLMOPS_CLUSTER_STREAM_COUNT") ?? 500);
const STREAM_RATE = 25;
const GATEWAY_CALLS = Math.max(20, Math.round(STREAM_COUNT / 20));
const KAFKA_NODE_DOWN_MS = 20_000;
const POSTGRES_DOWN_MS = 30_000;
const SHORT = ["Say OK.", "Reply with OK.", "Answer OK."];

/** A child process of the test, with its output kept for messages. */
interface Child {
  name: string;
  process: Deno.ChildProcess;
  output(): string;
  exited(): boolean;
  status: Promise<Deno.CommandStatus>;
}

function spawn(name: string, args: string[], env: Record<string, string>): Child {
  const process = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", ...args],
    cwd: ROOT,
    env: { ...env, LLMOPS_KAFKA_LOG: "nothing" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  let done = false;
  const pump = async (stream: ReadableStream<Uint8Array<ArrayBuffer>>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) text += chunk;
  };
  const pumps = Promise.all([pump(process.stdout), pump(process.stderr)]).catch(() => {});
  const status = process.status.then(async (s) => {
    done = true;
    await pumps;
    return s;
  });
  return { name, process, output: () => text, exited: () => done, status };
}

async function stopChild(child: Child, signal: Deno.Signal = "SIGTERM"): Promise<number> {
  if (!child.exited()) {
    try {
      child.process.kill(signal);
    } catch { /* already gone */ }
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      try {
        child.process.kill("SIGKILL");
      } catch { /* already gone */ }
      resolve();
    }, 60_000);
  });
  await Promise.race([child.status, killed]);
  clearTimeout(timer);
  return (await child.status).code;
}

Deno.test({
  name: "the cluster profile loses and doubles nothing when a Kafka node and a worker are killed",
  ...INTEGRATION,
  fn: async (t) => {
    const t0 = Date.now();
    const stack: PrivateStack = await startPrivateStack({
      kafkaNodes: 3,
      mlflowDb: "postgresql",
    });
    console.log(`cluster stack up in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    const config = stack.config;
    const env = stack.serviceEnv;
    const kafka = createKafka(config.kafka.brokers, "cluster-faults-test");
    const admin = kafka.admin();
    const mlflow = new MlflowClient(config.mlflow.uri);
    const children: Child[] = [];
    let pipeline: Pipeline | null = null;
    let client: LlmClient | null = null;
    try {
      await admin.connect();
      const workers = ["cluster-worker-1", "cluster-worker-2"].map((id) =>
        spawn(id, ["lib/consumers/worker_cli.ts"], { ...env, LLMOPS_WORKER_ID: id })
      );
      const gatewayPort = freePort();
      const gateway = spawn("gateway", ["server/gateway_main.ts"], {
        ...env,
        LLMOPS_GATEWAY_PORT: String(gatewayPort),
      });
      children.push(...workers, gateway);
      for (const child of children) {
        await waitFor(
          () => /consuming llm\.requests|gateway: http/.test(child.output()) || child.exited(),
          `${child.name} to start`,
          180_000,
        );
        assert.ok(!child.exited(), `${child.name} exited:\n${child.output()}`);
      }
      pipeline = await Pipeline.start({
        config,
        port: freePort(),
        workers: 0,
        datasetsDir: DATASETS,
      });
      client = await LlmClient.connect({ config, source: "test", clientId: "cluster-client" });
      await waitFor(
        async () => (await groupMembers(admin, GROUPS.worker)).length === 2,
        "both workers in the llm-worker group",
      );
      const health = await pipeline.health();
      assert.equal(health.kafka.nodes?.length, 3, JSON.stringify(health.kafka));
      assert.equal(health.mlflow.backend, "postgresql");
      assert.deepEqual(
        health.workers.map((w) => [w.id, w.local]).sort(),
        [["cluster-worker-1", false], ["cluster-worker-2", false]],
      );

      await t.step(
        "a Kafka node and a worker killed mid-stream: nothing lost or doubled",
        async () => {
          const c = client!;
          const sent: string[] = [];
          const job = new StreamJob({
            client: {
              submit: async (input: RequestInput) => {
                const request = await c.submit(input);
                sent.push(request.request_id);
                return request;
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
            // every call is answered within minutes even with a node and a worker down: a
            // request still unanswered after 15 was lost (the failure says where)
            timeoutS: 900,
          });
          const timeline: string[] = [];
          const at = (what: string) => timeline.push(`${what} ${new Date().toISOString()}`);
          at("stream started");
          const streaming = job.start();
          const openai = new OpenAI({
            baseURL: `http://127.0.0.1:${gatewayPort}/v1`,
            apiKey: "none",
          });
          const gatewayIds: string[] = [];
          const gatewayErrors: string[] = [];
          const calling = (async () => {
            for (let i = 0; i < GATEWAY_CALLS; i++) {
              try {
                const { data, response } = await openai.chat.completions.create({
                  model: config.ollama.model,
                  messages: [{ role: "user", content: SHORT[i % SHORT.length] }],
                  max_tokens: 1,
                  temperature: 0,
                }).withResponse();
                assert.equal(data.object, "chat.completion");
                gatewayIds.push(response.headers.get("x-request-id")!);
              } catch (error) {
                gatewayErrors.push((error as Error).message);
              }
              await delay(STREAM_COUNT / STREAM_RATE * 1000 / GATEWAY_CALLS);
            }
          })();

          await waitFor(() => job.status().sent >= STREAM_COUNT * 0.25, "25% sent", 300_000);
          const killedPid = await stack.killKafkaNode(2, "SIGKILL");
          const killedAt = Date.now();
          at("kafka node 2 killed");
          console.log(`kafka node 2 (pid ${killedPid}) killed at ${job.status().sent} sent`);
          // the dashboard's health report (and so its sidebar) shows the node down
          await waitFor(
            async () =>
              (await pipeline!.health()).kafka.nodes?.find((n) => n.id === 2)?.healthy === false,
            "/api/health shows kafka node 2 down",
            30_000,
          );
          await waitFor(() => job.status().sent >= STREAM_COUNT * 0.5, "50% sent", 300_000);
          const victim = workers[0];
          const inFlightBefore = job.status().in_flight;
          const workerCode = await stopChild(victim, "SIGKILL");
          at(`${victim.name} killed`);
          console.log(
            `worker ${victim.name} killed (exit ${workerCode}) with ${inFlightBefore} requests awaiting answers`,
          );
          await delay(Math.max(0, KAFKA_NODE_DOWN_MS - (Date.now() - killedAt)));
          await stack.restartKafkaNode(2);
          at("kafka node 2 restarted");
          console.log(`kafka node 2 back after ${((Date.now() - killedAt) / 1000).toFixed(1)} s`);
          await waitFor(
            async () => (await pipeline!.health()).kafka.nodes?.every((n) => n.healthy) === true,
            "/api/health shows all three nodes up again",
            60_000,
          );

          const summary = await streaming;
          await calling;
          assert.equal(summary.sent, STREAM_COUNT);
          if (summary.failed > 0) {
            // say which hop lost the answer: the request, the worker's response, the listener
            const ids = summary.failures.slice(0, 5).map((f) => f.request_id ?? "");
            assert.fail(
              `${summary.failed} of ${STREAM_COUNT} requests failed: ` +
                `${JSON.stringify(summary.failures.slice(0, 5))}\n` +
                `timeline: ${timeline.join(", ")}\n` +
                `where they went:\n${await traceRequests(kafka, ids.filter(Boolean))}\n` +
                `worker 2's output (last 3,000 characters):\n${workers[1].output().slice(-3_000)}`,
            );
          }
          assert.equal(summary.succeeded, STREAM_COUNT);
          assert.deepEqual(gatewayErrors, [], "every gateway call was answered");
          assert.equal(gatewayIds.length, GATEWAY_CALLS);

          await waitIdle(admin, "the worker and the sink to catch up", 900_000);
          const onTopic = await responsesById(kafka);
          const missing = [...sent, ...gatewayIds].filter((id) => !onTopic.has(id));
          assert.deepEqual(
            missing.slice(0, 5),
            [],
            `${missing.length} requests without a response`,
          );
          const gatewayEvents = gatewayIds.map((id) => onTopic.get(id)![0]);
          assert.ok(gatewayEvents.every((e) => e.source === "gateway"));
          const runs = await runsById(mlflow, config.mlflow.experiment);
          const notOne = [...sent, ...gatewayIds].filter((id) => (runs.get(id)?.length ?? 0) !== 1);
          assert.deepEqual(
            notOne.slice(0, 5).map((id) => `${id}: ${runs.get(id)?.length ?? 0} runs`),
            [],
            `${notOne.length} requests without exactly one MLflow run`,
          );
          const duplicates = [...onTopic.values()].filter((list) => list.length > 1).length;
          console.log(
            `${sent.length} streamed + ${gatewayIds.length} gateway calls; ${duplicates} answered ` +
              "twice on the topic (at-least-once), one MLflow run each",
          );
          for (
            const [group, topic] of [
              [GROUPS.worker, TOPICS.requests],
              [GROUPS.mlflowSink, TOPICS.responses],
              [GROUPS.driftMonitor, TOPICS.responses],
            ]
          ) {
            await waitFor(
              async () => (await consumerLag(admin, group, topic)).lag === 0,
              `${group} to reach lag 0 (no group stalls)`,
              120_000,
            );
          }
        },
      );

      await t.step(
        "PostgreSQL stopped for 30 s: the sink retries and logs every run after",
        async () => {
          const c = client!;
          await stack.stop("postgres");
          const stoppedAt = Date.now();
          const ids: string[] = [];
          for (let i = 0; i < 30; i++) {
            const request = await c.submit({
              prompt: SHORT[i % SHORT.length],
              params: { num_predict: 1, temperature: 0 },
            });
            ids.push(request.request_id);
          }
          await Promise.all(ids.map((id) => c.awaitResponse(id, { timeoutMs: 300_000 })));
          await waitFor(
            async () => (await pipeline!.health()).consumers.some((g) => g.retrying),
            "the sink to be retrying while MLflow's database is down",
            POSTGRES_DOWN_MS,
          );
          await delay(Math.max(0, POSTGRES_DOWN_MS - (Date.now() - stoppedAt)));
          await stack.start("postgres");
          await waitIdle(admin, "the sink to log the runs after PostgreSQL is back", 300_000);
          const runs = await runsById(mlflow, config.mlflow.experiment);
          assert.deepEqual(ids.filter((id) => runs.get(id)?.length !== 1), []);
        },
      );

      const gatewayCode = await stopChild(gateway);
      assert.equal(gatewayCode, 143, gateway.output());
      assert.equal(await stopChild(workers[1]), 143, workers[1].output());
    } finally {
      await client?.close().catch(() => {});
      await pipeline?.stop().catch(() => {});
      for (const child of children) await stopChild(child, "SIGKILL").catch(() => {});
      await admin.disconnect().catch(() => {});
      await stack.down();
    }
  },
});
