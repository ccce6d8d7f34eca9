/** Resolving the experiment at start-up, over an in-memory double of MLflow's experiment lookup. */
import assert from "node:assert/strict";
import { MlflowError } from "../mlflow/mod.ts";
import { resolveExperiment } from "./mlflow_experiment.ts";

/** Answers `getOrCreateExperiment` with the errors it is given, one per call, then an id. */
class ExperimentsDouble {
  calls: string[] = [];
  constructor(readonly failures: Error[], readonly id = "7") {}
  getOrCreateExperiment(name: string): Promise<string> {
    const error = this.failures[this.calls.length];
    this.calls.push(name);
    return error ? Promise.reject(error) : Promise.resolve(this.id);
  }
}

const unreachable = () => new MlflowError(0, "connection refused", "experiments/get-by-name");

/** Records the waits and returns at once. */
function sleepRecorder() {
  const waits: number[] = [];
  return { waits, sleep: (ms: number) => (waits.push(ms), Promise.resolve()) };
}

Deno.test("MLflow unreachable or busy at start-up: the lookup is tried again every second until it answers", async () => {
  const busy = new MlflowError(503, "starting", "experiments/get-by-name");
  const mlflow = new ExperimentsDouble([unreachable(), busy]);
  const { waits, sleep } = sleepRecorder();
  const errors: [string, number][] = [];
  const id = await resolveExperiment(mlflow, "llm-monitoring", {
    onError: (error, attempt) => errors.push([error.message, attempt]),
    sleep,
  });
  assert.equal(id, "7");
  assert.deepEqual(mlflow.calls, ["llm-monitoring", "llm-monitoring", "llm-monitoring"]);
  assert.deepEqual(errors, [[unreachable().message, 1], [busy.message, 2]]);
  assert.deepEqual(waits, [1_000, 1_000]);
});

Deno.test("a refusal (4xx) or an error that is not MLflow's is thrown at once", async () => {
  for (
    const error of [
      new MlflowError(400, '{"error_code":"INVALID_PARAMETER_VALUE"}', "experiments/create"),
      new TypeError("not a client"),
    ]
  ) {
    const mlflow = new ExperimentsDouble([error]);
    const { waits, sleep } = sleepRecorder();
    let told = 0;
    await assert.rejects(
      resolveExperiment(mlflow, "x", { onError: () => told++, sleep }),
      (thrown) => thrown === error,
    );
    assert.equal(mlflow.calls.length, 1);
    assert.equal(told, 0);
    assert.deepEqual(waits, []);
  }
});

Deno.test("after 30 transient failures the last one is thrown", async () => {
  const failures = Array.from({ length: 31 }, unreachable);
  const mlflow = new ExperimentsDouble(failures);
  const { waits, sleep } = sleepRecorder();
  const attempts: number[] = [];
  await assert.rejects(
    resolveExperiment(mlflow, "x", { onError: (_, attempt) => attempts.push(attempt), sleep }),
    (thrown) => thrown === failures[29],
  );
  assert.equal(mlflow.calls.length, 30);
  assert.deepEqual(attempts, Array.from({ length: 29 }, (_, i) => i + 1));
  assert.equal(waits.length, 29);
});
