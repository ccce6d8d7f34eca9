/** ExperimentTotals against an in-memory double of MLflow's run search (the logic only). */
import assert from "node:assert/strict";
import { sampleResponse } from "../events/testing.ts";
import type { ResponseEvent } from "../events/mod.ts";
import type { MlflowRun, SearchRunsRequest } from "./client.ts";
import { responseToRun } from "./mapping.ts";
import {
  ExperimentTotals,
  responseContribution,
  type RunsSearchApi,
  type RunsSummary,
} from "./experiment_totals.ts";

/** A run as the sink leaves it in MLflow. */
function runOf(event: ResponseEvent, id: string): MlflowRun {
  const record = responseToRun(event);
  return {
    info: {
      run_id: id,
      run_name: record.run_name,
      experiment_id: "1",
      status: record.status,
      start_time: record.start_time,
      end_time: record.end_time,
    },
    data: { metrics: record.metrics, params: record.params, tags: record.tags },
  } as MlflowRun;
}

/**
 * A double of `runs/search` over an in-memory list, oldest first, paged by offset as MLflow
 * pages; `beforePage` runs before each page is answered (a sink logging meanwhile).
 */
class SearchDouble implements RunsSearchApi {
  runs: MlflowRun[] = [];
  searches = 0;
  beforePage: (page: number) => void | Promise<void> = () => {};
  fail: Error | null = null;

  log(event: ResponseEvent): void {
    this.runs.push(runOf(event, `run-${this.runs.length}`));
    this.runs.sort((a, b) => Number(a.info.start_time) - Number(b.info.start_time));
  }

  async searchRuns(request: SearchRunsRequest) {
    const page = this.searches++;
    await this.beforePage(page);
    if (this.fail) throw this.fail;
    assert.deepEqual(request.order_by, ["attributes.start_time ASC"]);
    const from = Number(request.page_token ?? 0);
    const size = request.max_results ?? 1000;
    const runs = this.runs.slice(from, from + size);
    const next = from + size < this.runs.length ? String(from + size) : undefined;
    return { runs, next_page_token: next };
  }
}

const T0 = 1_800_000_000_000;
const response = (i: number, overrides: Partial<ResponseEvent> = {}) =>
  sampleResponse({
    ts_start: T0 + i * 1000,
    ts_end: T0 + i * 1000 + 500,
    latency_ms: 100 * (i + 1),
    completion_tokens: i,
    ...overrides,
  });

/** The totals a full read of the double's runs gives. */
function expected(runs: MlflowRun[]) {
  const metric = (r: MlflowRun, k: string) => r.data.metrics?.find((m) => m.key === k)?.value ?? 0;
  const n = runs.length;
  return {
    total_runs: n,
    avg_latency_s: n ? runs.reduce((s, r) => s + metric(r, "latency_s"), 0) / n : null,
    avg_tokens: n ? runs.reduce((s, r) => s + metric(r, "tokens"), 0) / n : null,
    successful_runs: runs.filter((r) => r.info.status === "FINISHED").length,
  };
}

function near(actual: RunsSummary | null, wanted: ReturnType<typeof expected>) {
  assert.ok(actual, "a summary");
  assert.equal(actual.total_runs, wanted.total_runs);
  assert.equal(actual.successful_runs, wanted.successful_runs);
  assert.ok(Math.abs((actual.avg_latency_s ?? 0) - (wanted.avg_latency_s ?? 0)) < 1e-9);
  assert.ok(Math.abs((actual.avg_tokens ?? 0) - (wanted.avg_tokens ?? 0)) < 1e-9);
}

Deno.test("the totals count every page of runs once, then add what the sink logs", async () => {
  const mlflow = new SearchDouble();
  for (let i = 0; i < 25; i++) {
    mlflow.log(response(i, i % 4 === 3 ? { status: "error", response: "", ttft_ms: null } : {}));
  }
  let counted = 0;
  const totals = new ExperimentTotals({
    mlflow,
    experimentId: () => Promise.resolve("1"),
    pageSize: 10,
    onCounted: () => counted++,
  });
  near(await totals.summary(5_000), expected(mlflow.runs));
  assert.equal(mlflow.searches, 3, "three pages of 10");
  assert.equal(counted, 1);

  const more = [response(30), response(31, { status: "error", response: "", ttft_ms: null })];
  for (const e of more) mlflow.log(e);
  totals.add(more);
  near(await totals.summary(), expected(mlflow.runs));
  assert.equal(mlflow.searches, 3, "no search for runs the sink reported");
});

Deno.test("a run the sink logs while the count reads is counted once, whether the count saw it or not", async () => {
  const mlflow = new SearchDouble();
  for (let i = 0; i < 30; i++) mlflow.log(response(i));
  const totals = new ExperimentTotals({
    mlflow,
    experimentId: () => Promise.resolve("1"),
    pageSize: 10,
    now: () => T0 + 100_000,
  });
  // Before page 1: one run is created (the count will see it on its last page) and reported
  // at once; before page 2: one is created and reported only after the count has ended; one
  // is an old request done again (start time among the first page, which the count has read).
  const late = response(40);
  mlflow.beforePage = (page) => {
    if (page === 1) {
      const seen = response(35);
      mlflow.log(seen);
      totals.add([seen]);
      const replayed = response(0.5);
      mlflow.log(replayed);
      totals.add([replayed]);
    }
    if (page === 2) mlflow.log(late);
  };
  const counting = totals.recount();
  await counting;
  totals.add([late]);
  near(await totals.summary(), expected(mlflow.runs));
  assert.equal(mlflow.runs.length, 33);
});

Deno.test("the first ask waits at most as long as it says, and gets null while MLflow is slow", async () => {
  const mlflow = new SearchDouble();
  mlflow.log(response(1));
  let release!: () => void;
  const slow = new Promise<void>((resolve) => release = resolve);
  mlflow.beforePage = () => slow;
  const totals = new ExperimentTotals({ mlflow, experimentId: () => Promise.resolve("1") });
  const started = performance.now();
  assert.equal(await totals.summary(50), null);
  assert.ok(performance.now() - started < 5_000, "the ask does not wait for the count");
  release();
  await totals.recount();
  assert.equal((await totals.summary())?.total_runs, 1);
});

Deno.test("an old count is answered at once and recounted in the background; a failed count is tried again", async () => {
  let now = T0;
  const mlflow = new SearchDouble();
  mlflow.log(response(1));
  const errors: string[] = [];
  const totals = new ExperimentTotals({
    mlflow,
    experimentId: () => Promise.resolve("1"),
    recountMs: 60_000,
    now: () => now,
    onError: (e) => errors.push(e.message),
  });
  mlflow.fail = new Error("MLflow unreachable");
  assert.equal(await totals.summary(1_000), null);
  assert.deepEqual(errors, ["MLflow unreachable"]);
  mlflow.fail = null;
  const first = await totals.summary(1_000);
  assert.equal(first?.total_runs, 1);
  assert.equal(first?.counted_at, new Date(T0).toISOString());

  mlflow.log(response(2)); // logged by another writer: only a recount sees it
  now += 30_000;
  assert.equal((await totals.summary())?.total_runs, 1, "a fresh count is not redone");
  const searches = mlflow.searches;
  now += 31_000;
  let release!: () => void;
  mlflow.beforePage = () => new Promise<void>((resolve) => release = resolve);
  assert.equal((await totals.summary(1_000))?.total_runs, 1, "the old totals, not a wait");
  assert.equal(mlflow.searches, searches + 1, "a recount started");
  release();
  await totals.recount();
  const recounted = await totals.summary();
  assert.equal(recounted?.total_runs, 2);
  assert.equal(recounted?.counted_at, new Date(now).toISOString());
});

Deno.test("runs the sink reports during a count that fails are kept in the earlier totals", async () => {
  const mlflow = new SearchDouble();
  mlflow.log(response(1));
  const totals = new ExperimentTotals({
    mlflow,
    experimentId: () => Promise.resolve("1"),
    onError: () => {},
  });
  await totals.recount();
  const during = response(2);
  mlflow.beforePage = () => {
    mlflow.log(during);
    totals.add([during]);
    mlflow.fail = new Error("MLflow unreachable");
  };
  await assert.rejects(totals.recount(), /MLflow unreachable/);
  near(await totals.summary(), expected(mlflow.runs));
});

Deno.test("a response's contribution is its run's latency in seconds, tokens and status", () => {
  assert.deepEqual(responseContribution(response(2)), {
    latencyS: 0.3,
    tokens: 2,
    finished: true,
  });
  assert.equal(
    responseContribution(response(2, { status: "error", response: "", ttft_ms: null })).finished,
    false,
  );
});
