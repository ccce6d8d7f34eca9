/** serve's settings from the environment. */
import assert from "node:assert/strict";
import { WORKER_CONCURRENCY } from "../lib/consumers/llm_worker.ts";
import { serverSettings } from "./main.ts";

Deno.test("serve's workers take LLMOPS_WORKER_CONCURRENCY as deno task worker does, and bad values are refused", () => {
  assert.equal(serverSettings({}).workerConcurrency, WORKER_CONCURRENCY);
  assert.equal(serverSettings({ LLMOPS_WORKER_CONCURRENCY: "4" }).workerConcurrency, 4);
  for (const bad of ["0", "65", "two", "1.5"]) {
    assert.throws(
      () => serverSettings({ LLMOPS_WORKER_CONCURRENCY: bad }),
      /LLMOPS_WORKER_CONCURRENCY/,
      bad,
    );
  }
});
