/**
 * Helpers shared by the benchmarks: percentiles and summaries, the results document (its shape,
 * targets, table and JSON writer), Kafka topics of the benchmark's own, fast bulk production of
 * response events, and running Python scripts in the stack's virtualenv.
 *
 * Benchmarks print and write numbers; they never fail on a number.
 *
 * @module
 */

import type { Kafka } from "kafkajs";
import type { ResponseEvent } from "../lib/events/mod.ts";
import { sampleResponse } from "../lib/events/testing.ts";
import type { StackConfig } from "../lib/stack/config.ts";

// --- statistics ---------------------------------------------------------------------------------

/**
 * The p-th percentile (0 ≤ p ≤ 100) of ascending values, linearly interpolated between closest
 * ranks (numpy's default). O(1).
 *
 * @example
 * ```ts
 * percentileSorted([1, 2, 3, 4], 50); // 2.5
 * ```
 */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) throw new RangeError("Expected at least one value, found none");
  if (!(p >= 0 && p <= 100)) throw new RangeError(`Expected p in [0, 100], found ${p}`);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

/** Summary of a sample. */
export interface Summary {
  n: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * Count, min, mean, p50, p90, p99 and max of a sample (non-finite values rejected). The input is
 * not modified. O(n log n).
 *
 * @example
 * ```ts
 * summarize([3, 1, 2]).p50; // 2
 * ```
 */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new RangeError("Expected at least one value, found none");
  for (const v of values) {
    if (!Number.isFinite(v)) throw new RangeError(`Expected finite values, found ${v}`);
  }
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    n: sorted.length,
    min: sorted[0],
    mean: sum / sorted.length,
    p50: percentileSorted(sorted, 50),
    p90: percentileSorted(sorted, 90),
    p99: percentileSorted(sorted, 99),
    max: sorted[sorted.length - 1],
  };
}

/** The median of a non-empty sample. */
export function median(values: readonly number[]): number {
  return summarize(values).p50;
}

/** Rounds to `digits` significant decimals after the point (null stays null). */
export function round(value: number | null, digits = 3): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Milliseconds, high resolution, on the wall clock (comparable across processes). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

// --- the results document -----------------------------------------------------------------------

/** Every figure of `bench/results.json`, by benchmark. Null: not measured (see notes). */
export interface Figures {
  ingest: { events_per_s: number | null; raw_events_per_s: number | null; ratio: number | null };
  freshness_ms: { p50: number | null; p99: number | null };
  overhead_ms: {
    p50: number | null;
    p99: number | null;
    in_process_p50: number | null;
    in_process_p99: number | null;
  };
  drift: {
    ms: number | null;
    scipy_ms: number | null;
    ratio: number | null;
    evidently_ms: number | null;
  };
  mlflow: { runs_per_s: number | null; naive_runs_per_s: number | null; ratio: number | null };
  memory: { rss_mb_start: number | null; rss_mb_end: number | null };
}

/** The benchmarks, in the order they run. */
export const BENCHMARKS = ["ingest", "freshness", "overhead", "drift", "mlflow", "memory"] as const;
/** A benchmark's name. */
export type BenchmarkName = typeof BENCHMARKS[number];
/** The section of {@linkcode Figures} that each benchmark fills. */
export const SECTION_OF: Record<BenchmarkName, keyof Figures> = {
  ingest: "ingest",
  freshness: "freshness_ms",
  overhead: "overhead_ms",
  drift: "drift",
  mlflow: "mlflow",
  memory: "memory",
};

/** The whole document written to `bench/results.json`. */
export interface Results extends Figures {
  machine: { cores: number; memory_gb: number; date: string };
  quick: boolean;
  /** Why a figure is null or how to read it, by dotted figure name. */
  notes: Record<string, string>;
}

/** Figures all null. */
export function emptyFigures(): Figures {
  return {
    ingest: { events_per_s: null, raw_events_per_s: null, ratio: null },
    freshness_ms: { p50: null, p99: null },
    overhead_ms: { p50: null, p99: null, in_process_p50: null, in_process_p99: null },
    drift: { ms: null, scipy_ms: null, ratio: null, evidently_ms: null },
    mlflow: { runs_per_s: null, naive_runs_per_s: null, ratio: null },
    memory: { rss_mb_start: null, rss_mb_end: null },
  };
}

/** Cores, memory (GiB, one decimal) and the date (ISO 8601) of this machine and run. */
export function machineInfo(date = new Date()): Results["machine"] {
  return {
    cores: navigator.hardwareConcurrency,
    memory_gb: Math.round(Deno.systemMemoryInfo().total / 2 ** 30 * 10) / 10,
    date: date.toISOString(),
  };
}

/**
 * Builds the results document: every figure present (null where not measured), numbers
 * rounded, the machine, the mode and the notes. Throws a TypeError on a figure that is neither a
 * finite number nor null, or on a section or field that is not part of the document.
 *
 * @example
 * ```ts
 * const doc = buildResults({ ingest: { ratio: 0.9 } }, { quick: true, machine, notes: {} });
 * doc.ingest.ratio; // 0.9
 * doc.memory.rss_mb_end; // null
 * ```
 */
export function buildResults(
  measured: { [S in keyof Figures]?: Partial<Figures[S]> },
  meta: { quick: boolean; machine: Results["machine"]; notes: Record<string, string> },
): Results {
  const figures = emptyFigures() as unknown as Record<string, Record<string, number | null>>;
  for (const [section, values] of Object.entries(measured)) {
    if (!(section in figures)) throw new TypeError(`Unknown results section "${section}"`);
    for (const [field, value] of Object.entries(values ?? {})) {
      if (!(field in figures[section])) {
        throw new TypeError(`Unknown figure "${section}.${field}"`);
      }
      if (value !== null && (typeof value !== "number" || !Number.isFinite(value))) {
        throw new TypeError(
          `Expected ${section}.${field} to be a finite number or null, found ${value}`,
        );
      }
      figures[section][field] = value === null ? null : round(value, 3);
    }
  }
  return {
    ...(figures as unknown as Figures),
    machine: meta.machine,
    quick: meta.quick,
    notes: { ...meta.notes },
  };
}

/** Writes the results document as indented JSON with a final newline. */
export async function writeResults(path: string, results: Results): Promise<void> {
  await Deno.writeTextFile(path, JSON.stringify(results, null, 2) + "\n");
}

/** One line of the table: a figure, its value, its target and whether the target is met. */
export interface TableRow {
  figure: string;
  value: string;
  target: string;
  status: "met" | "not met" | "n/a" | "";
}

type Getter = (r: Figures) => number | null;
interface TargetDef {
  figure: string;
  value: Getter;
  unit: string;
  target?: string;
  /** True when met; undefined when the target has no figure to judge. */
  met?: (r: Figures) => boolean | null;
}

const ratioOf = (
  a: number | null,
  b: number | null,
) => (a === null || b === null || b === 0 ? null : a / b);

const TARGETS: TargetDef[] = [
  {
    figure: "ingest.events_per_s",
    value: (r) => r.ingest.events_per_s,
    unit: "ev/s",
    target: "≥ 20,000",
    met: (r) => r.ingest.events_per_s === null ? null : r.ingest.events_per_s >= 20_000,
  },
  { figure: "ingest.raw_events_per_s", value: (r) => r.ingest.raw_events_per_s, unit: "ev/s" },
  {
    figure: "ingest.ratio",
    value: (r) => r.ingest.ratio,
    unit: "×",
    target: "≥ 0.8",
    met: (r) => r.ingest.ratio === null ? null : r.ingest.ratio >= 0.8,
  },
  { figure: "freshness_ms.p50", value: (r) => r.freshness_ms.p50, unit: "ms" },
  {
    figure: "freshness_ms.p99",
    value: (r) => r.freshness_ms.p99,
    unit: "ms",
    target: "< 1,000",
    met: (r) => r.freshness_ms.p99 === null ? null : r.freshness_ms.p99 < 1_000,
  },
  { figure: "overhead_ms.p50", value: (r) => r.overhead_ms.p50, unit: "ms" },
  { figure: "overhead_ms.p99", value: (r) => r.overhead_ms.p99, unit: "ms" },
  { figure: "overhead_ms.in_process_p50", value: (r) => r.overhead_ms.in_process_p50, unit: "ms" },
  {
    figure: "overhead_ms.in_process_p99",
    value: (r) => r.overhead_ms.in_process_p99,
    unit: "ms",
    target: "< 1",
    met: (r) => r.overhead_ms.in_process_p99 === null ? null : r.overhead_ms.in_process_p99 < 1,
  },
  { figure: "drift.ms", value: (r) => r.drift.ms, unit: "ms" },
  { figure: "drift.scipy_ms", value: (r) => r.drift.scipy_ms, unit: "ms" },
  {
    figure: "drift.ratio",
    value: (r) => r.drift.ratio,
    unit: "× scipy speed",
    target: "≥ 1 (no slower)",
    met: (r) => r.drift.ratio === null ? null : r.drift.ratio >= 1,
  },
  {
    figure: "drift.evidently_ms",
    value: (r) => r.drift.evidently_ms,
    unit: "ms",
    target: "≥ 10 × drift.ms",
    met: (r) => {
      const speedup = ratioOf(r.drift.evidently_ms, r.drift.ms);
      return speedup === null ? null : speedup >= 10;
    },
  },
  { figure: "mlflow.runs_per_s", value: (r) => r.mlflow.runs_per_s, unit: "runs/s" },
  { figure: "mlflow.naive_runs_per_s", value: (r) => r.mlflow.naive_runs_per_s, unit: "runs/s" },
  {
    figure: "mlflow.ratio",
    value: (r) => r.mlflow.ratio,
    unit: "×",
    target: "≥ 5",
    met: (r) => r.mlflow.ratio === null ? null : r.mlflow.ratio >= 5,
  },
  { figure: "memory.rss_mb_start", value: (r) => r.memory.rss_mb_start, unit: "MB" },
  {
    figure: "memory.rss_mb_end",
    value: (r) => r.memory.rss_mb_end,
    unit: "MB",
    target: "growth < 50 MB",
    met: (r) => {
      const { rss_mb_start: a, rss_mb_end: b } = r.memory;
      return a === null || b === null ? null : b - a < 50;
    },
  },
];

function formatNumber(v: number): string {
  const a = Math.abs(v);
  const digits = a >= 1000 ? 0 : a >= 100 ? 1 : a >= 1 ? 2 : 3;
  return v.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/**
 * The table rows of a results document: each figure with its unit, its target and whether the
 * target is met (`n/a` when the figure was not measured).
 *
 * @example
 * ```ts
 * tableRows(buildResults({ ingest: { ratio: 0.9 } }, meta)).find((r) => r.figure === "ingest.ratio")?.status; // "met"
 * ```
 */
export function tableRows(results: Figures): TableRow[] {
  return TARGETS.map((t) => {
    const v = t.value(results);
    const met = t.met?.(results);
    return {
      figure: t.figure,
      value: v === null ? "—" : `${formatNumber(v)} ${t.unit}`,
      target: t.target ?? "",
      status: t.target === undefined
        ? ""
        : met === null || met === undefined
        ? "n/a"
        : met
        ? "met"
        : "not met",
    };
  });
}

/** Renders rows as an aligned plain-text table. */
export function formatTable(rows: readonly TableRow[]): string {
  const header: TableRow = { figure: "figure", value: "value", target: "target", status: "" };
  const all = [header, ...rows];
  const w = (k: keyof TableRow) => Math.max(...all.map((r) => r[k].length));
  const [wf, wv, wt] = [w("figure"), w("value"), w("target")];
  const line = (r: TableRow) =>
    `${r.figure.padEnd(wf)}  ${r.value.padStart(wv)}  ${r.target.padEnd(wt)}  ${
      r === header ? "status" : r.status
    }`.trimEnd();
  return [line(header), "-".repeat(wf + wv + wt + 14), ...rows.map(line)].join("\n");
}

// --- command line -------------------------------------------------------------------------------

/** Parsed command line of `bench/main.ts`. */
export interface BenchArgs {
  quick: boolean;
  only: BenchmarkName[];
  out: string;
}

/**
 * Parses `--quick`, `--only a,b` (or `--only=a,b`) and `--out path`. Throws a RangeError naming
 * the benchmarks on an unknown one.
 *
 * @example
 * ```ts
 * parseArgs(["--quick", "--only", "drift,ingest"]).only; // ["ingest", "drift"]
 * ```
 */
export function parseArgs(args: readonly string[], defaultOut = "bench/results.json"): BenchArgs {
  let quick = false;
  let only: BenchmarkName[] = [...BENCHMARKS];
  let out = defaultOut;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = (name: string) => {
      if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
      const next = args[++i];
      if (next === undefined) throw new RangeError(`${name} needs a value`);
      return next;
    };
    if (arg === "--quick") quick = true;
    else if (arg === "--only" || arg.startsWith("--only=")) {
      const names = value("--only").split(",").map((s) => s.trim()).filter(Boolean);
      for (const n of names) {
        if (!(BENCHMARKS as readonly string[]).includes(n)) {
          throw new RangeError(
            `Unknown benchmark "${n}"; expected some of ${BENCHMARKS.join(", ")}`,
          );
        }
      }
      only = BENCHMARKS.filter((b) => names.includes(b));
    } else if (arg === "--out" || arg.startsWith("--out=")) out = value("--out");
    else {
      throw new RangeError(
        `Unknown argument "${arg}"; expected --quick, --only name1,name2 or --out path`,
      );
    }
  }
  return { quick, only, out };
}

// --- context ------------------------------------------------------------------------------------

/** What every benchmark gets. */
export interface BenchContext {
  config: StackConfig;
  quick: boolean;
  /** Progress line on standard error. */
  log: (line: string) => void;
  /** Records why a figure is null, or how to read it. */
  note: (figure: string, text: string) => void;
  /** A topic of N response events made for this run (created once, shared, deleted at the end). */
  eventsTopic: (n: number) => Promise<string>;
  /** A temporary folder of this run (removed at the end). */
  tempDir: string;
}

// --- Kafka --------------------------------------------------------------------------------------

/** Every name {@linkcode uniqueName} handed out in this process (consumer groups among them). */
export const UNIQUE_NAMES: Set<string> = new Set();

/** A name unique to this run: `bench-<what>-<random>`. */
export function uniqueName(what: string): string {
  const name = `bench-${what}-${crypto.randomUUID().slice(0, 8)}`;
  UNIQUE_NAMES.add(name);
  return name;
}

/** Deletes the consumer groups that this process named (best effort, once they are empty). */
export async function deleteOwnGroups(kafka: Kafka): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const { groups } = await admin.listGroups();
    const own = groups.map((g) => g.groupId).filter((id) => UNIQUE_NAMES.has(id));
    if (own.length > 0) await admin.deleteGroups(own);
  } catch {
    // best effort
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** Creates a topic of the benchmark's own. */
export async function createTopic(kafka: Kafka, topic: string, partitions = 3): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions: partitions }],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

/** Deletes topics (errors ignored: a benchmark's clean-up never fails it). */
export async function deleteTopics(kafka: Kafka, topics: string[]): Promise<void> {
  if (topics.length === 0) return;
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteTopics({ topics, timeout: 30_000 });
  } catch {
    // best effort
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** A small PRNG (mulberry32), so generated data is the same in every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A small valid response event (a few hundred bytes of JSON) with plausible, varied figures: the
 * `i`-th of a deterministic sequence, with a fresh request id.
 */
export function benchResponse(i: number, random: () => number): ResponseEvent {
  const success = random() >= 0.05;
  const completion = 4 + Math.floor(random() * 60);
  const latency = Math.round(200 + random() * 1800);
  const ts = 1_760_000_000_000 + i * 10;
  return sampleResponse({
    ts,
    ts_start: ts + 1,
    ts_end: ts + 1 + latency,
    model: random() < 0.7 ? "smollm2:135m" : "smollm2:360m",
    user_id: `user-${i % 50}`,
    status: success ? "success" : "error",
    ...(success ? {} : { error: { type: "timeout", message: "call timed out" } }),
    latency_ms: latency,
    ttft_ms: Math.round(20 + random() * 200),
    completion_tokens: success ? completion : 0,
    tokens_per_s: success ? Math.round(completion / (latency / 1000) * 10) / 10 : 0,
    response_chars: success ? completion * 5 : 0,
    response: success ? "Apache Kafka is a distributed event streaming platform." : "",
  });
}

/**
 * Produces `n` response events to a topic as fast as kafkajs allows: batches of
 * 1,000 messages, keyed by request id (so spread over the partitions), a few batches in flight.
 * Returns the seconds it took.
 */
export async function produceEvents(
  kafka: Kafka,
  topic: string,
  n: number,
  make: (i: number) => ResponseEvent,
  log?: (line: string) => void,
): Promise<number> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const t0 = performance.now();
  const batchSize = 1_000; // about 240 KB per partition: under the broker's 1 MB batch limit
  const inFlight = new Set<Promise<unknown>>();
  try {
    for (let start = 0; start < n; start += batchSize) {
      const messages = [];
      for (let i = start; i < Math.min(n, start + batchSize); i++) {
        const event = make(i);
        messages.push({ key: event.request_id, value: JSON.stringify(event) });
      }
      const p: Promise<unknown> = producer.send({ topic, acks: 1, messages }).then(() =>
        inFlight.delete(p)
      );
      inFlight.add(p);
      if (inFlight.size >= 8) await Promise.race(inFlight);
      if (log && start > 0 && start % 200_000 === 0) log(`  produced ${start.toLocaleString()}`);
    }
    await Promise.all(inFlight);
  } finally {
    await producer.disconnect();
  }
  return (performance.now() - t0) / 1000;
}

/** Polls `done` every few milliseconds until true or `timeoutMs` passes; true when done. */
export async function waitFor(
  done: () => boolean,
  timeoutMs: number,
  intervalMs = 5,
): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return true;
}

// --- Python -------------------------------------------------------------------------------------

/**
 * Runs a Python script (written to the temp folder) with the virtualenv's interpreter and parses
 * the last line of its standard output as JSON. Throws with the tail of standard error when the
 * script fails.
 */
export async function runPythonJson<T>(
  python: string,
  tempDir: string,
  name: string,
  script: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<T> {
  const path = `${tempDir}/${name}`;
  await Deno.writeTextFile(path, script);
  const out = await new Deno.Command(python, {
    args: [path, ...args],
    env: { PYTHONWARNINGS: "ignore", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    const stderr = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-8).join("\n");
    throw new Error(`${name} failed (exit ${out.code}): ${stderr}`);
  }
  const last = stdout.split("\n").at(-1) ?? "";
  return JSON.parse(last) as T;
}

/** True when the file exists. */
export async function fileExists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
