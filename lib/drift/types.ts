/**
 * Shared types of the drift library.
 *
 * @module
 */

/** Kind of a column: Evidently's `ColumnType.Numerical` or `ColumnType.Categorical`. */
export type ColumnKind = "numerical" | "categorical";

/** Names of the statistical tests available in the registry. */
export type StatTestName = "ks" | "chisquare" | "z" | "wasserstein" | "jensenshannon" | "psi";

/** A non-missing cell value. */
export type Category = string | number | boolean;

/** A cell value as read from a table: `null`, `undefined`, `""` and `NaN` are missing. */
export type CellValue = Category | null | undefined;

/** A row of a table. */
export type Row = Record<string, unknown>;

/**
 * Result of every drift test: one contract for tests (with a p-value) and distances.
 * `score` is the p-value for tests and the distance for distances; `drifted` compares `score`
 * with `threshold` the way Evidently does for that test.
 */
export interface StatTestResult {
  /** Name of the test that produced the result. */
  stattest: StatTestName;
  /** Test statistic (for distances, the distance itself). */
  statistic: number;
  /** p-value of a statistical test, `null` for distances. */
  p_value: number | null;
  /** The value compared with the threshold: the p-value or the distance. */
  score: number;
  /** Threshold used for the verdict. */
  threshold: number;
  /** Whether drift is detected. */
  drifted: boolean;
}

/** Options common to every drift test. */
export interface StatTestOptions {
  /** Threshold for the verdict; each test has Evidently's default. */
  threshold?: number;
}

/** Options of the binned tests (Jensen–Shannon, PSI), whose binning depends on the column kind. */
export interface BinnedTestOptions extends StatTestOptions {
  /** Column kind: numerical columns with more than 20 distinct reference values are binned. */
  kind?: ColumnKind;
}
