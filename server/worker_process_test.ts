/**
 * `deno task worker` as a process of its own, against the real stack: it joins the worker group,
 * answers a request submitted through the dashboard's pipeline (which runs no worker of its own,
 * `workers: 0`), the dashboard's health lists it as a worker running elsewhere, and SIGTERM makes
 * it leave the group and exit with 143.
 */
import assert from "node:assert/strict";
import { workerSettings } from "../lib/consumers/worker_cli.ts";
import { serviceEnv } from "../lib/stack/config.ts";
import { freePort } from "../lib/stack/free_port.ts";
import { INTEGRATION, integrationConfig, uniqueName, waitFor } from "../lib/stack/testing.ts";
import { Pipeline } from "./pipeline.ts";

const ROOT = new URL("../", import.meta.url);

Deno.test("worker settings are checked with messages naming the variable", () => {
  assert.equal(workerSettings({}).concurrency, 2);
  assert.match(workerSettings({}).workerId, /^worker-[0-9a-f]{8}$/);
  assert.equal(workerSettings({ LLMOPS_WORKER_CONCURRENCY: "4" }).concurrency, 4);
  assert.throws(
    () => workerSettings({ LLMOPS_WORKER_CONCURRENCY: "0x2" }),
    /LLMOPS_WORKER_CONCURRENCY must be an integer from 1 to 64, found "0x2"/,
  );
  assert.throws(() => workerSettings({ LLMOPS_WORKER_CONCURRENCY: "0" }), /from 1 to 64/);
  assert.throws(() => workerSettings({ LLMOPS_WORKER_ID: "a b" }), /LLMOPS_WORKER_ID/);
});

Deno.test({
  name:
    "a standalone worker answers requests, shows on the dashboard's health and leaves on SIGTERM",
  ...INTEGRATION,
  fn: async () => {
    const config = integrationConfig();
    const workerId = uniqueName("standalone");
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", "lib/consumers/worker_cli.ts"],
      cwd: ROOT,
      env: { ...serviceEnv(config), LLMOPS_WORKER_ID: workerId, LLMOPS_KAFKA_LOG: "nothing" },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    let stderr = "";
    const reading = (async () => {
      for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) stderr += chunk;
    })();
    let pipeline: Pipeline | null = null;
    try {
      await waitFor(
        () => stderr.includes("consuming llm.requests"),
        `the worker to start:\n${stderr}`,
      );
      pipeline = await Pipeline.start({
        config,
        port: freePort(),
        workers: 0,
        datasetsDir: new URL("../datasets", import.meta.url).pathname,
      });
      const p = pipeline;
      const listed = async () => (await p.health()).workers.find((w) => w.id === workerId);
      await waitFor(async () => (await listed()) !== undefined, "the worker in the group");
      const worker = (await listed())!;
      assert.equal(worker.local, false);
      assert.equal(worker.in_flight, null, "counts are known only for workers in this process");

      const request = await p.submit({
        prompt: "Say OK.",
        params: { num_predict: 8, temperature: 0 },
        source: "test",
      });
      await waitFor(
        () => p.recentResponses(500).some((r) => r.request_id === request.request_id),
        "the response of the request",
        120_000,
      );
      const response = p.recentResponses(500).find((r) => r.request_id === request.request_id)!;
      assert.equal(response.worker_id, workerId);

      child.kill("SIGTERM");
      const status = await child.status;
      assert.equal(status.code, 143, stderr);
      await waitFor(async () => (await listed()) === undefined, "the worker to leave the group");
    } finally {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await child.status;
      await reading;
      await pipeline?.stop();
    }
  },
});
