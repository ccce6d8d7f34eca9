import assert from "node:assert/strict";
import { LOG_BATCH_LIMITS, MlflowClient, MlflowError, splitLogBatch } from "./client.ts";
import { integrationConfig, uniqueName } from "../stack/testing.ts";

Deno.test("log-batch data is split to MLflow's per-request limits, nothing lost", () => {
  const metrics = Array.from(
    { length: 2500 },
    (_, i) => ({ key: `m${i}`, value: i, timestamp: 0 }),
  );
  const params = Array.from({ length: 150 }, (_, i) => ({ key: `p${i}`, value: "v" }));
  const batches = splitLogBatch({ metrics, params });
  for (const b of batches) {
    assert.ok(b.metrics.length <= LOG_BATCH_LIMITS.metrics);
    assert.ok(b.params.length <= LOG_BATCH_LIMITS.params);
    assert.ok(b.metrics.length + b.params.length + b.tags.length <= LOG_BATCH_LIMITS.total);
  }
  assert.equal(batches.flatMap((b) => b.metrics).length, 2500);
  assert.equal(batches.flatMap((b) => b.params).length, 150);
  assert.deepEqual(splitLogBatch({}), []);
});

Deno.test("a tracking URI without a scheme is refused with what was found", () => {
  assert.throws(
    () => new MlflowClient("127.0.0.1:5000"),
    /must start with http:\/\/ or https:\/\/, found "127.0.0.1:5000"/,
  );
});

Deno.test("experiments are got or created once, runs are created, logged, updated and searched page by page", async () => {
  const { mlflow: config } = integrationConfig();
  const mlflow = new MlflowClient(config.uri);
  const name = uniqueName("client-test");
  assert.equal(await mlflow.getExperimentId(name), null);
  const id = await mlflow.getOrCreateExperiment(name);
  assert.equal(await mlflow.getOrCreateExperiment(name), id);
  const runIds: string[] = [];
  for (let i = 0; i < 5; i++) {
    const run = await mlflow.createRun({
      experiment_id: id,
      run_name: `r${i}`,
      start_time: 1000 + i,
      tags: [{ key: "n", value: String(i) }],
    });
    const requests = await mlflow.logBatch(run.info.run_id, {
      metrics: Array.from(
        { length: 1200 },
        (_, k) => ({ key: "series", value: k, timestamp: 1000, step: k }),
      ),
      params: [{ key: "i", value: String(i) }],
    });
    assert.equal(requests, 2);
    await mlflow.updateRun(run.info.run_id, "FINISHED", 2000 + i);
    runIds.push(run.info.run_id);
  }
  const read = await mlflow.getRun(runIds[0]);
  assert.equal(read.info.status, "FINISHED");
  assert.equal(read.info.end_time, 2000);
  const page = await mlflow.searchRuns({
    experiment_ids: [id],
    max_results: 2,
    order_by: ["attributes.start_time ASC"],
  });
  assert.equal(page.runs.length, 2);
  assert.ok(page.next_page_token);
  const all = await mlflow.searchAllRuns({
    experiment_ids: [id],
    max_results: 2,
    order_by: ["attributes.start_time ASC"],
  });
  assert.deepEqual(all.map((r) => r.info.run_id), runIds);
  assert.equal(mlflow.uiUrl(id, runIds[0]), `${config.uri}/#/experiments/${id}/runs/${runIds[0]}`);
});

Deno.test("an MLflow refusal carries its status, body and error code", async () => {
  const { mlflow: config } = integrationConfig();
  const mlflow = new MlflowClient(config.uri);
  await assert.rejects(mlflow.getRun("0123456789abcdef0123456789abcdef"), (error: unknown) => {
    assert.ok(error instanceof MlflowError);
    assert.equal(error.status, 404);
    assert.equal(error.errorCode, "RESOURCE_DOES_NOT_EXIST");
    assert.equal(error.transient, false);
    return true;
  });
  const unreachable = new MlflowClient("http://127.0.0.1:1", { timeoutMs: 2000 });
  await assert.rejects(unreachable.getExperimentId("x"), (error: unknown) => {
    assert.ok(error instanceof MlflowError);
    assert.equal(error.status, 0);
    assert.equal(error.transient, true);
    return true;
  });
});

Deno.test("a run search is retried once after a server error, and a second error is thrown", async () => {
  // A double of MLflow's runs/search that fails the first `failures` calls with a 500.
  let failures = 1;
  let calls = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    calls++;
    return failures-- > 0
      ? new Response('{"error_code":"INTERNAL_ERROR"}', { status: 500 })
      : Response.json({ runs: [] });
  });
  try {
    const mlflow = new MlflowClient(`http://127.0.0.1:${server.addr.port}`);
    assert.deepEqual(await mlflow.searchRuns({ experiment_ids: ["1"] }), {
      runs: [],
      next_page_token: undefined,
    });
    assert.equal(calls, 2);
    failures = 2;
    calls = 0;
    await assert.rejects(mlflow.searchRuns({ experiment_ids: ["1"] }), /answered 500/);
    assert.equal(calls, 2, "retried once, not more");
  } finally {
    await server.shutdown();
  }
});

Deno.test("a run search that gets no answer in time is tried once more", async () => {
  // A double of MLflow's runs/search that answers the first call only after the client's timeout.
  let calls = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async () => {
    calls++;
    if (calls === 1) await new Promise((resolve) => setTimeout(resolve, 400));
    return Response.json({ runs: [] });
  });
  try {
    const mlflow = new MlflowClient(`http://127.0.0.1:${server.addr.port}`, { timeoutMs: 150 });
    assert.deepEqual((await mlflow.searchRuns({ experiment_ids: ["1"] })).runs, []);
    assert.equal(calls, 2);
  } finally {
    await server.shutdown();
  }
});
