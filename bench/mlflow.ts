/**
 * MLflow: runs logged per second by the sink (`MlflowSink`: a consumer of a topic of the
 * benchmark's own; runs/create with tags + one runs/log-batch + runs/update per run, the
 * partitions side by side sharing a pool of 16 runs in flight, a replay check per chunk) against
 * MLflow's own Python client logging the same runs the way the seed did: one `mlflow.start_run`,
 * one `log_param` / `log_metric` / `set_tag` call each, `end_run`. Both write to the same tracking
 * server, each into a fresh experiment.
 *
 * The server is one of the benchmark's own, started the way the stack starts its own (SQLite in
 * WAL mode, the stack's worker count, no job runner), so the figures measure the stack's
 * settings and a running stack is left alone; with `MLFLOW_TRACKING_URI` set, that server is
 * used instead. `runs_per_s_postgresql` repeats the sink's run against a private server on
 * PostgreSQL (`LLMOPS_MLFLOW_DB=postgresql`).
 *
 * The sink's clock starts once it has joined its consumer group and stops when the last run is
 * complete; the Python clock starts after imports and experiment creation and stops after the
 * last `end_run`.
 *
 * @module
 */

import { createKafka, EventProducer } from "../lib/kafka/mod.ts";
import { MlflowSink } from "../lib/consumers/mod.ts";
import { MlflowClient, responseToRun } from "../lib/mlflow/mod.ts";
import type { ResponseEvent } from "../lib/events/mod.ts";
import { pythonPaths } from "../lib/stack/python_env.ts";
import { type BenchContext } from "./_context.ts";
import { benchResponse, seededRandom } from "./_data.ts";
import { createTopic, deleteTopics, produceEvents, uniqueName } from "./_kafka.ts";
import { groupCpuSeconds, startPrivateMlflow } from "./_private_mlflow.ts";
import { runPythonJson } from "./_python.ts";
import { type Figures } from "./_results.ts";
import { waitFor } from "./_wait.ts";

const NAIVE = String.raw`
import json, sys, time, warnings
warnings.filterwarnings("ignore")
import mlflow

uri, experiment, path = sys.argv[1:4]
mlflow.set_tracking_uri(uri)
experiment_id = mlflow.create_experiment(experiment)
runs = json.load(open(path))
t0 = time.perf_counter()
for r in runs:
    mlflow.start_run(experiment_id=experiment_id, run_name=r["run_name"])
    for p in r["params"]:
        mlflow.log_param(p["key"], p["value"])
    for m in r["metrics"]:
        mlflow.log_metric(m["key"], m["value"], step=0, timestamp=m["timestamp"])
    for t in r["tags"]:
        mlflow.set_tag(t["key"], t["value"])
    mlflow.end_run(status=r["status"])
seconds = time.perf_counter() - t0
logged = len(mlflow.search_runs(experiment_ids=[experiment_id], max_results=100000))
mlflow.delete_experiment(experiment_id)
print(json.dumps({"seconds": seconds, "runs": len(runs), "logged": logged}))
`;

async function deleteExperiment(uri: string, experimentId: string): Promise<void> {
  await fetch(`${uri}/api/2.0/mlflow/experiments/delete`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ experiment_id: experimentId }),
  }).then((r) => r.body?.cancel()).catch(() => {});
}

/** Runs the sink over the topic against one server; its runs/s and the server's CPU per run. */
async function sinkRate(
  ctx: BenchContext,
  uri: string,
  serverPid: number | null,
  topic: string,
  n: number,
): Promise<{ rate: number; cpuMsPerRun: number | null }> {
  const kafka = createKafka(ctx.config.kafka.brokers, "bench-mlflow");
  const producer = new EventProducer(kafka);
  await producer.connect();
  const sink = new MlflowSink({
    kafka,
    dlq: producer,
    mlflow: new MlflowClient(uri),
    experiment: uniqueName("sink"),
    groupId: uniqueName("mlflow-sink"),
    topic,
    runs: "all",
    minuteRuns: false,
  });
  try {
    await sink.start();
    const cpu0 = serverPid === null ? 0 : groupCpuSeconds(serverPid);
    const t0 = performance.now();
    const done = await waitFor(() => sink.loggedCount >= n, 600_000, 5);
    const seconds = (performance.now() - t0) / 1000;
    if (!done) throw new Error(`the sink logged ${sink.loggedCount} of ${n} runs in 10 minutes`);
    const cpu = serverPid === null ? null : (groupCpuSeconds(serverPid) - cpu0) * 1000 / n;
    return { rate: n / seconds, cpuMsPerRun: cpu };
  } finally {
    await sink.stop().catch(() => {});
    await producer.disconnect().catch(() => {});
    if (sink.experimentId) await deleteExperiment(uri, sink.experimentId);
  }
}

/** Runs the MLflow benchmark. */
export async function benchMlflow(ctx: BenchContext): Promise<Partial<Figures["mlflow"]>> {
  const n = ctx.quick ? 200 : 1_000;
  // The seed's way takes about 0.2 s per run: a sample of the runs gives its rate.
  const naiveN = ctx.quick ? 100 : 300;
  const kafka = createKafka(ctx.config.kafka.brokers, "bench-mlflow");
  const topic = uniqueName("mlflow");
  await createTopic(kafka, topic, 3);
  const random = seededRandom(11);
  const now = Date.now();
  const events: ResponseEvent[] = [];
  for (let i = 0; i < n; i++) {
    const e = benchResponse(i, random);
    const latency = e.ts_end - e.ts_start;
    e.ts = now + i;
    e.ts_start = now + i + 1;
    e.ts_end = e.ts_start + latency;
    events.push(e);
  }
  const figures: Partial<Figures["mlflow"]> = {};
  const notes: string[] = [];
  try {
    await produceEvents(kafka, topic, n, (i) => events[i]);
    const external = ctx.config.mlflow.external;
    ctx.log(`mlflow: ${external ? "the external" : "a private"} tracking server on SQLite`);
    const server = external ? null : await startPrivateMlflow(ctx.config, "sqlite", ctx.log);
    const uri = server?.config.mlflow.uri ?? ctx.config.mlflow.uri;
    try {
      ctx.log(`mlflow: sink logging ${n} runs`);
      const sink = await sinkRate(ctx, uri, server?.pid ?? null, topic, n);
      ctx.log(`mlflow: sink ${sink.rate.toFixed(1)} runs/s; MLflow's Python client, one call each`);
      const runsFile = `${ctx.tempDir}/mlflow_runs.json`;
      await Deno.writeTextFile(
        runsFile,
        JSON.stringify(events.slice(0, naiveN).map(responseToRun)),
      );
      const cpu0 = server ? groupCpuSeconds(server.pid) : 0;
      const naive = await runPythonJson<{ seconds: number; runs: number; logged: number }>(
        pythonPaths(ctx.config).python,
        ctx.tempDir,
        "mlflow_naive.py",
        NAIVE,
        [uri, uniqueName("naive"), runsFile],
        { MLFLOW_TRACKING_URI: uri, GIT_PYTHON_REFRESH: "quiet" },
      );
      const naiveCpu = server ? (groupCpuSeconds(server.pid) - cpu0) * 1000 / naiveN : null;
      if (naive.logged !== naiveN) {
        throw new Error(`the Python client logged ${naive.logged} of ${naiveN} runs`);
      }
      const naiveRate = naiveN / naive.seconds;
      ctx.log(`mlflow: Python client ${naiveRate.toFixed(1)} runs/s`);
      figures.runs_per_s = sink.rate;
      figures.naive_runs_per_s = naiveRate;
      figures.ratio = sink.rate / naiveRate;
      const workers = server?.config.mlflow.workers;
      notes.push(
        `SQLite${
          workers ? ` (WAL, ${workers} worker${workers === 1 ? "" : "s"})` : " (external)"
        }: ` +
          `sink ${n} runs, seed's way ${naiveN} runs` +
          (sink.cpuMsPerRun !== null && naiveCpu !== null
            ? `; server CPU ${sink.cpuMsPerRun.toFixed(1)} ms per run for the sink's 3 requests, ` +
              `${naiveCpu.toFixed(1)} ms for the seed's 18`
            : ""),
      );
    } finally {
      await server?.stop();
    }

    if (external) {
      ctx.note(
        "mlflow.runs_per_s_postgresql",
        "not measured: MLFLOW_TRACKING_URI names an external server",
      );
    } else {
      try {
        ctx.log("mlflow: a private tracking server on PostgreSQL");
        const pg = await startPrivateMlflow(ctx.config, "postgresql", ctx.log);
        try {
          const sink = await sinkRate(ctx, pg.config.mlflow.uri, pg.pid, topic, n);
          ctx.log(`mlflow: sink on PostgreSQL ${sink.rate.toFixed(1)} runs/s`);
          figures.runs_per_s_postgresql = sink.rate;
          notes.push(
            `PostgreSQL (${pg.config.mlflow.workers} workers): sink ${n} runs` +
              (sink.cpuMsPerRun === null
                ? ""
                : `; tracking server CPU ${
                  sink.cpuMsPerRun.toFixed(1)
                } ms per run (PostgreSQL's own not counted)`),
          );
        } finally {
          await pg.stop();
        }
      } catch (error) {
        const reason = (error as Error).message;
        ctx.log(`mlflow: PostgreSQL not measured: ${reason}`);
        ctx.note("mlflow.runs_per_s_postgresql", `not measured: ${reason}`);
      }
    }
  } finally {
    await deleteTopics(kafka, [topic]);
  }
  notes.push(
    `load average ${
      Deno.loadavg()[0].toFixed(1)
    } on ${navigator.hardwareConcurrency} cores at the end`,
  );
  ctx.note("mlflow", notes.join("; "));
  return figures;
}
