/**
 * MLflow: runs logged per second by the sink (`MlflowSink`: a consumer of a topic of the
 * benchmark's own, runs/create + runs/log-batch + runs/update, 8 runs at once, replay check per
 * chunk) against MLflow's own Python client logging the same runs the way the seed did: one
 * `mlflow.start_run`, one `log_param` / `log_metric` / `set_tag` call each, `end_run`. Both
 * write to the same tracking server, each into a fresh experiment (deleted afterwards).
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

/** Runs the MLflow benchmark. */
export async function benchMlflow(ctx: BenchContext): Promise<Partial<Figures["mlflow"]>> {
  const n = ctx.quick ? 100 : 1_000;
  const uri = ctx.config.mlflow.uri;
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
  await produceEvents(kafka, topic, n, (i) => events[i]);
  const mlflow = new MlflowClient(uri);
  const experiment = uniqueName("sink");
  const producer = new EventProducer(kafka);
  await producer.connect();
  const sink = new MlflowSink({
    kafka,
    dlq: producer,
    mlflow,
    experiment,
    groupId: uniqueName("mlflow-sink"),
    topic,
  });
  let sinkSeconds: number;
  try {
    ctx.log(`mlflow: sink logging ${n} runs`);
    await sink.start();
    const t0 = performance.now();
    const done = await waitFor(() => sink.loggedCount >= n, 600_000, 5);
    sinkSeconds = (performance.now() - t0) / 1000;
    if (!done) throw new Error(`the sink logged ${sink.loggedCount} of ${n} runs in 10 minutes`);
  } finally {
    await sink.stop().catch(() => {});
    await producer.disconnect().catch(() => {});
    await deleteTopics(kafka, [topic]);
    if (sink.experimentId) await deleteExperiment(uri, sink.experimentId);
  }
  const sinkRate = n / sinkSeconds;
  ctx.log(`mlflow: sink ${sinkRate.toFixed(1)} runs/s; MLflow's Python client, one call each`);

  const runsFile = `${ctx.tempDir}/mlflow_runs.json`;
  await Deno.writeTextFile(runsFile, JSON.stringify(events.map(responseToRun)));
  const naive = await runPythonJson<{ seconds: number; runs: number; logged: number }>(
    pythonPaths(ctx.config).python,
    ctx.tempDir,
    "mlflow_naive.py",
    NAIVE,
    [uri, uniqueName("naive"), runsFile],
    { MLFLOW_TRACKING_URI: uri, GIT_PYTHON_REFRESH: "quiet" },
  );
  if (naive.logged !== n) throw new Error(`the Python client logged ${naive.logged} of ${n} runs`);
  const naiveRate = n / naive.seconds;
  ctx.log(`mlflow: Python client ${naiveRate.toFixed(1)} runs/s`);
  return { runs_per_s: sinkRate, naive_runs_per_s: naiveRate, ratio: sinkRate / naiveRate };
}
