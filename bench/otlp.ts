/**
 * OTLP intake: GenAI spans per second accepted into Kafka. A real gateway (its HTTP listener,
 * the OTLP JSON decoding, the GenAI mapping with contract validation, the bounded publisher and
 * a real Kafka topic) takes export requests of 512 chat spans each, two at a time, as an
 * OpenTelemetry SDK's batch exporter sends them, from a worker thread (an application runs in a
 * process of its own); the clock stops when Kafka has acknowledged every span's event.
 *
 * @module
 */

import { createKafka } from "../lib/kafka/mod.ts";
import { sampleOtlpJson } from "../lib/gateway/otlp_measure.ts";
import { gatewaySettings, startGateway } from "../server/gateway/runtime.ts";
import { type BenchContext } from "./_context.ts";
import { createTopic, deleteTopics, uniqueName } from "./_kafka.ts";
import { type Figures } from "./_results.ts";

const SPANS_PER_REQUEST = 512;

/** Runs the OTLP benchmark. */
export async function benchOtlp(ctx: BenchContext): Promise<Partial<Figures["otlp"]>> {
  const kafka = createKafka(ctx.config.kafka.brokers, "bench-otlp");
  const topics = { requests: uniqueName("otlp-requests"), responses: uniqueName("otlp-responses") };
  await createTopic(kafka, topics.responses, 3);
  const gateway = await startGateway({
    config: ctx.config,
    settings: { ...gatewaySettings({}), port: 0, bufferEvents: 1_000_000, bufferBytes: 2 ** 30 },
    topics,
  });
  try {
    const requests = ctx.quick ? 30 : 200;
    // warm-up in this thread: code paths compiled, producer connected
    for (let k = 0; k < 4; k++) {
      const response = await fetch(`${gateway.url}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: sampleOtlpJson(SPANS_PER_REQUEST),
      });
      await response.text();
    }
    const before = 4 * SPANS_PER_REQUEST;
    // the exporter runs in a worker thread, as an application would run in its own process
    const client = new Worker(new URL("./_otlp_client.ts", import.meta.url), { type: "module" });
    const messages: { ready?: true; done?: true; ms?: number; error?: string }[] = [];
    let wake = () => {};
    client.onmessage = (m) => {
      messages.push(m.data);
      wake();
    };
    const nextMessage = async () => {
      while (messages.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      const m = messages.shift()!;
      if (m.error) throw new Error(m.error);
      return m;
    };
    client.postMessage({
      url: gateway.url,
      spansPerRequest: SPANS_PER_REQUEST,
      requests,
      concurrency: 2,
    });
    await nextMessage(); // bodies built
    const t0 = performance.now();
    client.postMessage("go");
    try {
      await nextMessage();
    } finally {
      client.terminate();
    }
    const accepted = performance.now() - t0;
    const total = before + requests * SPANS_PER_REQUEST;
    const deadline = performance.now() + 300_000;
    while (gateway.stats().published < total) {
      if (performance.now() > deadline) {
        throw new Error(`only ${gateway.stats().published} of ${total} events acknowledged`);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const elapsed = performance.now() - t0;
    const spans = requests * SPANS_PER_REQUEST;
    const perS = spans / (elapsed / 1000);
    ctx.log(
      `otlp: ${spans.toLocaleString()} spans in ${requests} requests: answered in ${
        accepted.toFixed(0)
      } ms, in Kafka after ${elapsed.toFixed(0)} ms: ${Math.round(perS).toLocaleString()} spans/s`,
    );
    ctx.note(
      "otlp",
      `spans_per_s: ${requests} OTLP JSON requests of ${SPANS_PER_REQUEST} GenAI chat spans, 2 at a time from a worker thread, through the gateway's HTTP listener until Kafka acknowledged every event (8 distinct bodies sent in turn: a repeated span's event is published again with its request id)`,
    );
    return { spans_per_s: perS };
  } finally {
    await gateway.stop(30_000);
    await deleteTopics(kafka, [topics.responses]);
  }
}
