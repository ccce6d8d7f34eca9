/**
 * The Auto Streaming tab's API on the real stack: a stream started and stopped through
 * POST /api/stream/start and /api/stream/stop reports the progress that the requests and
 * responses on Kafka bear out, as the CLI's summary does.
 */
import assert from "node:assert/strict";
import { createKafka, readTopic } from "../lib/kafka/mod.ts";
import { readResponses } from "../lib/consumers/mod.ts";
import { createTestTopics, INTEGRATION, integrationConfig, waitFor } from "../lib/stack/testing.ts";
import { createApp } from "./app.ts";
import { Pipeline } from "./pipeline.ts";

const DATASETS = new URL("../datasets", import.meta.url).pathname;

Deno.test({
  name: "a stream started and stopped through the API reports what Kafka holds for its job",
  ...INTEGRATION,
  fn: async () => {
    const config = integrationConfig();
    const port = 50_000 + Math.floor(Math.random() * 10_000);
    const kafka = createKafka(config.kafka.brokers, "stream-api-test");
    const { topics, cleanup } = await createTestTopics(kafka, ["requests", "responses"]);
    const pipeline = await Pipeline.start({
      config,
      port,
      workers: 1,
      datasetsDir: DATASETS,
      topics,
    });
    const app = createApp(pipeline, {
      assets: { script: () => Promise.resolve(""), styles: () => Promise.resolve("") },
    });
    const post = (path: string, body?: unknown) =>
      app.request(path, {
        method: "POST",
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    try {
      const started = await post("/api/stream/start", {
        file: "quick_test.json",
        delay_s: 0.3,
        loop: true,
        // short answers, and no more requests waiting than the worker serves at once: the stop
        // then drains two short calls instead of dozens of long ones queued in Ollama
        max_tokens: 8,
        concurrency: 2,
      });
      assert.equal(started.status, 200);
      const first = await started.json();
      assert.equal(first.state, "running");
      assert.equal(first.total_planned, null, "a looping stream has no planned total");
      await waitFor(
        async () => (await (await app.request("/api/stream/status")).json()).succeeded >= 3,
        "3 answered requests",
        240_000,
      );
      const stopped = await (await post("/api/stream/stop")).json();
      assert.ok(["stopping", "finished"].includes(stopped.state), stopped.state);
      await waitFor(
        async () => (await (await app.request("/api/stream/status")).json()).state === "finished",
        "the stream to finish",
        120_000,
      );
      const status = await (await app.request("/api/stream/status")).json();
      assert.equal(status.stop_reason, "stopped");
      assert.equal(status.in_flight, 0);
      assert.equal(status.succeeded + status.failed + status.abandoned, status.sent);

      // What the job reports is what Kafka holds for it.
      const requests = (await readTopic(kafka, topics.requests))
        .map((m) => JSON.parse(m.value!.toString()))
        .filter((r) => r.tags?.stream_job === status.job_id);
      assert.equal(requests.length, status.sent);
      assert.ok(requests.every((r) => r.source === "stream" && r.dataset === "quick_test"));
      const ids = new Set(requests.map((r) => r.request_id));
      const responses = (await readResponses(kafka, { topic: topics.responses })).events
        .filter((r) => ids.has(r.request_id));
      const answered = new Set(responses.map((r) => r.request_id));
      // Failures include requests whose response did not come in time, so only an upper bound.
      assert.ok(answered.size <= status.succeeded + status.failed);
      const succeeded = new Set(
        responses.filter((r) => r.status === "success").map((r) => r.request_id),
      );
      // Every success the job counted is on the topic; a response that came after the job gave
      // up on it counts as a failure for the job but is a success on the topic.
      assert.ok(status.succeeded <= succeeded.size, `${status.succeeded} > ${succeeded.size}`);
      assert.ok(succeeded.size <= status.succeeded + status.failed);
    } finally {
      await pipeline.stop();
      await cleanup();
    }
  },
});
