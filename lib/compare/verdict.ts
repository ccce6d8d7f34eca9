/**
 * Plain-language verdicts and a text table of a comparison.
 *
 * @module
 */

import type { ColumnComparison, ComparisonResult } from "./compare.ts";

/** Column names read as durations: a higher value is "slower". `tokens_per_s` is not one. */
const TIME_LIKE = /(^|_)(latency|ttft|duration|elapsed|time)(_|$)|_(s|ms|seconds)$/i;

function isTimeLike(column: string): boolean {
  return TIME_LIKE.test(column) && !/(^|_)per(_|$)/i.test(column);
}

/** p-value as text: two significant digits, "< 0.001" below 0.001. */
function formatP(p: number): string {
  if (p < 0.001) return "< 0.001";
  return `= ${Number(p.toPrecision(2))}`;
}

/** Decimals that show an interval of this width with two significant digits. */
function decimalsFor(width: number): number {
  if (!(width > 0) || !Number.isFinite(width)) return 2;
  return Math.min(6, Math.max(0, 1 - Math.floor(Math.log10(width))));
}

function signed(x: number, decimals: number): string {
  const s = x.toFixed(decimals);
  return x > 0 || (x === 0 && !s.startsWith("-")) ? `+${s}` : s;
}

/**
 * One plain sentence for a compared column, e.g.
 * `latency_s: B is slower: p = 0.003, +0.40 [0.20, 0.60]` (numeric: mean_b − mean_a and its
 * bootstrap interval) or `success: B's rate is lower: p < 0.001, 0.95 → 0.81 (-0.14)` (binary).
 *
 * The p-value is the adjusted one (`p_adjusted`), labelled "adjusted p" when the adjustment
 * changed it. The direction of a numeric column follows the sign of Cliff's delta (the
 * direction Mann–Whitney tests); duration-like names (latency, ttft, …, `_s`, `_ms`) read
 * "slower"/"faster", others "higher"/"lower". Without significance the sentence says
 * "no significant difference". O(1).
 *
 * @example
 * ```ts
 * import { compareColumns } from "./compare.ts";
 * import { verdictText } from "./verdict.ts";
 * const a = [1.0, 1.1, 1.2, 0.9, 1.05, 0.95].map((v) => ({ latency_s: v }));
 * const b = [1.4, 1.5, 1.6, 1.3, 1.45, 1.35].map((v) => ({ latency_s: v }));
 * verdictText(compareColumns(a, b).columns[0]); // "latency_s: B is slower: p = 0.0022, +0.40 [0.29, 0.51]"
 * ```
 */
export function verdictText(column: ColumnComparison): string {
  const name = column.column;
  if (column.p_adjusted === null) {
    return `${name}: no test possible: every value is the same in A and B`;
  }
  const label = column.p_adjusted === column.p_value ? "p" : "adjusted p";
  const p = `${label} ${formatP(column.p_adjusted)}`;
  if (column.kind === "binary") {
    const rates = `${column.rate_a.toFixed(2)} → ${column.rate_b.toFixed(2)} (${
      signed(column.difference, 2)
    })`;
    if (!column.significant) return `${name}: no significant difference: ${p}, ${rates}`;
    return `${name}: B's rate is ${column.difference > 0 ? "higher" : "lower"}: ${p}, ${rates}`;
  }
  const { ci_low, ci_high } = column.tests.bootstrap;
  const d = decimalsFor(ci_high - ci_low);
  const effect = `${signed(column.difference, d)} [${ci_low.toFixed(d)}, ${ci_high.toFixed(d)}]`;
  if (!column.significant) return `${name}: no significant difference: ${p}, ${effect}`;
  const delta = column.tests.cliffs_delta;
  const up = delta !== 0 ? delta > 0 : column.difference > 0;
  const word = isTimeLike(name) ? (up ? "slower" : "faster") : (up ? "higher" : "lower");
  return `${name}: B is ${word}: ${p}, ${effect}`;
}

function fmt(v: number | null): string {
  if (v === null || Number.isNaN(v)) return "-";
  if (v === 0) return "0";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e6 ? v.toFixed(4) : v.toExponential(3);
}

/**
 * Renders a comparison as an aligned plain-text table (one line per column: kind, sizes,
 * A and B means or rates, the difference B − A, the verdict's test, raw and adjusted
 * p-values) followed by one verdict sentence per column and the skipped columns. O(columns).
 *
 * @example
 * ```ts
 * import { compareColumns } from "./compare.ts";
 * import { formatComparison } from "./verdict.ts";
 * const text = formatComparison(compareColumns([{ x: 1 }, { x: 2 }], [{ x: 3 }, { x: 4 }]));
 * text.includes("x: "); // true
 * ```
 */
export function formatComparison(result: ComparisonResult): string {
  const head = ["column", "kind", "n_a", "n_b", "A", "B", "B - A", "test", "p", "p_adj", "sig"];
  const rows = result.columns.map((c) => [
    c.column,
    c.kind,
    String(c.n_a),
    String(c.n_b),
    fmt(c.kind === "numeric" ? c.mean_a : c.rate_a),
    fmt(c.kind === "numeric" ? c.mean_b : c.rate_b),
    fmt(c.difference),
    c.decided_by,
    fmt(c.p_value),
    fmt(c.p_adjusted),
    c.significant ? "YES" : "no",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const right = new Set([2, 3, 4, 5, 6, 8, 9]);
  const line = (r: string[]) =>
    r.map((cell, i) => (right.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join("  ").trimEnd();
  const out = [
    `A rows: ${result.a_rows}   B rows: ${result.b_rows}   alpha: ${result.alpha}   adjustment: ${result.adjust}`,
    "",
    line(head),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
    "",
    ...result.columns.map(verdictText),
  ];
  if (result.skipped.length > 0) {
    out.push("", "skipped:", ...result.skipped.map((s) => `  ${s.column}: ${s.reason}`));
  }
  return out.join("\n");
}
