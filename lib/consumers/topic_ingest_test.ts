/**
 * The dashboard's topic ingests (responses, requests, feedback) against a Kafka double: which
 * group and topic they join, what reaches their handlers, what goes to the DLQ and why, and
 * how often offsets are committed. No service is needed.
 */
import assert from "node:assert/strict";
import type { EachBatchPayload, Kafka, KafkaMessage } from "kafkajs";
import type { DlqEvent } from "../events/mod.ts";
import { sampleRequest, sampleResponse } from "../events/testing.ts";
import type { EventProducer } from "../kafka/mod.ts";
import { DashboardIngest } from "./dashboard_ingest.ts";
import { FeedbackIngest } from "./feedback_ingest.ts";
import { RequestIngest } from "./request_ingest.ts";
import { type IngestSource, TopicIngest } from "./topic_ingest.ts";

/** A kafkajs consumer double: records subscriptions and commits, delivers batches on demand. */
class ConsumerDouble {
  readonly subscriptions: { topic: string; fromBeginning?: boolean }[] = [];
  readonly commits: string[] = [];
  disconnectError: Error | null = null;
  #eachBatch: ((payload: EachBatchPayload) => Promise<void>) | null = null;

  constructor(readonly groupId: string) {}

  connect(): Promise<void> {
    return Promise.resolve();
  }

  subscribe(subscription: { topic: string; fromBeginning?: boolean }): Promise<void> {
    this.subscriptions.push(subscription);
    return Promise.resolve();
  }

  run(config: { eachBatch: (payload: EachBatchPayload) => Promise<void> }): Promise<void> {
    this.#eachBatch = config.eachBatch;
    return Promise.resolve();
  }

  commitOffsets(offsets: { offset: string }[]): Promise<void> {
    this.commits.push(...offsets.map((o) => o.offset));
    return Promise.resolve();
  }

  disconnect(): Promise<void> {
    return this.disconnectError ? Promise.reject(this.disconnectError) : Promise.resolve();
  }

  /** Hands one batch of message values (strings as they are, others as JSON) to the consumer. */
  async deliver(topic: string, values: unknown[]): Promise<void> {
    if (!this.#eachBatch) throw new Error("expected a running consumer, found none");
    const encoder = new TextEncoder();
    const messages = values.map((value, i) => ({
      key: null,
      value: encoder.encode(typeof value === "string" ? value : JSON.stringify(value)),
      offset: String(i),
      timestamp: "0",
      attributes: 0,
      headers: {},
    })) as KafkaMessage[];
    await this.#eachBatch({
      batch: { topic, partition: 0, messages },
      heartbeat: () => Promise.resolve(),
      isRunning: () => true,
      isStale: () => false,
      resolveOffset: () => {},
    } as unknown as EachBatchPayload);
  }
}

/** A dead letter caught by the producer double. */
interface DeadLetter {
  topic: string;
  event: DlqEvent;
}

/**
 * Makes an ingest on a Kafka double and a producer double catching dead letters, and starts it.
 * `make` gets where the ingest reads from: topic `t.<name>`, group `g-<name>`.
 */
async function started<I extends Pick<TopicIngest<unknown>, "start">>(
  name: string,
  make: (source: IngestSource) => I,
): Promise<{ ingest: I; consumer: ConsumerDouble; deadLetters: DeadLetter[] }> {
  const consumers: ConsumerDouble[] = [];
  const kafka = {
    consumer: (config: { groupId: string }) => {
      const consumer = new ConsumerDouble(config.groupId);
      consumers.push(consumer);
      return consumer;
    },
  } as unknown as Kafka;
  const deadLetters: DeadLetter[] = [];
  const dlq = {
    send: (topic: string, _key: string | null, event: DlqEvent) => {
      deadLetters.push({ topic, event });
      return Promise.resolve();
    },
  } as unknown as EventProducer;
  const ingest = make({ kafka, dlq, topic: `t.${name}`, groupId: `g-${name}` });
  await ingest.start();
  if (consumers.length !== 1) {
    throw new Error(`expected the ingest to make one consumer, found ${consumers.length}`);
  }
  return { ingest, consumer: consumers[0], deadLetters };
}

/** A topic ingest of JSON numbers; anything else is invalid. */
function numbers(source: IngestSource, seen: number[] = [], chunkSize?: number) {
  return new TopicIngest<number>({
    ...source,
    chunkSize,
    decode: (message) => {
      const n = JSON.parse(new TextDecoder().decode(message.value!));
      if (typeof n !== "number") throw new Error(`expected a number, found ${typeof n}`);
      return n;
    },
    onEvent: (n) => seen.push(n),
  });
}

Deno.test("a topic ingest joins its group on its topic from the beginning", async () => {
  const { ingest, consumer } = await started("events", (source) => numbers(source));
  assert.equal(ingest.groupId, "g-events");
  assert.equal(consumer.groupId, "g-events");
  assert.deepEqual(consumer.subscriptions, [{ topic: "t.events", fromBeginning: true }]);
});

Deno.test("valid events reach the handler in order; invalid ones are dead-lettered", async () => {
  const seen: number[] = [];
  const { ingest, consumer, deadLetters } = await started("n", (source) => numbers(source, seen));
  await consumer.deliver("t.n", [1, '"two"', 3]);
  assert.deepEqual(seen, [1, 3]);
  assert.equal(ingest.processed, 2);
  assert.equal(ingest.deadLettered, 1);
  assert.equal(deadLetters.length, 1);
  assert.equal(deadLetters[0].topic, "llm.dlq");
  assert.equal(deadLetters[0].event.reason, "expected a number, found string");
  assert.equal(deadLetters[0].event.consumer_group, "g-n");
  assert.equal(deadLetters[0].event.source_topic, "t.n");
  assert.equal(deadLetters[0].event.offset, "1");
  assert.deepEqual(consumer.commits, ["3"]);
});

Deno.test("a topic ingest commits every 1,000 events unless told otherwise", async () => {
  const cases = [[undefined, ["1000", "1001"]], [500, ["500", "1000", "1001"]]] as const;
  for (const [chunkSize, commits] of cases) {
    const { consumer } = await started("n", (source) => numbers(source, [], chunkSize));
    await consumer.deliver("t.n", Array.from({ length: 1_001 }, (_, i) => i));
    assert.deepEqual(consumer.commits, commits);
  }
});

Deno.test("stopping a topic ingest never throws", async () => {
  const { ingest, consumer } = await started("n", (source) => numbers(source));
  consumer.disconnectError = new Error("broker gone");
  await ingest.stop();
});

Deno.test("the dashboard ingest counts each response once and commits once per batch", async () => {
  let firsts = 0;
  const ingested: string[] = [];
  const { ingest, consumer, deadLetters } = await started(
    "responses",
    (source) =>
      new DashboardIngest({
        ...source,
        onFirstMessage: () => firsts++,
        onIngest: (event) => ingested.push(event.request_id),
      }),
  );
  const a = sampleResponse();
  const b = sampleResponse({ ts_end: a.ts_end + 1 });
  const many = Array.from({ length: 1_001 }, () => a);
  await consumer.deliver("t.responses", [...many, "not json", b]);
  assert.equal(firsts, 1);
  assert.deepEqual(ingested, [a.request_id, b.request_id]);
  assert.equal(ingest.processed, 1_002);
  assert.equal(ingest.deadLettered, 1);
  assert.equal(ingest.metrics.total, 2);
  assert.deepEqual(ingest.recent.newest(10).map((e) => e.request_id), [b.request_id, a.request_id]);
  assert.equal(deadLetters[0].event.consumer_group, "g-responses");
  assert.deepEqual(consumer.commits, ["1003"]);
  await consumer.deliver("t.responses", [sampleResponse()]);
  assert.equal(firsts, 1);
});

Deno.test("the request ingest hands over valid requests and dead-letters the rest", async () => {
  const seen: string[] = [];
  const { ingest, consumer, deadLetters } = await started(
    "requests",
    (source) =>
      new RequestIngest({ ...source, onRequest: (request) => seen.push(request.request_id) }),
  );
  const request = sampleRequest();
  await consumer.deliver("t.requests", [request, { ...request, request_id: "x" }]);
  assert.deepEqual(seen, [request.request_id]);
  assert.equal(ingest.deadLettered, 1);
  assert.match(deadLetters[0].event.reason, /request_id/);
});

Deno.test("the feedback ingest hands over valid feedback and dead-letters the rest", async () => {
  const seen: number[] = [];
  const { ingest, consumer, deadLetters } = await started(
    "feedback",
    (source) => new FeedbackIngest({ ...source, onFeedback: (event) => seen.push(event.score) }),
  );
  const feedback = {
    schema: "llm.feedback.v1",
    request_id: crypto.randomUUID(),
    score: -1,
    user_id: "ada",
    ts: 1,
  };
  await consumer.deliver("t.feedback", [feedback, { ...feedback, score: 2 }]);
  assert.deepEqual(seen, [-1]);
  assert.equal(ingest.processed, 1);
  assert.equal(ingest.deadLettered, 1);
  assert.match(deadLetters[0].event.reason, /score/);
});
