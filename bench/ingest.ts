/**
 * Ingest: response events per second from a topic of 3 partitions through the dashboard's
 * consumer (decode, validation: the fast path with the zod schema behind it, live aggregates)
 * against a bare kafkajs consumer that only
 * counts the same events. Each consumer reads the whole topic with a fresh group; its clock runs
 * from the first message it receives to the last one handled, so joining the group is not
 * counted. The bare consumer runs before and after the dashboard's, and the faster of its two
 * runs is the baseline (the ratio is then the conservative one).
 *
 * @module
 */

import { parseResponseEvent, type ResponseEvent, ResponseEventSchema } from "../lib/events/mod.ts";
import { createKafka, EventProducer } from "../lib/kafka/mod.ts";
import { MetricsAggregator } from "../lib/metrics/mod.ts";
import { DashboardIngest } from "../lib/consumers/mod.ts";
import { type BenchContext } from "./_context.ts";
import { benchResponse, seededRandom } from "./_data.ts";
import { uniqueName } from "./_kafka.ts";
import { type Figures } from "./_results.ts";
import { waitFor } from "./_wait.ts";

/** Events per run. */
export function ingestSize(quick: boolean): number {
  return quick ? 100_000 : 1_000_000;
}

async function rawRate(ctx: BenchContext, topic: string, n: number): Promise<number> {
  const kafka = createKafka(ctx.config.kafka.brokers, "bench-ingest-raw");
  const consumer = kafka.consumer({ groupId: uniqueName("ingest-raw") });
  let count = 0;
  let tFirst = 0;
  let tLast = 0;
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: ({ batch }) => {
      if (count === 0) tFirst = performance.now();
      count += batch.messages.length;
      if (count >= n && tLast === 0) tLast = performance.now();
      return Promise.resolve();
    },
  });
  const done = await waitFor(() => count >= n, 600_000, 2);
  await consumer.disconnect();
  if (!done) throw new Error(`bare consumer saw ${count} of ${n} events in 10 minutes`);
  return n / ((tLast - tFirst) / 1000);
}

async function dashboardRate(ctx: BenchContext, topic: string, n: number): Promise<number> {
  const kafka = createKafka(ctx.config.kafka.brokers, "bench-ingest-dashboard");
  let tFirst = 0;
  let tLast = 0;
  const dlq = new EventProducer(kafka);
  await dlq.connect();
  const ingest = new DashboardIngest({
    kafka,
    dlq,
    topic,
    groupId: uniqueName("ingest-dashboard"),
    onFirstMessage: () => (tFirst = performance.now()),
  });
  await ingest.start();
  const done = await waitFor(
    () => {
      if (ingest.processed >= n && tLast === 0) tLast = performance.now();
      return tLast !== 0;
    },
    600_000,
    2,
  );
  const total = ingest.metrics.total;
  await ingest.stop();
  await dlq.disconnect();
  if (!done) {
    throw new Error(`dashboard consumer handled ${ingest.processed} of ${n} in 10 minutes`);
  }
  if (total !== n || ingest.deadLettered !== 0) {
    throw new Error(
      `dashboard consumer counted ${total} responses (${ingest.deadLettered} dead-lettered), expected ${n}`,
    );
  }
  return n / ((tLast - tFirst) / 1000);
}

/**
 * Where the dashboard consumer's time goes, per event and without Kafka: UTF-8 decoding and
 * JSON parsing, validation as the consumer does it (the fast path), the zod schema alone for
 * comparison, and the live aggregates (microseconds, best of three passes).
 */
export function ingestBreakdown(
  n = 20_000,
): { json_us: number; validate_us: number; zod_us: number; aggregate_us: number } {
  const random = seededRandom(5);
  const encoder = new TextEncoder();
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const bytes = Array.from(
    { length: n },
    (_, i) => encoder.encode(JSON.stringify(benchResponse(i, random))),
  );
  const best = {
    json_us: Infinity,
    validate_us: Infinity,
    zod_us: Infinity,
    aggregate_us: Infinity,
  };
  for (let pass = 0; pass < 3; pass++) {
    let t0 = performance.now();
    const values: unknown[] = bytes.map((b) => JSON.parse(decoder.decode(b)));
    best.json_us = Math.min(best.json_us, (performance.now() - t0) * 1000 / n);
    t0 = performance.now();
    const events: ResponseEvent[] = values.map(parseResponseEvent);
    best.validate_us = Math.min(best.validate_us, (performance.now() - t0) * 1000 / n);
    t0 = performance.now();
    for (const v of values) ResponseEventSchema.parse(v);
    best.zod_us = Math.min(best.zod_us, (performance.now() - t0) * 1000 / n);
    const metrics = new MetricsAggregator();
    t0 = performance.now();
    for (const e of events) metrics.add(e);
    best.aggregate_us = Math.min(best.aggregate_us, (performance.now() - t0) * 1000 / n);
  }
  return best;
}

/** Runs the ingest benchmark. */
export async function benchIngest(ctx: BenchContext): Promise<Partial<Figures["ingest"]>> {
  const n = ingestSize(ctx.quick);
  const topic = await ctx.eventsTopic(n);
  ctx.log(`ingest: bare kafkajs consumer over ${n.toLocaleString()} events`);
  const raw1 = await rawRate(ctx, topic, n);
  ctx.log(`ingest: bare ${Math.round(raw1).toLocaleString()} ev/s; dashboard consumer`);
  const dashboard = await dashboardRate(ctx, topic, n);
  ctx.log(`ingest: dashboard ${Math.round(dashboard).toLocaleString()} ev/s; bare again`);
  const raw2 = await rawRate(ctx, topic, n);
  ctx.log(`ingest: bare ${Math.round(raw2).toLocaleString()} ev/s`);
  const raw = Math.max(raw1, raw2);
  ctx.note(
    "ingest.raw_events_per_s",
    `faster of two bare runs (${Math.round(raw1)} before, ${Math.round(raw2)} after)`,
  );
  const b = ingestBreakdown();
  const perEvent = 1e6 / dashboard;
  const rawPerEvent = 1e6 / raw;
  ctx.note(
    "ingest.ratio",
    `per event: ${perEvent.toFixed(1)} µs through the dashboard consumer vs ${
      rawPerEvent.toFixed(1)
    } µs bare (fetch + kafkajs decoding); measured apart: UTF-8 + JSON ${
      b.json_us.toFixed(1)
    } µs, validation ${b.validate_us.toFixed(1)} µs (the zod schema alone: ${
      b.zod_us.toFixed(1)
    } µs), aggregates ${
      b.aggregate_us.toFixed(1)
    } µs; the rest is the consumer's batching and one offset commit per fetched batch`,
  );
  return { events_per_s: dashboard, raw_events_per_s: raw, ratio: dashboard / raw };
}
