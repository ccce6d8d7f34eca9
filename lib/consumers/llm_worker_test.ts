/** The worker against the real Kafka and Ollama, on topics of its own. */
import assert from "node:assert/strict";
import { Partitioners } from "kafkajs";
import { createKafka, EventProducer, readTopic, TOPICS } from "../kafka/mod.ts";
import { readResponses } from "./response_reader.ts";
import type { RequestEvent } from "../events/mod.ts";
import { sampleRequest } from "../events/testing.ts";
import { MetricsAggregator } from "../metrics/mod.ts";
import { LlmWorker } from "./llm_worker.ts";
import {
  createTestTopics,
  INTEGRATION,
  integrationConfig,
  uniqueName,
  waitFor,
} from "../stack/testing.ts";

const params = { temperature: 0, top_p: 1, num_predict: 12 };

/**
 * `count` requests whose ids, used as message keys by kafkajs's default partitioner, land evenly
 * on `partitions` partitions.
 */
function requestsCoveringPartitions(
  count: number,
  partitions: number,
  make: (i: number) => RequestEvent,
): RequestEvent[] {
  const partitionOf = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));
  const perPartition = new Array(partitions).fill(0);
  const chosen: RequestEvent[] = [];
  while (chosen.length < count) {
    const request = make(chosen.length);
    const p = partitionOf({
      topic: "any",
      partitionMetadata,
      message: { key: request.request_id, value: null },
    });
    if (perPartition[p] < count / partitions) {
      perPartition[p]++;
      chosen.push(request);
    }
  }
  return chosen;
}

Deno.test({
  name: "with Ollama unreachable every request still yields an error response with its type",
  ...INTEGRATION,
  fn: async () => {
    const config = integrationConfig();
    const kafka = createKafka(config.kafka.brokers, "worker-test");
    const { topics, cleanup } = await createTestTopics(kafka, ["requests", "responses"]);
    const producer = new EventProducer(kafka);
    await producer.connect();
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const closedPort = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const worker = new LlmWorker({
      kafka,
      producer,
      ollamaHost: `http://127.0.0.1:${closedPort}`,
      groupId: uniqueName("w"),
      topics,
    });
    await worker.start();
    const requests = Array.from(
      { length: 6 },
      () => sampleRequest({ model: config.ollama.model, params }),
    );
    for (const r of requests) await producer.send(topics.requests, r.request_id, r);
    await waitFor(() => worker.stats.failed === 6, "6 error responses");
    await worker.stop();
    const responses = (await readResponses(kafka, { topic: topics.responses })).events;
    assert.deepEqual(
      responses.map((r) => r.request_id).sort(),
      requests.map((r) => r.request_id).sort(),
    );
    for (const r of responses) {
      assert.equal(r.status, "error");
      assert.equal(r.error?.type, "connection_refused");
      assert.equal(r.worker_id, worker.workerId);
    }
    const metrics = new MetricsAggregator();
    metrics.addAll(responses);
    assert.equal(metrics.snapshot().success_rate, 0);
    assert.deepEqual(metrics.snapshot().errors_by_type, { connection_refused: 6 });
    await producer.disconnect();
    await cleanup();
  },
});

Deno.test({
  name: "a malformed request goes to the DLQ and the worker goes on with the valid ones",
  ...INTEGRATION,
  fn: async () => {
    const config = integrationConfig();
    const kafka = createKafka(config.kafka.brokers, "worker-test");
    const { topics, cleanup } = await createTestTopics(kafka, ["requests", "responses"]);
    const producer = new EventProducer(kafka);
    await producer.connect();
    const worker = new LlmWorker({
      kafka,
      producer,
      ollamaHost: config.ollama.host,
      groupId: uniqueName("w"),
      topics,
    });
    await worker.start();
    const good = sampleRequest({ model: config.ollama.model, params, prompt: "Say yes." });
    await producer.send(topics.requests, "bad", { schema: "llm.request.v1", prompt: 42 });
    await producer.send(topics.requests, good.request_id, good);
    await waitFor(() => worker.stats.succeeded + worker.stats.failed === 1, "the valid request");
    await waitFor(() => worker.stats.deadLettered === 1, "the dead letter");
    await worker.stop();
    const dead = (await readTopic(kafka, TOPICS.dlq, { lastNPerPartition: 50 }))
      .map((m) => JSON.parse(m.value!.toString()))
      .filter((d) => d.source_topic === topics.requests);
    assert.equal(dead.length, 1);
    assert.match(dead[0].reason, /invalid llm.request.v1: .*prompt/);
    const [response] = (await readResponses(kafka, { topic: topics.responses })).events;
    assert.equal(response.request_id, good.request_id);
    assert.equal(response.status, "success");
    await producer.disconnect();
    await cleanup();
  },
});

Deno.test({
  name: "two workers in one group share the partitions and no request is processed twice",
  ...INTEGRATION,
  fn: async () => {
    const config = integrationConfig();
    const kafka = createKafka(config.kafka.brokers, "worker-test");
    const { topics, cleanup } = await createTestTopics(kafka, ["requests", "responses"]);
    const producer = new EventProducer(kafka);
    await producer.connect();
    const group = uniqueName("shared-workers");
    const workers = [0, 1].map((i) =>
      new LlmWorker({
        kafka,
        producer,
        ollamaHost: config.ollama.host,
        groupId: group,
        topics,
        workerId: `w${i}`,
        concurrency: 1,
      })
    );
    await Promise.all(workers.map((w) => w.start()));
    // Only once both members hold partitions can both be asked to work.
    const admin = kafka.admin();
    await admin.connect();
    await waitFor(async () => {
      const [described] = (await admin.describeGroups([group])).groups;
      return described.state === "Stable" && described.members.length === 2 &&
        described.members.every((m) => m.memberAssignment.length > 0);
    }, "both workers to hold partitions of the group");
    await admin.disconnect();
    // Request ids (the message keys) are drawn so that each of the 3 partitions gets 4 requests.
    const requests = requestsCoveringPartitions(
      12,
      3,
      (i) => sampleRequest({ model: config.ollama.model, params, prompt: `Say the number ${i}.` }),
    );
    for (const r of requests) await producer.send(topics.requests, r.request_id, r);
    const done = () => workers.reduce((n, w) => n + w.stats.succeeded + w.stats.failed, 0);
    await waitFor(() => done() >= 12, "12 responses", 120_000);
    await Promise.all(workers.map((w) => w.stop()));
    const responses = (await readResponses(kafka, { topic: topics.responses })).events;
    const ids = responses.map((r) => r.request_id);
    assert.equal(ids.length, 12, "one response per request");
    assert.equal(new Set(ids).size, 12, "no request processed twice");
    const byWorker = new Set(responses.map((r) => r.worker_id));
    assert.deepEqual([...byWorker].sort(), ["w0", "w1"], "both workers processed requests");
    await producer.disconnect();
    await cleanup();
  },
});
