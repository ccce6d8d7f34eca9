/**
 * Memory: resident memory of a process holding the dashboard's consumer and live aggregates,
 * before any event, warm (after the first 100,000 events; quick: 10,000) and after 1,000,000
 * (quick: 100,000). The process is a fresh Deno subprocess (this file run with `--child`), so its
 * RSS is the consumer's alone; garbage is collected before each reading, and the readings are
 * taken while the aggregates and the consumer are live. The V8 heap (used and reserved) and
 * memory outside it are recorded at each reading, to say what the growth is made of.
 *
 * @module
 */

import { createKafka, EventProducer } from "../lib/kafka/mod.ts";
import { DashboardIngest } from "../lib/consumers/mod.ts";
import { type BenchContext } from "./_context.ts";
import { deleteOwnGroups, uniqueName } from "./_kafka.ts";
import { type Figures } from "./_results.ts";
import { waitFor } from "./_wait.ts";
import { ingestSize } from "./ingest.ts";

/** Resident set size of this process in MB (VmRSS, or Deno's figure off Linux). */
export function rssMb(): number {
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
    if (Number.isFinite(kb) && kb > 0) return kb / 1024;
  } catch {
    // not Linux
  }
  return Deno.memoryUsage().rss / 2 ** 20;
}

async function settle(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let k = 0; k < 3; k++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * V8's heap used and reserved, memory V8 knows of outside it, and the resident memory that is
 * anonymous (heap, allocator, buffers) or file-backed (pages of the deno binary and libraries
 * touched so far), MB (the last two 0 off Linux).
 */
interface HeapReading {
  used: number;
  total: number;
  external: number;
  anon: number;
  file: number;
}

function heapMb(): HeapReading {
  const usage = Deno.memoryUsage();
  let status = "";
  try {
    status = Deno.readTextFileSync("/proc/self/status");
  } catch {
    // not Linux
  }
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  return {
    used: usage.heapUsed / 2 ** 20,
    total: usage.heapTotal / 2 ** 20,
    external: usage.external / 2 ** 20,
    anon: kb("RssAnon") / 1024,
    file: kb("RssFile") / 1024,
  };
}

interface ChildResult {
  rss_mb_start: number;
  /** RSS after the first 100,000 events (quick: 10,000): the consumer warm. */
  rss_mb_warm: number;
  rss_mb_end: number;
  rss_mb_peak: number;
  heap_start: HeapReading;
  heap_warm: HeapReading;
  heap_end: HeapReading;
  warm_events: number;
  seconds: number;
}

/** Events after which the consumer counts as warm. */
export function warmEvents(n: number): number {
  return Math.min(100_000, Math.ceil(n / 10));
}

async function child(brokers: string[], topic: string, n: number): Promise<ChildResult> {
  const kafka = createKafka(brokers, "bench-memory");
  const dlq = new EventProducer(kafka);
  await dlq.connect();
  const ingest = new DashboardIngest({ kafka, dlq, topic, groupId: uniqueName("memory") });
  await settle();
  const start = rssMb();
  const heapStart = heapMb();
  let heapWarm = heapStart;
  let peak = start;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb())), 250);
  const t0 = performance.now();
  await ingest.start();
  const warmAt = warmEvents(n);
  const gc = (globalThis as { gc?: () => void }).gc;
  let warm = 0;
  const done = await waitFor(
    () => {
      if (warm === 0 && ingest.processed >= warmAt) {
        gc?.();
        warm = rssMb();
        heapWarm = heapMb();
      }
      return ingest.processed >= n;
    },
    900_000,
    20,
  );
  const seconds = (performance.now() - t0) / 1000;
  if (!done) throw new Error(`the consumer handled ${ingest.processed} of ${n} events`);
  ingest.metrics.snapshot();
  await settle();
  const end = rssMb();
  const heapEnd = heapMb();
  clearInterval(sampler);
  if (ingest.metrics.total !== n) {
    throw new Error(`the aggregates counted ${ingest.metrics.total} of ${n} events`);
  }
  await ingest.stop();
  await dlq.disconnect();
  await deleteOwnGroups(kafka);
  return {
    rss_mb_start: start,
    rss_mb_warm: warm,
    rss_mb_end: end,
    rss_mb_peak: Math.max(peak, end),
    heap_start: heapStart,
    heap_warm: heapWarm,
    heap_end: heapEnd,
    warm_events: warmAt,
    seconds,
  };
}

/** Runs the memory benchmark in a subprocess. */
export async function benchMemory(ctx: BenchContext): Promise<Partial<Figures["memory"]>> {
  const n = ingestSize(ctx.quick);
  const topic = await ctx.eventsTopic(n);
  ctx.log(`memory: a fresh process consumes ${n.toLocaleString()} events`);
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      "--v8-flags=--expose-gc",
      new URL(import.meta.url).pathname,
      "--child",
      ctx.config.kafka.brokers.join(","),
      topic,
      String(n),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    const stderr = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-5).join("\n");
    throw new Error(`the memory subprocess failed (exit ${out.code}): ${stderr}`);
  }
  const r = JSON.parse(stdout.split("\n").at(-1)!) as ChildResult;
  const heap = (h: HeapReading) =>
    `V8 heap ${h.used.toFixed(1)} used of ${h.total.toFixed(1)} reserved, external ${
      h.external.toFixed(1)
    }; resident anonymous ${h.anon.toFixed(1)}, file-backed ${h.file.toFixed(1)}`;
  const text = `RSS ${r.rss_mb_start.toFixed(1)} MB before (${heap(r.heap_start)}), ${
    r.rss_mb_warm.toFixed(1)
  } MB after the first ${r.warm_events} events (${heap(r.heap_warm)}), ${
    r.rss_mb_end.toFixed(1)
  } MB after ${n} (${heap(r.heap_end)}); peak ${r.rss_mb_peak.toFixed(1)} MB; ${
    r.seconds.toFixed(1)
  } s`;
  ctx.log(`memory: ${text}`);
  ctx.note("memory", text);
  return { rss_mb_start: r.rss_mb_start, rss_mb_warm: r.rss_mb_warm, rss_mb_end: r.rss_mb_end };
}

if (import.meta.main && Deno.args[0] === "--child") {
  const [, brokers, topic, n] = Deno.args;
  const result = await child(brokers.split(","), topic, Number(n));
  console.log(JSON.stringify(result));
  Deno.exit(0);
}
