/**
 * The results document `bench/results.json`: its figures by benchmark, building it with every
 * figure present (null where not measured), and writing it.
 *
 * @module
 */

import { round } from "./_stats.ts";

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
  gateway: {
    added_ms_p50: number | null;
    added_ms_p99: number | null;
    throughput_ratio: number | null;
  };
  otlp: { spans_per_s: number | null };
  mlflow: {
    runs_per_s: number | null;
    naive_runs_per_s: number | null;
    ratio: number | null;
    runs_per_s_postgresql: number | null;
  };
  memory: { rss_mb_start: number | null; rss_mb_warm: number | null; rss_mb_end: number | null };
  llm: {
    calls_per_s: number | null;
    direct_calls_per_s: number | null;
    throughput_ratio: number | null;
  };
}

/** The benchmarks, in the order they run. */
export const BENCHMARKS = [
  "ingest",
  "freshness",
  "overhead",
  "drift",
  "mlflow",
  "memory",
  "gateway",
  "otlp",
  "llm",
] as const;
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
  gateway: "gateway",
  otlp: "otlp",
  llm: "llm",
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
    mlflow: { runs_per_s: null, naive_runs_per_s: null, ratio: null, runs_per_s_postgresql: null },
    memory: { rss_mb_start: null, rss_mb_warm: null, rss_mb_end: null },
    gateway: { added_ms_p50: null, added_ms_p99: null, throughput_ratio: null },
    otlp: { spans_per_s: null },
    llm: { calls_per_s: null, direct_calls_per_s: null, throughput_ratio: null },
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
