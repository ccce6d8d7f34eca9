/**
 * Pure data shaping for the Drift Analysis tab's charts and tables: shared-bin histograms and
 * category shares of reference vs current, correlation cells, and tolerant readers of the
 * report's optional parts.
 *
 * @module
 */

import type { ColumnQuality } from "../../lib/drift/mod.ts";
import type { CorrelationMatrixBody, DriftReportBody } from "./types.ts";

/** Which dataset a value comes from. */
export type Side = "reference" | "current";

/** One bar of an overlaid histogram: the share of the side's values in [x0, x1). */
export interface ShareBin {
  side: Side;
  x0: number;
  x1: number;
  share: number;
  count: number;
}

function finiteNumbers(values: readonly unknown[]): number[] {
  return values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
}

/**
 * Histograms of reference and current over the same equal-width bins spanning both, as shares of
 * each side (so sides of different sizes compare). The last bin includes its upper edge. A
 * constant sample gets one bin of width 1 centred on it. O(n).
 *
 * @example
 * ```ts
 * sharedHistogram([1, 2], [2, 3], 2).filter((b) => b.side === "current").map((b) => b.share);
 * // [0, 1]
 * ```
 */
export function sharedHistogram(
  reference: readonly unknown[],
  current: readonly unknown[],
  bins = 20,
): ShareBin[] {
  if (!Number.isInteger(bins) || bins < 1) {
    throw new RangeError(`Expected a positive whole number of bins, found ${bins}`);
  }
  const ref = finiteNumbers(reference);
  const cur = finiteNumbers(current);
  const all = ref.concat(cur);
  if (all.length === 0) return [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of all) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
    bins = 1;
  }
  const width = (hi - lo) / bins;
  const out: ShareBin[] = [];
  for (const [side, values] of [["reference", ref], ["current", cur]] as const) {
    const counts = new Array<number>(bins).fill(0);
    for (const v of values) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
    for (let i = 0; i < bins; i++) {
      out.push({
        side,
        x0: lo + i * width,
        x1: i === bins - 1 ? hi : lo + (i + 1) * width,
        share: values.length ? counts[i] / values.length : 0,
        count: counts[i],
      });
    }
  }
  return out;
}

/** The share of one category in one side. */
export interface CategoryShare {
  side: Side;
  category: string;
  share: number;
  count: number;
}

/**
 * Shares of each category in reference and current, categories ordered by their total count
 * (most frequent first), at most `maxCategories` (the rest summed as "other"). Missing values
 * (null, "") are left out. O(n + k log k).
 *
 * @example
 * ```ts
 * categoryShares(["a", "a", "b"], ["b"]).find((s) => s.side === "current" && s.category === "b")
 *   ?.share; // 1
 * ```
 */
export function categoryShares(
  reference: readonly unknown[],
  current: readonly unknown[],
  maxCategories = 12,
): CategoryShare[] {
  const count = (values: readonly unknown[]) => {
    const m = new Map<string, number>();
    let n = 0;
    for (const v of values) {
      if (v === null || v === undefined || v === "" || Number.isNaN(v)) continue;
      const k = String(v);
      m.set(k, (m.get(k) ?? 0) + 1);
      n++;
    }
    return { m, n };
  };
  const r = count(reference);
  const c = count(current);
  const totals = new Map<string, number>();
  for (const { m } of [r, c]) for (const [k, v] of m) totals.set(k, (totals.get(k) ?? 0) + v);
  const ordered = [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k]) => k);
  const kept = ordered.length > maxCategories ? ordered.slice(0, maxCategories - 1) : ordered;
  const keptSet = new Set(kept);
  const hasOther = kept.length < ordered.length;
  const out: CategoryShare[] = [];
  for (const [side, { m, n }] of [["reference", r], ["current", c]] as const) {
    for (const k of kept) {
      const cnt = m.get(k) ?? 0;
      out.push({ side, category: k, count: cnt, share: n ? cnt / n : 0 });
    }
    if (hasOther) {
      let cnt = 0;
      for (const [k, v] of m) if (!keptSet.has(k)) cnt += v;
      out.push({ side, category: "other", count: cnt, share: n ? cnt / n : 0 });
    }
  }
  return out;
}

/** One cell of a correlation heat map. */
export interface CorrelationCell {
  x: string;
  y: string;
  value: number | null;
}

/**
 * The matrix `method` ("pearson" or "spearman") of one dataset's correlations, whether the
 * report holds `{pearson: {columns, values}}` (lib/drift) or `{columns, pearson: values}`.
 * Null when absent or malformed.
 */
export function correlationMatrix(
  correlations: Record<string, unknown> | undefined | null,
  method: "pearson" | "spearman",
): CorrelationMatrixBody | null {
  if (!correlations || typeof correlations !== "object") return null;
  const m = correlations[method] as unknown;
  if (m && typeof m === "object" && !Array.isArray(m)) {
    const { columns, values } = m as Partial<CorrelationMatrixBody>;
    if (Array.isArray(columns) && Array.isArray(values)) return { columns, values };
  }
  const columns = correlations.columns;
  if (Array.isArray(m) && Array.isArray(columns)) {
    return { columns: columns as string[], values: m as (number | null)[][] };
  }
  return null;
}

/**
 * Cells of a correlation matrix for a heat map (row-major). O(k²).
 *
 * @example
 * ```ts
 * correlationCells({ columns: ["a", "b"], values: [[1, 0.5], [0.5, 1]] }).length; // 4
 * ```
 */
export function correlationCells(matrix: CorrelationMatrixBody): CorrelationCell[] {
  const cells: CorrelationCell[] = [];
  matrix.columns.forEach((y, i) => {
    matrix.columns.forEach((x, j) => {
      const v = matrix.values[i]?.[j];
      cells.push({ x, y, value: typeof v === "number" && Number.isFinite(v) ? v : null });
    });
  });
  return cells;
}

/** The quality rows of a report, whether it holds an array or an object keyed by column. */
export function qualityRows(report: DriftReportBody | null | undefined): ColumnQuality[] {
  const q = report?.quality;
  if (!q) return [];
  const rows = Array.isArray(q)
    ? q
    : Object.entries(q).map(([column, v]) => ({ ...v, column: v?.column ?? column }));
  return rows.filter((r) => r && typeof r === "object" && r.reference && r.current);
}

/** One drift window as the Drift tab shows it. */
export interface WindowSummary {
  /** "Reference" or "Current". */
  name: string;
  /** How the window is chosen, e.g. "first 200 responses" or "baseline file ref.json". */
  rule: string;
  /** Rows held against the configured size, e.g. "150 of 200". */
  rows: string;
  /** Time of the oldest and newest row held, or "—" when empty. */
  range: string;
  /** A caveat to show with the window, or null. */
  note: string | null;
}

/**
 * The reference and current windows of the drift monitor (`WindowsDescription` from
 * `lib/drift/windows.ts`) as sentences; `time` formats epoch milliseconds. Fields that are
 * missing or of the wrong type read as "—" rather than failing.
 *
 * @example
 * ```ts
 * windowSummaries({ current: { kind: "newest_m", size: 200, rows: 120, from: 0, to: 1 } }, String);
 * // [{ name: "Current", rule: "newest 200 responses", rows: "120 of 200", range: "0 – 1", note: null }]
 * ```
 */
export function windowSummaries(
  windows: Record<string, unknown> | undefined | null,
  time: (ms: number) => string,
): WindowSummary[] {
  if (!windows || typeof windows !== "object") return [];
  const out: WindowSummary[] = [];
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  const describe = (name: string, raw: unknown, rule: (w: Record<string, unknown>) => string) => {
    if (!raw || typeof raw !== "object") return;
    const w = raw as Record<string, unknown>;
    const size = num(w.size);
    const rows = num(w.rows);
    const from = num(w.from);
    const to = num(w.to);
    out.push({
      name,
      rule: rule(w),
      rows: `${rows ?? "—"} of ${size ?? "—"}`,
      range: from === null || to === null ? "—" : `${time(from)} – ${time(to)}`,
      note: w.contiguous === false
        ? "Enlarged after some of its rows had moved on: it holds the first responses plus later ones."
        : null,
    });
  };
  describe(
    "Reference",
    windows.reference,
    (w) =>
      w.kind === "baseline"
        ? `baseline file ${typeof w.label === "string" ? w.label : "(unnamed)"}`
        : `first ${num(w.size) ?? "—"} responses`,
  );
  describe("Current", windows.current, (w) => `newest ${num(w.size) ?? "—"} responses`);
  return out;
}

/** A positive whole number from the windows object, by the first key found. */
export function windowSize(
  windows: Record<string, unknown> | undefined | null,
  keys: readonly string[],
): number | null {
  if (!windows) return null;
  for (const key of keys) {
    const direct = windows[key];
    if (typeof direct === "number" && Number.isFinite(direct)) return direct;
    const [a, b] = key.split(".");
    const nested = b ? (windows[a] as Record<string, unknown> | undefined)?.[b] : undefined;
    if (typeof nested === "number" && Number.isFinite(nested)) return nested;
  }
  return null;
}

/**
 * A readable line for one alert, whatever its shape: the drift monitor's `{at, drifted_columns,
 * share}` reads as a sentence (its time through `formatTime` when given).
 */
export function alertText(alert: unknown, formatTime?: (ms: number) => string): string {
  if (typeof alert === "string") return alert;
  if (alert && typeof alert === "object") {
    const a = alert as Record<string, unknown>;
    if (typeof a.message === "string") return a.message;
    if (Array.isArray(a.drifted_columns) && typeof a.share === "number") {
      const when = typeof a.at === "number" && formatTime ? `${formatTime(a.at)}: ` : "";
      const columns = a.drifted_columns.map(String);
      return `${when}dataset drift, ${columns.length} columns drifted (${
        Math.round(a.share * 100)
      }%): ${columns.join(", ")}`;
    }
    return JSON.stringify(alert);
  }
  return String(alert);
}
