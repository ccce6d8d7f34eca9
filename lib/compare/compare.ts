/**
 * Column-by-column comparison of two tables (A and B): the tests of each column kind, adjusted
 * p-values across columns and a verdict.
 *
 * @module
 */

import { ADJUST_METHODS, type AdjustMethod, adjustPValues } from "./adjust.ts";
import {
  BOOTSTRAP_DEFAULT_LEVEL,
  BOOTSTRAP_DEFAULT_RESAMPLES,
  BOOTSTRAP_DEFAULT_SEED,
  bootstrapMeanDiff,
} from "./bootstrap.ts";
import { cliffsDelta } from "./cliffs_delta.ts";
import { fisherExact } from "./fisher_exact.ts";
import { mannWhitneyU } from "./mann_whitney.ts";
import { twoProportionZ } from "./two_proportion.ts";
import { welchT } from "./welch_t.ts";
import { checkPositiveInteger, checkUnitInterval, describe, mean } from "./_validate.ts";

/** A row of a table: column name → cell. */
export type Row = Record<string, unknown>;

/** How a column is compared. */
export type ComparisonKind = "numeric" | "binary";

/** Default significance level. */
export const COMPARE_DEFAULT_ALPHA = 0.05;
/** Default multiple-testing adjustment. */
export const COMPARE_DEFAULT_ADJUST: AdjustMethod = "holm";

/** Options of {@linkcode compareColumns}. */
export interface CompareOptions {
  /**
   * Columns to compare. Without it, every column present in both tables whose cells are all
   * numbers or true/false is compared, and the others are listed in `skipped`.
   */
  columns?: readonly string[];
  /** Significance level in (0, 1), default 0.05. */
  alpha?: number;
  /** Adjustment of the p-values across columns: `"holm"` (default) or `"bh"`. */
  adjust?: AdjustMethod;
  /** Bootstrap confidence level, default 0.95. */
  level?: number;
  /** Bootstrap resamples, default 2000. */
  resamples?: number;
  /** Bootstrap seed, default 1 (every column uses it, so a column's interval does not depend on
   * which other columns are compared). */
  seed?: number;
}

/** Fields common to both kinds of column result. */
interface ColumnComparisonBase {
  /** Column name. */
  column: string;
  /** Non-missing values in A. */
  n_a: number;
  /** Non-missing values in B. */
  n_b: number;
  /** mean_b − mean_a (numeric) or rate_b − rate_a (binary). */
  difference: number;
  /** The raw p-value the verdict uses: Mann–Whitney's (numeric) or Fisher's (binary). */
  p_value: number;
  /** Which test gave `p_value`. */
  decided_by: "mann_whitney" | "fisher_exact";
  /** `p_value` adjusted across the compared columns; null when `p_value` is NaN. */
  p_adjusted: number | null;
  /** p_adjusted < alpha. */
  significant: boolean;
}

/** Result for a numeric column. */
export interface NumericComparison extends ColumnComparisonBase {
  kind: "numeric";
  /** Mean of A. */
  mean_a: number;
  /** Mean of B. */
  mean_b: number;
  tests: {
    /** As scipy's `mannwhitneyu(a, b)`: U of sample a, two-sided p-value. */
    mann_whitney: { statistic: number; p_value: number };
    /** As scipy's `ttest_ind(a, b, equal_var=False)`: t of mean_a − mean_b. */
    welch_t: { statistic: number; df: number; p_value: number };
    /** Percentile bootstrap interval of mean_b − mean_a. */
    bootstrap: { ci_low: number; ci_high: number; level: number };
    /** Cliff's delta, positive when B's values tend to be larger. */
    cliffs_delta: number;
  };
}

/** Result for a binary (0/1, true/false) column. */
export interface BinaryComparison extends ColumnComparisonBase {
  kind: "binary";
  /** Share of 1/true in A. */
  rate_a: number;
  /** Share of 1/true in B. */
  rate_b: number;
  tests: {
    /** Pooled two-proportion z-test: z of rate_a − rate_b. */
    two_proportion_z: { statistic: number; p_value: number };
    /** As scipy's `fisher_exact([[1s in A, 0s in A], [1s in B, 0s in B]])`. */
    fisher_exact: { odds_ratio: number; p_value: number };
  };
}

/** Result for one column. */
export type ColumnComparison = NumericComparison | BinaryComparison;

/** A column left out of an automatic selection, and why. */
export interface SkippedColumn {
  column: string;
  reason: string;
}

/** Result of {@linkcode compareColumns}: the JSON object of `deno task compare --json`. */
export interface ComparisonResult {
  /** Rows in A. */
  a_rows: number;
  /** Rows in B. */
  b_rows: number;
  /** Significance level. */
  alpha: number;
  /** Adjustment method of `p_adjusted`. */
  adjust: AdjustMethod;
  /** One result per compared column, in column order. */
  columns: ColumnComparison[];
  /** Columns not compared (automatic selection only). */
  skipped: SkippedColumn[];
}

type Cell = { kind: "missing" } | { kind: "number"; value: number } | {
  kind: "boolean";
  value: boolean;
} | { kind: "text"; value: unknown };

function readCell(v: unknown): Cell {
  if (v === null || v === undefined) return { kind: "missing" };
  if (typeof v === "number") {
    return Number.isNaN(v) ? { kind: "missing" } : { kind: "number", value: v };
  }
  if (typeof v === "boolean") return { kind: "boolean", value: v };
  if (typeof v === "string") {
    const t = v.trim().toLowerCase();
    if (t === "") return { kind: "missing" };
    if (t === "true") return { kind: "boolean", value: true };
    if (t === "false") return { kind: "boolean", value: false };
  }
  return { kind: "text", value: v };
}

type Extracted =
  | { ok: true; kind: ComparisonKind; a: number[]; b: number[] }
  | { ok: false; reason: string };

/** Reads one column of both tables and decides its kind, or says why it cannot be compared. */
function extract(a: readonly Row[], b: readonly Row[], column: string): Extracted {
  const values: Record<"A" | "B", number[]> = { A: [], B: [] };
  let allBinary = true;
  let sawBoolean = false;
  for (const [label, rows] of [["A", a], ["B", b]] as const) {
    for (let i = 0; i < rows.length; i++) {
      const cell = readCell(rows[i][column]);
      if (cell.kind === "missing") continue;
      if (cell.kind === "text") {
        return {
          ok: false,
          reason: `column "${column}" holds text (${describe(cell.value)} in row ${
            i + 1
          } of ${label}); expected numbers or true/false`,
        };
      }
      if (cell.kind === "boolean") {
        sawBoolean = true;
        values[label].push(cell.value ? 1 : 0);
        continue;
      }
      if (!Number.isFinite(cell.value)) {
        return {
          ok: false,
          reason: `column "${column}" holds ${cell.value} in row ${
            i + 1
          } of ${label}; expected finite numbers`,
        };
      }
      if (cell.value !== 0 && cell.value !== 1) allBinary = false;
      values[label].push(cell.value);
    }
  }
  if (sawBoolean && !allBinary) {
    return {
      ok: false,
      reason: `column "${column}" mixes true/false with numbers other than 0 and 1`,
    };
  }
  for (const label of ["A", "B"] as const) {
    if (values[label].length < 2) {
      return {
        ok: false,
        reason: `column "${column}" has ${values[label].length} value${
          values[label].length === 1 ? "" : "s"
        } in ${label}; at least 2 are needed`,
      };
    }
  }
  return { ok: true, kind: allBinary ? "binary" : "numeric", a: values.A, b: values.B };
}

function namesOf(rows: readonly Row[]): Set<string> {
  const names = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) names.add(k);
  return names;
}

function checkRows(rows: unknown, label: string): asserts rows is Row[] {
  if (!Array.isArray(rows)) throw new TypeError(`Expected ${label} to be an array of rows`);
  if (rows.length === 0) throw new RangeError(`Expected ${label} to hold at least one row`);
  rows.forEach((r, i) => {
    if (r === null || typeof r !== "object" || Array.isArray(r)) {
      throw new TypeError(
        `Expected row ${i + 1} of ${label} to be an object, found ${describe(r)}`,
      );
    }
  });
}

type Unadjusted =
  | Omit<NumericComparison, "p_adjusted" | "significant">
  | Omit<
    BinaryComparison,
    "p_adjusted" | "significant"
  >;

function numericColumn(
  column: string,
  a: number[],
  b: number[],
  boot: { level: number; resamples: number; seed: number },
): Unadjusted {
  const mw = mannWhitneyU(a, b);
  const t = welchT(a, b);
  const ci = bootstrapMeanDiff(a, b, boot);
  const meanA = mean(a);
  const meanB = mean(b);
  return {
    column,
    kind: "numeric",
    n_a: a.length,
    n_b: b.length,
    mean_a: meanA,
    mean_b: meanB,
    difference: meanB - meanA,
    tests: {
      mann_whitney: { statistic: mw.statistic, p_value: mw.p_value },
      welch_t: { statistic: t.statistic, df: t.df, p_value: t.p_value },
      bootstrap: { ci_low: ci.ci_low, ci_high: ci.ci_high, level: ci.level },
      cliffs_delta: cliffsDelta(a, b),
    },
    p_value: mw.p_value,
    decided_by: "mann_whitney",
  };
}

function binaryColumn(column: string, a: number[], b: number[]): Unadjusted {
  const z = twoProportionZ(a, b);
  const onesA = a.reduce((s, v) => s + v, 0);
  const onesB = b.reduce((s, v) => s + v, 0);
  const fisher = fisherExact([[onesA, a.length - onesA], [onesB, b.length - onesB]]);
  return {
    column,
    kind: "binary",
    n_a: a.length,
    n_b: b.length,
    rate_a: z.rate_a,
    rate_b: z.rate_b,
    difference: z.rate_b - z.rate_a,
    tests: {
      two_proportion_z: { statistic: z.statistic, p_value: z.p_value },
      fisher_exact: { odds_ratio: fisher.odds_ratio, p_value: fisher.p_value },
    },
    p_value: fisher.p_value,
    decided_by: "fisher_exact",
  };
}

/**
 * Compares tables A and B column by column.
 *
 * A column is **binary** when every non-missing cell in both tables is 0, 1, true or false
 * (also the CSV texts "true"/"false"), otherwise **numeric** (finite numbers). Missing cells
 * (null, empty, NaN, absent) are dropped; each side needs at least 2 values.
 *
 * - numeric: Mann–Whitney U, Welch's t, a seeded percentile bootstrap interval of
 *   mean_b − mean_a and Cliff's delta; the verdict uses **Mann–Whitney's p-value** (it needs no
 *   normality and is robust to the long tails of latencies and token counts).
 * - binary: pooled two-proportion z-test and Fisher's exact test; the verdict uses **Fisher's
 *   p-value** (exact at any sample size).
 *
 * The verdict p-values of all compared columns are adjusted together (Holm by default, or
 * Benjamini–Hochberg); `significant` is p_adjusted < alpha. A column whose p-value is NaN (every
 * value the same on both sides) gets p_adjusted null, is not significant and does not count in
 * the adjustment.
 *
 * With `columns`, an unknown column, text, non-finite numbers or fewer than 2 values throw a
 * RangeError whose message names the column; without it, such columns are listed in `skipped`
 * and a RangeError is thrown only when nothing is left to compare. Bad options throw
 * RangeError. Inputs are never modified. O(columns · (R·n + n log n)), R bootstrap resamples.
 *
 * @example
 * ```ts
 * import { compareColumns } from "./compare.ts";
 * const a = [{ latency_s: 1.2, ok: 1 }, { latency_s: 1.4, ok: 1 }, { latency_s: 1.1, ok: 0 }];
 * const b = [{ latency_s: 2.2, ok: 1 }, { latency_s: 2.5, ok: 1 }, { latency_s: 2.1, ok: 1 }];
 * const r = compareColumns(a, b);
 * r.columns.map((c) => c.kind); // ["numeric", "binary"]
 * ```
 */
export function compareColumns(
  a: readonly Row[],
  b: readonly Row[],
  options: CompareOptions = {},
): ComparisonResult {
  checkRows(a, "A");
  checkRows(b, "B");
  const alpha = checkUnitInterval(options.alpha ?? COMPARE_DEFAULT_ALPHA, "alpha");
  const adjust = options.adjust ?? COMPARE_DEFAULT_ADJUST;
  if (!ADJUST_METHODS.includes(adjust)) {
    throw new RangeError(
      `Expected adjust "holm" or "bh", found ${JSON.stringify(adjust)}`,
    );
  }
  const boot = {
    level: checkUnitInterval(options.level ?? BOOTSTRAP_DEFAULT_LEVEL, "level"),
    resamples: checkPositiveInteger(options.resamples ?? BOOTSTRAP_DEFAULT_RESAMPLES, "resamples"),
    seed: options.seed ?? BOOTSTRAP_DEFAULT_SEED,
  };
  if (!Number.isInteger(boot.seed)) {
    throw new RangeError(`Expected an integer seed, found ${boot.seed}`);
  }
  const namesA = namesOf(a);
  const namesB = namesOf(b);
  const explicit = options.columns !== undefined;
  const skipped: SkippedColumn[] = [];
  let candidates: string[];
  if (explicit) {
    candidates = [...new Set(options.columns!)];
    if (candidates.length === 0) throw new RangeError("Expected at least one column to compare");
    for (const c of candidates) {
      if (typeof c !== "string") throw new TypeError(`Expected column names, found ${describe(c)}`);
      const inA = namesA.has(c);
      const inB = namesB.has(c);
      if (!inA || !inB) {
        const where = !inA && !inB ? "A or B" : !inA ? "A" : "B";
        const known = [...namesA].filter((n) => namesB.has(n));
        throw new RangeError(
          `unknown column "${c}": not in ${where}; columns in both: ${known.join(", ") || "none"}`,
        );
      }
    }
  } else {
    candidates = [...new Set([...namesA, ...namesB])];
    for (const c of candidates) {
      if (!namesA.has(c) || !namesB.has(c)) {
        skipped.push({ column: c, reason: `only in ${namesA.has(c) ? "A" : "B"}` });
      }
    }
    candidates = candidates.filter((c) => namesA.has(c) && namesB.has(c));
  }
  const compared: Unadjusted[] = [];
  for (const column of candidates) {
    const e = extract(a, b, column);
    if (!e.ok) {
      if (explicit) throw new RangeError(e.reason);
      skipped.push({ column, reason: e.reason });
      continue;
    }
    compared.push(
      e.kind === "numeric" ? numericColumn(column, e.a, e.b, boot) : binaryColumn(column, e.a, e.b),
    );
  }
  if (compared.length === 0) {
    throw new RangeError(
      `no comparable columns: ${skipped.map((s) => `${s.column} (${s.reason})`).join("; ")}`,
    );
  }
  const family = compared.filter((c) => !Number.isNaN(c.p_value));
  const adjusted = adjustPValues(family.map((c) => c.p_value), adjust);
  const byColumn = new Map(family.map((c, i) => [c.column, adjusted[i]]));
  const columns = compared.map((c) => {
    const p = byColumn.get(c.column) ?? null;
    return { ...c, p_adjusted: p, significant: p !== null && p < alpha } as ColumnComparison;
  });
  return { a_rows: a.length, b_rows: b.length, alpha, adjust, columns, skipped };
}
