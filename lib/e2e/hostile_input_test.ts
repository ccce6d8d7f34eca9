/**
 * Bad input on the real stack: 1,000 malformed or hostile messages on a requests topic and on a
 * responses topic (invalid JSON, wrong schema versions, missing fields, ~900 KB payloads, fields
 * over the schema caps, wrong types, control characters, non-UTF-8 bytes, null values),
 * interleaved with valid traffic, consumed by the real consumers: the LLM worker on the requests,
 * and the MLflow sink, the drift monitor and a dashboard-style consumer on the responses. Every
 * hostile message lands in `llm.dlq` once per consumer group with its reason and original bytes,
 * no consumer stops, and every valid message around them is processed. Topics, groups and the
 * experiment are the test's own.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { DriftMonitor, LlmWorker, MlflowSink, readResponses } from "../consumers/mod.ts";
import {
  decodeResponse,
  type DlqEvent,
  parseDlqEvent,
  type RequestEvent,
  type ResponseEvent,
} from "../events/mod.ts";
import { sampleRequest, sampleResponse } from "../events/testing.ts";
import {
  BatchConsumer,
  consumerLag,
  createKafka,
  EventProducer,
  readTopic,
  TOPICS,
} from "../kafka/mod.ts";
import { MetricsAggregator } from "../metrics/mod.ts";
import { MlflowClient, tagOf } from "../mlflow/mod.ts";
import {
  createTestTopics,
  INTEGRATION,
  integrationConfig,
  uniqueName,
  waitFor,
} from "../stack/testing.ts";
import { type HostileMessage, hostileMessages } from "./_hostile.ts";

const HOSTILE = 1_000;
const HUGE = 3;
/** A valid message after every this many hostile ones, and one at the very end. */
const VALID_EVERY = { requests: 100, responses: 40 };

/** Prompts that look hostile but are valid text: they must be processed like any other. */
const ODD_BUT_VALID = [
  "Say OK.",
  "<script>alert(1)</script> Say OK.",
  "'; DROP TABLE runs; -- Say OK.",
  "Say OK. 👍 ünïcödé\ttab\nnewline",
  "{{ .Prompt }} ${jndi:ldap://x} Say OK.",
];

interface Outgoing {
  key: string;
  value: Buffer | null;
}

/** Produces messages in order: small ones in chunks, ~900 KB ones alone (broker limit 1 MB). */
async function produceInOrder(
  kafka: ReturnType<typeof createKafka>,
  topic: string,
  messages: Outgoing[],
): Promise<void> {
  const raw = kafka.producer({ allowAutoTopicCreation: false });
  await raw.connect();
  try {
    let chunk: Outgoing[] = [];
    let bytes = 0;
    const flush = async () => {
      if (chunk.length === 0) return;
      await raw.send({ topic, acks: -1, messages: chunk });
      chunk = [];
      bytes = 0;
    };
    for (const message of messages) {
      const size = message.value?.length ?? 0;
      if (bytes + size > 256 * 1024 || chunk.length >= 100) await flush();
      chunk.push(message);
      bytes += size;
    }
    await flush();
  } finally {
    await raw.disconnect();
  }
}

/** Interleaves valid messages into the hostile ones: one every `every`, and one at the end. */
function interleave(hostile: HostileMessage[], valid: Outgoing[], every: number): Outgoing[] {
  const out: Outgoing[] = [];
  let v = 0;
  hostile.forEach((message, i) => {
    if (i % every === 0 && v < valid.length - 1) out.push(valid[v++]);
    out.push({ key: message.key, value: message.value });
  });
  while (v < valid.length) out.push(valid[v++]);
  return out;
}

Deno.test({
  name:
    "1,000 hostile messages per topic each land in llm.dlq with their reason, no consumer stops, valid traffic around them is processed",
  ...INTEGRATION,
  fn: async () => {
    const started = Date.now();
    const config = integrationConfig();
    const kafka = createKafka(config.kafka.brokers, "hostile-test");
    const { topics, cleanup } = await createTestTopics(kafka, ["requests", "responses", "answers"]);
    const admin = kafka.admin();
    await admin.connect();
    const dlqStart = await admin.fetchTopicOffsets(TOPICS.dlq);

    // One producer for responses and dead letters, as the server's pipeline shares one.
    const producer = new EventProducer(kafka);
    await producer.connect();
    const mlflow = new MlflowClient(config.mlflow.uri);
    const groups = {
      worker: uniqueName("hostile-worker"),
      sink: uniqueName("hostile-sink"),
      drift: uniqueName("hostile-drift"),
      dashboard: uniqueName("hostile-dashboard"),
    };
    const worker = new LlmWorker({
      kafka,
      producer,
      ollamaHost: config.ollama.host,
      groupId: groups.worker,
      topics: { requests: topics.requests, responses: topics.answers },
      concurrency: 2,
    });
    const sink = new MlflowSink({
      kafka,
      dlq: producer,
      mlflow,
      experiment: uniqueName("hostile"),
      groupId: groups.sink,
      topic: topics.responses,
    });
    const drift = new DriftMonitor({
      kafka,
      dlq: producer,
      topic: topics.responses,
      groupId: groups.drift,
      intervalMs: 1_000,
    });
    const metrics = new MetricsAggregator();
    const dashboard = new BatchConsumer<ResponseEvent>({
      kafka,
      groupId: groups.dashboard,
      topics: [topics.responses],
      dlq: producer,
      chunkSize: 1_000,
      decode: (message) => decodeResponse(message.value),
      handle: (items) => {
        for (const { value } of items) metrics.add(value);
        return Promise.resolve();
      },
    });
    await Promise.all([worker.start(), sink.start(), drift.start(), dashboard.start()]);

    try {
      // The input: hostile messages with valid ones among them (and one after the last).
      const hostileRequests = hostileMessages("request", HOSTILE, {
        prefix: "bad-req",
        huge: HUGE,
      });
      const hostileResponses = hostileMessages("response", HOSTILE, {
        prefix: "bad-resp",
        huge: HUGE,
      });
      const validRequests: RequestEvent[] = Array.from(
        { length: HOSTILE / VALID_EVERY.requests + 1 },
        (_, i) =>
          sampleRequest({
            prompt: ODD_BUT_VALID[i % ODD_BUT_VALID.length],
            params: { temperature: 0, top_p: 0.9, num_predict: 1 },
            model: config.ollama.model,
            ts: Date.now(),
          }),
      );
      const now = Date.now();
      const validResponses: ResponseEvent[] = Array.from(
        { length: HOSTILE / VALID_EVERY.responses + 1 },
        (_, i) =>
          sampleResponse({
            ts: now + i,
            ts_start: now + i,
            ts_end: now + i + 100,
            prompt: ODD_BUT_VALID[i % ODD_BUT_VALID.length],
            response: i % 2 ? "<img src=x onerror=alert(1)>" : "OK",
            latency_ms: 100 + i,
          }),
      );
      const asOutgoing = (e: { request_id: string }) => ({
        key: e.request_id,
        value: Buffer.from(JSON.stringify(e)),
      });
      await Promise.all([
        produceInOrder(
          kafka,
          topics.requests,
          interleave(hostileRequests, validRequests.map(asOutgoing), VALID_EVERY.requests),
        ),
        produceInOrder(
          kafka,
          topics.responses,
          interleave(hostileResponses, validResponses.map(asOutgoing), VALID_EVERY.responses),
        ),
      ]);
      console.log(
        `hostile: produced ${2 * HOSTILE} hostile messages in ${Date.now() - started} ms`,
      );

      // Every consumer gets through all of it: every valid message handled, every hostile one
      // dead-lettered, and everything committed (lag 0).
      const nRequests = validRequests.length;
      const nResponses = validResponses.length;
      const progress = () =>
        JSON.stringify({
          worker: worker.stats,
          sink: [sink.loggedCount, sink.skippedCount, sink.lastError],
          drift: [drift.responsesSeen, drift.deadLetteredCount],
          dashboard: [dashboard.processedCount, dashboard.deadLetteredCount],
          producer: [producer.sentCount, producer.pendingCount],
        });
      const ticker = setInterval(() => console.log(`hostile: ${progress()}`), 20_000);
      await waitFor(
        () =>
          worker.stats.succeeded + worker.stats.failed >= nRequests &&
          worker.stats.deadLettered >= HOSTILE &&
          sink.loggedCount + sink.skippedCount >= nResponses &&
          drift.responsesSeen >= nResponses && drift.deadLetteredCount >= HOSTILE &&
          dashboard.processedCount >= nResponses && dashboard.deadLetteredCount >= HOSTILE,
        "every consumer to get through the hostile input",
        240_000,
      ).finally(() => clearInterval(ticker)).catch((error) => {
        throw new Error(`${error.message}: ${progress()}`);
      });
      await waitFor(
        async () => {
          const lags = await Promise.all([
            consumerLag(admin, groups.worker, topics.requests),
            consumerLag(admin, groups.sink, topics.responses),
            consumerLag(admin, groups.drift, topics.responses),
            consumerLag(admin, groups.dashboard, topics.responses),
          ]);
          return lags.every((l) => l.lag === 0);
        },
        "every group to commit to the end of its topic (lag 0)",
        60_000,
      );
      assert.equal(worker.stats.failed, 0, "the valid requests all succeeded");
      assert.equal(metrics.total, nResponses);
      assert.equal(dashboard.processedCount, nResponses);
      assert.equal(drift.responsesSeen, nResponses);
      assert.equal(sink.lastError, null, "the sink never had to retry");
      console.log(`hostile: consumers done in ${Date.now() - started} ms`);

      // Valid traffic: one real answer per valid request, one MLflow run per valid response.
      const answers = (await readResponses(kafka, { topic: topics.answers })).events;
      assert.deepEqual(
        [...new Set(answers.map((a) => a.request_id))].sort(),
        validRequests.map((r) => r.request_id).sort(),
      );
      for (const answer of answers) {
        assert.equal(answer.status, "success", JSON.stringify(answer.error));
        const request = validRequests.find((r) => r.request_id === answer.request_id)!;
        assert.equal(answer.prompt, request.prompt, "odd but valid prompts pass untouched");
      }
      const runs = await mlflow.searchAllRuns({ experiment_ids: [sink.experimentId!] });
      assert.deepEqual(
        runs.map((run) => tagOf(run, "request_id")).sort(),
        validResponses.map((r) => r.request_id).sort(),
        "exactly one run per valid response",
      );

      // The DLQ: each hostile message once per consumer group, with its reason and its bytes.
      const dlqEnd = await admin.fetchTopicOffsets(TOPICS.dlq);
      const added = Math.max(
        ...dlqEnd.map((p) =>
          Number(p.high) - Number(dlqStart.find((s) => s.partition === p.partition)?.high ?? 0)
        ),
      );
      const dead: DlqEvent[] = (await readTopic(kafka, TOPICS.dlq, {
        lastNPerPartition: added,
        timeoutMs: 120_000,
      })).map((m) => parseDlqEvent(JSON.parse(m.value!.toString())))
        .filter((d) => d.source_topic === topics.requests || d.source_topic === topics.responses);
      const expectations: [string, string, HostileMessage[]][] = [
        [groups.worker, topics.requests, hostileRequests],
        [groups.sink, topics.responses, hostileResponses],
        [groups.drift, topics.responses, hostileResponses],
        [groups.dashboard, topics.responses, hostileResponses],
      ];
      const counts: Record<string, number> = {};
      for (const [group, topic, hostile] of expectations) {
        const mine = dead.filter((d) => d.consumer_group === group);
        counts[group] = mine.length;
        assert.ok(mine.every((d) => d.source_topic === topic));
        const byKey = new Map(mine.map((d) => [d.key, d]));
        assert.equal(byKey.size, HOSTILE, `${group}: distinct dead letters`);
        for (const message of hostile) {
          const letter = byKey.get(message.key);
          assert.ok(letter, `${group}: no dead letter for ${message.key} (${message.category})`);
          assert.match(letter.reason, message.reason, `${group}: ${message.category}`);
          const original = Buffer.from(letter.original_base64, "base64");
          const bytes = message.value ?? Buffer.alloc(0);
          if (letter.original_truncated) {
            assert.equal(message.category, "huge payload");
            assert.equal(letter.original_size, bytes.length);
            assert.ok(original.length < bytes.length);
            assert.ok(bytes.subarray(0, original.length).equals(original), "a prefix of the bytes");
          } else {
            assert.ok(original.equals(bytes), `${group}: original bytes of ${message.key}`);
          }
        }
        // no valid message was dead-lettered
        const validIds = new Set(
          [...validRequests, ...validResponses].map((e) => e.request_id),
        );
        assert.ok(
          mine.every((d) => !validIds.has(d.key ?? "")),
          `${group}: a valid message in the DLQ`,
        );
      }
      console.log(
        `hostile: dead letters per group ${JSON.stringify(counts)}; ${
          Date.now() - started
        } ms in all`,
      );
    } finally {
      await Promise.allSettled([worker.stop(), sink.stop(), drift.stop(), dashboard.stop()]);
      await producer.disconnect();
      await admin.disconnect();
      await cleanup();
    }
  },
});
