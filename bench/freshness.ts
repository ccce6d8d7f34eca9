/**
 * Freshness: time from producing a response event to its arrival at a client of the
 * dashboard's event stream, at 1,000 events/s.
 *
 * The product's EventProducer (5 ms linger, idempotent, acks from all replicas) sends events
 * to a topic of the benchmark's own, each stamped with its send time in `tags.bench_sent_ms`;
 * the dashboard's consumer (lib/consumers/dashboard_ingest.ts, the code path of server/pipeline.ts)
 * feeds the live aggregates and the server's live hub fans events out; the real Hono app (`createApp`) serves GET
 * /api/events with `Deno.serve` on a loopback port; an SSE client (fetch + stream reader) takes
 * the arrival time of each `response` event. Everything runs in one process, as in `deno task
 * serve` with its worker, so the event loop is shared as it is in production.
 *
 * @module
 */

import type { RequestEvent, RequestInput, ResponseEvent } from "../lib/events/mod.ts";
import { createKafka, EventProducer } from "../lib/kafka/mod.ts";
import type { MetricsSnapshot } from "../lib/metrics/mod.ts";
import { createApp } from "../server/app.ts";
import type { AppDeps, HealthReport, LiveEvent, RunsPage } from "../server/deps.ts";
import { LiveHub } from "../server/live_hub.ts";
import { DashboardIngest } from "../lib/consumers/mod.ts";
import { type DriftStatus, DriftTracker } from "../lib/drift/mod.ts";
import { idleStreamStatus, type StreamStatus } from "../lib/stream/mod.ts";
import { type BenchContext } from "./_context.ts";
import { benchResponse, seededRandom } from "./_data.ts";
import { createTopic, deleteTopics, uniqueName } from "./_kafka.ts";
import { type Figures } from "./_results.ts";
import { nowMs, summarize } from "./_stats.ts";
import { waitFor } from "./_wait.ts";

/** The pipeline as the HTTP layer sees it, over the benchmark's dashboard consumer. */
class BenchDeps implements AppDeps {
  timezone = "UTC";
  defaultModel = "smollm2:135m";
  readonly #drift = new DriftTracker();
  constructor(readonly ingest: DashboardIngest, readonly hub: LiveHub) {}
  health(): Promise<HealthReport> {
    return Promise.reject(new Error("not part of the benchmark"));
  }
  metrics(): MetricsSnapshot {
    return this.ingest.metrics.snapshot();
  }
  recentResponses(limit: number): ResponseEvent[] {
    return this.ingest.recent.newest(limit);
  }
  models(): Promise<string[]> {
    return Promise.resolve([this.defaultModel]);
  }
  submit(_input: RequestInput): Promise<RequestEvent> {
    return Promise.reject(new Error("not part of the benchmark"));
  }
  searchRuns(): Promise<RunsPage> {
    return Promise.resolve({ experiment_id: "0", runs: [] });
  }
  runsSummary() {
    return Promise.resolve(null);
  }
  mlflowUiUrl(experimentId: string): string {
    return `about:blank#${experimentId}`;
  }
  drift(): DriftStatus {
    return this.#drift.status(); // not part of the benchmark: always waiting
  }
  configureDrift(): Promise<DriftStatus> {
    return Promise.resolve(this.drift());
  }
  datasets() {
    return Promise.resolve([]);
  }
  startStream(): Promise<StreamStatus> {
    return Promise.resolve(this.streamStatus());
  }
  stopStream(): Promise<StreamStatus> {
    return Promise.resolve(this.streamStatus());
  }
  streamStatus(): StreamStatus {
    return idleStreamStatus();
  }
  subscribe(listener: (event: LiveEvent) => void): () => void {
    return this.hub.subscribe(listener);
  }
  knownRequest(): Promise<boolean> {
    return Promise.resolve(false);
  }
  submitFeedback(): Promise<void> {
    return Promise.reject(new Error("the freshness bench takes no feedback"));
  }
  userFeedback(): [] {
    return [];
  }
  comparisonWindow() {
    return { rows: [], capacity: 0 };
  }
}

/**
 * Reads a server-sent event stream and calls `onEvent` with each event's name and data.
 * Resolves when the stream ends or `signal` aborts (the reader is cancelled then).
 */
export async function readSse(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: string, data: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  const reader = body.getReader();
  // Aborting the fetch does not always end a read in progress (Deno), so cancel the reader too.
  const cancel = () => reader.cancel().catch(() => {});
  if (signal?.aborted) cancel();
  signal?.addEventListener("abort", cancel, { once: true });
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = "message";
        const data: string[] = [];
        for (const line of frame.split("\n")) {
          if (line.startsWith("event:")) event = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
        }
        onEvent(event, data.join("\n"));
      }
    }
  } catch {
    // aborted
  } finally {
    signal?.removeEventListener("abort", cancel);
  }
}

/** Runs the freshness benchmark. */
export async function benchFreshness(ctx: BenchContext): Promise<Partial<Figures["freshness_ms"]>> {
  const rate = 1_000;
  const seconds = ctx.quick ? 5 : 15;
  const kafka = createKafka(ctx.config.kafka.brokers, "bench-freshness");
  const topic = uniqueName("freshness");
  await createTopic(kafka, topic, 3);
  const producer = new EventProducer(kafka);
  let hub: LiveHub | null = null;
  const ingest = new DashboardIngest({
    kafka,
    dlq: producer,
    topic,
    groupId: uniqueName("freshness"),
    onIngest: (event) => hub?.response(event),
  });
  hub = new LiveHub(() => ingest.metrics.snapshot());
  const app = createApp(new BenchDeps(ingest, hub), {
    assets: { script: () => Promise.resolve(""), styles: () => Promise.resolve("") },
  });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    app.fetch,
  );
  const abort = new AbortController();
  const latencies: number[] = [];
  let warmups = 0;
  let reading: Promise<void> = Promise.resolve();
  try {
    await producer.connect();
    await ingest.start();
    const response = await fetch(`http://127.0.0.1:${server.addr.port}/api/events`, {
      signal: abort.signal,
    });
    if (!response.ok || !response.body) throw new Error(`GET /api/events: ${response.status}`);
    reading = readSse(response.body, (event, data) => {
      if (event !== "response") return;
      const arrived = nowMs();
      const tags = (JSON.parse(data) as ResponseEvent).tags ?? {};
      if (tags.bench_phase === "warmup") warmups++;
      else if (tags.bench_sent_ms) latencies.push(arrived - Number(tags.bench_sent_ms));
    }, abort.signal);
    const random = seededRandom(7);
    let i = 0;
    const send = (phase: string) => {
      const event = benchResponse(i++, random);
      event.tags = { bench_phase: phase, bench_sent_ms: String(nowMs()) };
      producer.send(topic, event.request_id, event).catch(() => {});
    };
    // Warm up until events flow end to end (the group has its partitions, the app its client).
    for (let k = 0; k < 20 && warmups === 0; k++) {
      send("warmup");
      await waitFor(() => warmups > 0, 1_000);
    }
    if (warmups === 0) throw new Error("no event reached the SSE client within 20 s");
    ctx.log(`freshness: ${rate} events/s for ${seconds} s`);
    const total = rate * seconds;
    let sent = 0;
    const t0 = performance.now();
    while (sent < total) {
      const due = Math.min(total, Math.floor((performance.now() - t0) * rate / 1000));
      while (sent < due) {
        send("measure");
        sent++;
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const actualRate = total / ((performance.now() - t0) / 1000);
    await producer.flush();
    await waitFor(() => latencies.length >= total, 30_000);
    if (latencies.length < total) {
      ctx.note("freshness_ms", `${total - latencies.length} of ${total} events did not arrive`);
    }
    const s = summarize(latencies);
    ctx.log(
      `freshness: ${latencies.length} events at ${actualRate.toFixed(0)}/s: p50 ${
        s.p50.toFixed(1)
      } ms, p90 ${s.p90.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(1)} ms`,
    );
    return { p50: s.p50, p99: s.p99 };
  } finally {
    abort.abort();
    await reading;
    await server.shutdown().catch(() => {});
    await ingest.stop();
    hub.close();
    await producer.disconnect().catch(() => {});
    await deleteTopics(kafka, [topic]);
  }
}
