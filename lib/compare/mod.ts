/**
 * A/B comparison statistics: the tests of two samples that scipy offers, computed in
 * TypeScript with the same numbers, and a column-by-column comparison of two tables with
 * adjusted p-values and plain verdicts. Browser-safe (no `Deno.*`), except `cli.ts`.
 *
 * @example
 * ```ts
 * import { compareColumns, mannWhitneyU, verdictText } from "./mod.ts";
 * mannWhitneyU([1, 2, 3], [4, 5, 6, 7]).p_value; // ≈ 0.0571
 * const a = [1.0, 1.1, 1.2, 0.9, 1.05, 0.95].map((v) => ({ latency_s: v }));
 * const b = [1.4, 1.5, 1.6, 1.3, 1.45, 1.35].map((v) => ({ latency_s: v }));
 * verdictText(compareColumns(a, b).columns[0]); // "latency_s: B is slower: …"
 * ```
 *
 * @module
 */

export {
  MANN_WHITNEY_EXACT_MAX_N,
  mannWhitneyExactSf,
  type MannWhitneyMethod,
  type MannWhitneyOptions,
  type MannWhitneyResult,
  mannWhitneyU,
} from "./mann_whitney.ts";
export { welchT, type WelchTResult } from "./welch_t.ts";
export {
  BOOTSTRAP_DEFAULT_LEVEL,
  BOOTSTRAP_DEFAULT_RESAMPLES,
  BOOTSTRAP_DEFAULT_SEED,
  bootstrapMeanDiff,
  type BootstrapOptions,
  type BootstrapResult,
} from "./bootstrap.ts";
export { cliffsDelta } from "./cliffs_delta.ts";
export { type TwoProportionResult, twoProportionZ } from "./two_proportion.ts";
export {
  FISHER_RELATIVE_TOLERANCE,
  fisherExact,
  type FisherExactResult,
  type Table2x2,
} from "./fisher_exact.ts";
export {
  ADJUST_METHODS,
  type AdjustMethod,
  adjustPValues,
  benjaminiHochberg,
  holm,
} from "./adjust.ts";
export {
  type BinaryComparison,
  type ColumnComparison,
  COMPARE_DEFAULT_ADJUST,
  COMPARE_DEFAULT_ALPHA,
  compareColumns,
  type CompareOptions,
  type ComparisonKind,
  type ComparisonResult,
  type NumericComparison,
  type Row,
  type SkippedColumn,
} from "./compare.ts";
export { formatComparison, verdictText } from "./verdict.ts";
export { betainc, studentTSf } from "./_betainc.ts";
export { mulberry32, type Random, randomIndex, randomNormal } from "./_prng.ts";
export {
  comparableColumns,
  type ComparableResponse,
  COMPARE_COLUMNS,
  compareSelections,
  type ComparisonRow,
  comparisonRow,
  comparisonRows,
  feedbackByRequest,
  type FeedbackLike,
  numericTable,
  type RequestFeedback,
  ROW_NUMERIC_COLUMNS,
  type Selection,
  type SelectionComparison,
  selectionLabel,
  selectRows,
  sortRows,
} from "./response_rows.ts";
export {
  defaultSelections,
  groupCounts,
  type SelectionChoice,
  timeHalves,
} from "./default_selections.ts";
