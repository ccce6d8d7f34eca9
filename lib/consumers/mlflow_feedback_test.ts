/** The feedback logger's waiting and giving up, over an in-memory double of MLflow's REST API. */
import assert from "node:assert/strict";
import { type FeedbackItem, FeedbackRunLogger, type MlflowRunsApi } from "./mlflow_feedback.ts";
import { PendingOffsets } from "./pending_offsets.ts";
import { MlflowError, type MlflowRun } from "../mlflow/mod.ts";

/** An in-memory double of the two MLflow calls the logger makes. */
class MlflowRunsDouble implements MlflowRunsApi {
  runs = new Map<string, MlflowRun>();
  logged: { runId: string; data: unknown }[] = [];
  failWith: MlflowError | null = null;
  searches = 0;
  addRun(name: string) {
    this.runs.set(name, {
      info: { run_id: `run-${name}`, run_name: name, experiment_id: "1", status: "FINISHED" },
      data: {},
    });
  }
  searchRuns(request: { filter?: string }) {
    this.searches++;
    if (this.failWith) return Promise.reject(this.failWith);
    const name = /run_name = '([^']+)'/.exec(request.filter ?? "")?.[1] ?? "";
    const run = this.runs.get(name);
    return Promise.resolve({ runs: run ? [run] : [] });
  }
  logBatch(runId: string, data: unknown) {
    this.logged.push({ runId, data });
    return Promise.resolve(1);
  }
}

const item = (offset: string, score = 1, ts = 1_000): FeedbackItem => ({
  partition: 0,
  offset,
  event: {
    schema: "llm.feedback.v1",
    request_id: `00000000-0000-4000-8000-00000000000${offset}`,
    score,
    user_id: "ada",
    ts,
  },
});

Deno.test("feedback on an existing run is logged at once: feedback_score at its time and the feedback tag", async () => {
  const mlflow = new MlflowRunsDouble();
  const it = item("1", -1, 5_000);
  mlflow.addRun(it.event.request_id);
  const logged: FeedbackItem[] = [];
  const logger = new FeedbackRunLogger({
    mlflow,
    experimentId: "1",
    onLogged: (i) => logged.push(i),
  });
  await logger.attempt([it]);
  assert.deepEqual(logged, [it]);
  assert.deepEqual(mlflow.logged, [{
    runId: `run-${it.event.request_id}`,
    data: {
      metrics: [{ key: "feedback_score", value: -1, timestamp: 5_000, step: 0 }],
      tags: [{ key: "feedback", value: "down" }, { key: "feedback_user", value: "ada" }],
    },
  }]);
});

Deno.test("feedback given before its run exists waits with backoff and is logged once the run appears", async () => {
  let now = 10_000;
  const mlflow = new MlflowRunsDouble();
  const logged: string[] = [];
  const logger = new FeedbackRunLogger({
    mlflow,
    experimentId: "1",
    now: () => now,
    minRecheckMs: 100,
    maxRecheckMs: 400,
    onLogged: (i) => logged.push(i.offset),
  });
  const early = item("2");
  await logger.attempt([early]);
  assert.equal(logger.pendingCount, 1);
  await logger.recheck();
  assert.equal(mlflow.searches, 1, "not due yet: no second lookup");
  for (const step of [100, 200, 400, 400]) {
    now += step;
    await logger.recheck();
  }
  assert.equal(mlflow.searches, 5, "each lookup after a doubling wait, capped at 400 ms");
  mlflow.addRun(early.event.request_id);
  now += 400;
  await logger.recheck();
  assert.deepEqual(logged, ["2"]);
  assert.equal(logger.pendingCount, 0);
});

Deno.test("MLflow being down keeps feedback waiting; a refusal or a run that never comes dead-letters it", async () => {
  let now = 0;
  const mlflow = new MlflowRunsDouble();
  const failed: [string, string][] = [];
  const logger = new FeedbackRunLogger({
    mlflow,
    experimentId: "1",
    now: () => now,
    minRecheckMs: 1,
    maxWaitMs: 60_000,
    onFailed: (i, reason) => void failed.push([i.offset, reason]),
  });
  mlflow.failWith = new MlflowError(0, "connection refused", "runs/search");
  await logger.attempt([item("3", 1, 0)]);
  assert.equal(logger.isRetrying, true);
  assert.equal(logger.pendingCount, 1);
  assert.deepEqual(failed, []);
  mlflow.failWith = new MlflowError(400, '{"error_code":"INVALID_PARAMETER_VALUE"}', "runs/search");
  now += 10;
  await logger.recheck();
  assert.equal(failed.length, 1);
  assert.match(failed[0][1], /MLflow refused the feedback/);
  mlflow.failWith = null;
  await logger.attempt([item("4", 1, 0)]);
  now = 60_001;
  await logger.recheck();
  assert.equal(failed.length, 2);
  assert.match(failed[1][1], /no MLflow run for request .*4 within 60 s of the feedback/);
  assert.equal(logger.pendingCount, 0);
});

Deno.test("offsets are committed only up to the oldest message not yet finished", () => {
  const offsets = new PendingOffsets();
  assert.equal(offsets.commitPoint(0), null);
  for (const o of ["10", "11", "12"]) offsets.track(0, o);
  offsets.track(1, "3");
  offsets.done(0, "11");
  offsets.done(0, "12");
  assert.equal(offsets.commitPoint(0), "10");
  assert.equal(offsets.outstanding(), 2);
  offsets.done(0, "10");
  assert.equal(offsets.commitPoint(0), "13");
  assert.equal(offsets.commitPoint(1), "3");
  offsets.done(1, "3");
  assert.equal(offsets.commitPoint(1), "4");
  assert.deepEqual(offsets.partitions(), [0, 1]);
  offsets.clear();
  assert.equal(offsets.commitPoint(0), null);
});

Deno.test("options left undefined take the defaults, so waiting feedback is looked up again", async () => {
  let now = 0;
  const mlflow = new MlflowRunsDouble();
  const logger = new FeedbackRunLogger({
    mlflow,
    experimentId: "1",
    now: () => now,
    maxWaitMs: undefined,
    minRecheckMs: undefined,
    maxRecheckMs: undefined,
  });
  const it = item("5", 1, 0);
  await logger.attempt([it]);
  mlflow.addRun(it.event.request_id);
  now = 500; // the default first wait
  await logger.recheck();
  assert.equal(logger.loggedCount, 1);
});
