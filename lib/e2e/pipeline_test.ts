/**
 * End to end on the real stack: the prompts of datasets/quick_test.json go in through the client
 * API, the worker calls the real model, responses come out on Kafka, the MLflow sink logs one
 * run per response with every field of DESIGN.md's mapping, and the live aggregates agree with
 * the runs. Topics and the experiment are the test's own.
 */
import assert from "node:assert/strict";
import { LlmClient } from "../client/llm_client.ts";
import { LlmWorker, MlflowSink, readResponses } from "../consumers/mod.ts";
import type { ResponseEvent } from "../events/mod.ts";
import { createKafka, EventProducer } from "../kafka/mod.ts";
import { MetricsAggregator } from "../metrics/mod.ts";
import { MlflowClient, tagOf } from "../mlflow/mod.ts";
import {
  createTestTopics,
  INTEGRATION,
  integrationConfig,
  uniqueName,
  waitFor,
} from "../stack/testing.ts";

const QUICK_TEST = new URL("../../datasets/quick_test.json", import.meta.url);

Deno.test({
  name:
    "quick_test prompts flow to real answers on Kafka, one MLflow run each, and matching aggregates",
  ...INTEGRATION,
  fn: async () => {
    const config = integrationConfig();
    const prompts =
      (JSON.parse(await Deno.readTextFile(QUICK_TEST)) as (string | { prompt: string })[])
        .map((e) => typeof e === "string" ? e : e.prompt);
    assert.equal(prompts.length, 10);
    const kafka = createKafka(config.kafka.brokers, "e2e-test");
    const { topics, cleanup } = await createTestTopics(kafka, ["requests", "responses"]);
    const producer = new EventProducer(kafka);
    await producer.connect();
    const mlflow = new MlflowClient(config.mlflow.uri);
    const experiment = uniqueName("e2e");
    const worker = new LlmWorker({
      kafka,
      producer,
      ollamaHost: config.ollama.host,
      groupId: uniqueName("e2e-worker"),
      topics,
    });
    const sink = new MlflowSink({
      kafka,
      dlq: producer,
      mlflow,
      experiment,
      groupId: uniqueName("e2e-sink"),
      topic: topics.responses,
    });
    await Promise.all([worker.start(), sink.start()]);
    const client = await LlmClient.connect({ config, kafka, producer, source: "test", topics });
    const metrics = new MetricsAggregator();
    client.onResponse((event) => metrics.add(event));

    const requests = [];
    for (const prompt of prompts) {
      requests.push(
        await client.submit({
          prompt,
          params: { num_predict: 48, temperature: 0.2 },
          dataset: "quick_test",
        }),
      );
    }
    const responses: ResponseEvent[] = await Promise.all(
      requests.map((r) => client.awaitResponse(r.request_id, { timeoutMs: 180_000 })),
    );
    await waitFor(() => sink.loggedCount >= 10, "10 runs logged", 60_000);
    await Promise.all([worker.stop(), sink.stop()]);

    // On the topic: exactly one response per request, with real text and measurements.
    const onTopic = (await readResponses(kafka, { topic: topics.responses })).events;
    assert.deepEqual(
      onTopic.map((r) => r.request_id).sort(),
      requests.map((r) => r.request_id).sort(),
    );
    for (const [i, r] of responses.entries()) {
      assert.equal(r.request_id, requests[i].request_id);
      assert.equal(r.prompt, prompts[i]);
      assert.equal(r.status, "success", JSON.stringify(r.error));
      assert.ok(r.response.trim().length > 0, "real model text");
      assert.ok(r.completion_tokens > 0 && r.prompt_tokens > 0);
      assert.ok(r.latency_ms > 0 && r.ttft_ms! > 0 && r.ttft_ms! <= r.latency_ms);
      assert.ok(r.eval_duration_ns! > 0 && r.total_duration_ns! > 0);
      assert.equal(r.response_chars, r.response.length);
    }

    // In MLflow: one run per request with every tag, param and metric.
    const runs = await mlflow.searchAllRuns({ experiment_ids: [sink.experimentId!] });
    assert.equal(runs.length, 10);
    const byRequest = new Map(runs.map((run) => [tagOf(run, "request_id"), run]));
    for (const r of responses) {
      const run = byRequest.get(r.request_id)!;
      assert.ok(run, `run for ${r.request_id}`);
      assert.equal(run.info.status, "FINISHED");
      for (const tag of ["request_id", "model", "user_id", "status", "source"]) {
        assert.ok(tagOf(run, tag), tag);
      }
      assert.deepEqual(run.data.params!.map((p) => p.key).sort(), [
        "model",
        "num_predict",
        "temperature",
        "top_p",
      ]);
      assert.deepEqual(
        run.data.metrics!.map((m) => m.key).sort(),
        [
          "latency_s",
          "prompt_tokens",
          "response_length",
          "success",
          "tokens",
          "tokens_per_s",
          "ttft_s",
        ],
      );
    }

    // The live aggregates agree with the runs.
    const snapshot = metrics.snapshot();
    const metric = (key: string) =>
      runs.map((run) => run.data.metrics!.find((m) => m.key === key)!.value);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.equal(snapshot.total, runs.length);
    assert.equal(snapshot.succeeded, runs.filter((run) => run.info.status === "FINISHED").length);
    assert.ok(Math.abs(snapshot.avg_latency_s! - mean(metric("latency_s"))) < 1e-9);
    assert.ok(Math.abs(snapshot.avg_tokens! - mean(metric("tokens"))) < 1e-9);

    await client.close();
    await producer.disconnect();
    await cleanup();
  },
});
