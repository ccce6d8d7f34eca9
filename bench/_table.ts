/**
 * The table `deno task bench` prints: each figure with its unit, its target, and whether the
 * target is met.
 *
 * @module
 */

import type { Figures } from "./_results.ts";

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
    target: "≥ 70,000",
    met: (r) => r.ingest.events_per_s === null ? null : r.ingest.events_per_s >= 70_000,
  },
  { figure: "ingest.raw_events_per_s", value: (r) => r.ingest.raw_events_per_s, unit: "ev/s" },
  {
    figure: "ingest.ratio",
    value: (r) => r.ingest.ratio,
    unit: "×",
    target: "≥ 0.5",
    met: (r) => r.ingest.ratio === null ? null : r.ingest.ratio >= 0.5,
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
  {
    figure: "mlflow.runs_per_s",
    value: (r) => r.mlflow.runs_per_s,
    unit: "runs/s",
    target: "≥ 40",
    met: (r) => r.mlflow.runs_per_s === null ? null : r.mlflow.runs_per_s >= 40,
  },
  { figure: "mlflow.naive_runs_per_s", value: (r) => r.mlflow.naive_runs_per_s, unit: "runs/s" },
  {
    figure: "mlflow.ratio",
    value: (r) => r.mlflow.ratio,
    unit: "×",
    target: "≥ 10",
    met: (r) => r.mlflow.ratio === null ? null : r.mlflow.ratio >= 10,
  },
  {
    figure: "mlflow.runs_per_s_postgresql",
    value: (r) => r.mlflow.runs_per_s_postgresql,
    unit: "runs/s",
  },
  { figure: "memory.rss_mb_start", value: (r) => r.memory.rss_mb_start, unit: "MB" },
  { figure: "memory.rss_mb_warm", value: (r) => r.memory.rss_mb_warm, unit: "MB" },
  {
    figure: "memory.rss_mb_end",
    value: (r) => r.memory.rss_mb_end,
    unit: "MB",
    target: "growth from warm < 25 MB",
    met: (r) => {
      const { rss_mb_warm: a, rss_mb_end: b } = r.memory;
      return a === null || b === null ? null : b - a < 25;
    },
  },
  {
    figure: "gateway.added_ms_p50",
    value: (r) => r.gateway.added_ms_p50,
    unit: "ms",
    target: "< 2",
    met: (r) => r.gateway.added_ms_p50 === null ? null : r.gateway.added_ms_p50 < 2,
  },
  { figure: "gateway.added_ms_p99", value: (r) => r.gateway.added_ms_p99, unit: "ms" },
  {
    figure: "gateway.throughput_ratio",
    value: (r) => r.gateway.throughput_ratio,
    unit: "×",
    target: "≥ 0.95",
    met: (r) => r.gateway.throughput_ratio === null ? null : r.gateway.throughput_ratio >= 0.95,
  },
  {
    figure: "otlp.spans_per_s",
    value: (r) => r.otlp.spans_per_s,
    unit: "spans/s",
    target: "≥ 10,000",
    met: (r) => r.otlp.spans_per_s === null ? null : r.otlp.spans_per_s >= 10_000,
  },
  { figure: "llm.calls_per_s", value: (r) => r.llm.calls_per_s, unit: "calls/s" },
  { figure: "llm.direct_calls_per_s", value: (r) => r.llm.direct_calls_per_s, unit: "calls/s" },
  {
    figure: "llm.throughput_ratio",
    value: (r) => r.llm.throughput_ratio,
    unit: "×",
    target: "≥ 0.95",
    met: (r) => r.llm.throughput_ratio === null ? null : r.llm.throughput_ratio >= 0.95,
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
