/** The Kafka layer against the real broker: batching producer, at-least-once consumer, DLQ, lag. */
import assert from "node:assert/strict";
import type { KafkaMessage } from "kafkajs";
import { BatchConsumer, type ConsumedItem } from "./consumer.ts";
import { createKafka } from "./client.ts";
import { consumerLag } from "./lag.ts";
import { EventProducer } from "./producer.ts";
import { readTopic } from "./reader.ts";
import { TOPICS } from "./topics.ts";
import {
  createTestTopics,
  INTEGRATION,
  integrationConfig,
  uniqueName,
  waitFor,
} from "../stack/testing.ts";

async function withTopic(fn: (topic: string, brokers: string[]) => Promise<void>) {
  const { kafka: config } = integrationConfig();
  const { topics, cleanup } = await createTestTopics(
    createKafka(config.brokers, "kafka-test-admin"),
    ["kafka"],
  );
  try {
    await fn(topics.kafka, config.brokers);
  } finally {
    await cleanup();
  }
}

const decodeNumber = (message: KafkaMessage) => {
  const value = JSON.parse(message.value!.toString());
  if (typeof value.n !== "number") throw new Error(`expected {n: number}, found ${message.value}`);
  return value.n as number;
};

Deno.test({
  name: "the producer batches many sends, each resolving on acknowledgement, keyed by id",
  ...INTEGRATION,
  fn: () =>
    withTopic(async (topic, brokers) => {
      const kafka = createKafka(brokers, "kafka-test");
      const producer = new EventProducer(kafka, { lingerMs: 20, maxBatch: 100 });
      await producer.connect();
      await Promise.all(
        Array.from({ length: 250 }, (_, n) => producer.send(topic, `id-${n % 7}`, { n })),
      );
      assert.equal(producer.sentCount, 250);
      await producer.disconnect();
      const messages = await readTopic(kafka, topic);
      assert.equal(messages.length, 250);
      // one key always lands on one partition
      const partitionOfKey = new Map<string, number>();
      for (const m of messages) {
        const key = m.key!.toString();
        assert.equal(partitionOfKey.get(key) ?? m.partition, m.partition, key);
        partitionOfKey.set(key, m.partition);
      }
      assert.deepEqual(messages.map(decodeNumber).sort((a, b) => a - b), [...Array(250).keys()]);
    }),
});

Deno.test({
  name:
    "the consumer sends invalid messages to the DLQ, retries transient failures, commits after work",
  ...INTEGRATION,
  fn: () =>
    withTopic(async (topic, brokers) => {
      const kafka = createKafka(brokers, "kafka-test");
      const producer = new EventProducer(kafka);
      await producer.connect();
      const marker = uniqueName("bad");
      for (let n = 0; n < 20; n++) await producer.send(topic, `k${n}`, { n });
      await producer.send(topic, "bad-1", `{"not": "a number", "marker": "${marker}"}`);
      await producer.send(topic, "bad-2", "definitely not json");
      await producer.flush();

      const group = uniqueName("kafka-test-group");
      const seen: number[] = [];
      let failuresLeft = 2;
      const consumer = new BatchConsumer<number>({
        kafka,
        groupId: group,
        topics: [topic],
        dlq: producer,
        decode: decodeNumber,
        maxBackoffMs: 200,
        handle: (items: ConsumedItem<number>[]) => {
          if (failuresLeft-- > 0) return Promise.reject(new Error("MLflow is down (test)"));
          seen.push(...items.map((i) => i.value));
          return Promise.resolve(
            items.filter((i) => i.value === 13).map((item) => ({
              item,
              reason: "13 is refused for good",
            })),
          );
        },
      });
      await consumer.start();
      await waitFor(
        () => consumer.processedCount + consumer.deadLetteredCount >= 22,
        "22 outcomes",
      );
      await waitFor(async () => {
        const admin = kafka.admin();
        await admin.connect();
        const lag = await consumerLag(admin, group, topic);
        await admin.disconnect();
        return lag.lag === 0;
      }, "lag 0 after commits");
      await consumer.stop();

      assert.deepEqual([...new Set(seen)].sort((a, b) => a - b), [...Array(20).keys()]);
      assert.equal(consumer.processedCount, 19);
      assert.equal(consumer.deadLetteredCount, 3);
      assert.equal(consumer.lastError, "MLflow is down (test)");

      const dead = (await readTopic(kafka, TOPICS.dlq, { lastNPerPartition: 50 }))
        .map((m) => JSON.parse(m.value!.toString()))
        .filter((d) => d.source_topic === topic);
      assert.equal(dead.length, 3);
      const reasons = dead.map((d) => d.reason).sort();
      assert.match(reasons[0], /13 is refused for good/);
      assert.ok(reasons.some((r) => /expected \{n: number\}/.test(r)));
      assert.ok(reasons.some((r) => /JSON/.test(r)));
      const notJson = dead.find((d) => d.key === "bad-2");
      assert.equal(atob(notJson.original_base64), "definitely not json");
      assert.equal(notJson.consumer_group, group);
      await producer.disconnect();
    }),
});

Deno.test({
  name: "consumer lag counts what a group has not yet committed, per partition",
  ...INTEGRATION,
  fn: () =>
    withTopic(async (topic, brokers) => {
      const kafka = createKafka(brokers, "kafka-test");
      const producer = new EventProducer(kafka);
      await producer.connect();
      await Promise.all(Array.from({ length: 30 }, (_, n) => producer.send(topic, `k${n}`, { n })));
      await producer.disconnect();
      const admin = kafka.admin();
      await admin.connect();
      const lag = await consumerLag(admin, uniqueName("never-consumed"), topic);
      await admin.disconnect();
      assert.equal(lag.lag, 30);
      assert.equal(lag.partitions.length, 3);
      assert.equal(lag.partitions.reduce((s, p) => s + p.end, 0), 30);
      assert.ok(lag.partitions.every((p) => p.committed === null));
    }),
});

Deno.test({
  name:
    "a chunk that takes longer than the session timeout keeps its membership and the consumer goes on",
  ...INTEGRATION,
  fn: () =>
    withTopic(async (topic, brokers) => {
      const kafka = createKafka(brokers, "kafka-test");
      const producer = new EventProducer(kafka);
      await producer.connect();
      await producer.send(topic, "slow", { n: 0 });
      const group = uniqueName("slow-chunk");
      const seen: number[] = [];
      const consumer = new BatchConsumer<number>({
        kafka,
        groupId: group,
        topics: [topic],
        dlq: producer,
        decode: decodeNumber,
        sessionTimeoutMs: 6_000, // the broker's minimum
        handle: async (items) => {
          // Longer than the session timeout, as a slow model call is.
          if (items.some((i) => i.value === 0)) await new Promise((r) => setTimeout(r, 9_000));
          seen.push(...items.map((i) => i.value));
        },
      });
      await consumer.start();
      await waitFor(() => seen.includes(0), "the slow chunk", 30_000);
      for (let n = 1; n <= 3; n++) await producer.send(topic, `k${n}`, { n });
      await waitFor(
        () => [1, 2, 3].every((n) => seen.includes(n)),
        "the messages after it",
        30_000,
      );
      await waitFor(async () => {
        const admin = kafka.admin();
        await admin.connect();
        const lag = await consumerLag(admin, group, topic);
        await admin.disconnect();
        return lag.lag === 0;
      }, "every offset committed");
      await consumer.stop();
      await producer.disconnect();
    }),
});
