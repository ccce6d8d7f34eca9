/**
 * The traffic-light verdict of one column's drift test, as the Drift Analysis tab colours it:
 * green (no drift), yellow (close to the threshold: monitor), red (drift: investigate).
 *
 * @module
 */

/** Verdict of one column: no drift, close to drifting, or drifted. */
export type Verdict = "ok" | "close" | "drift";

/** Tests whose score is a p-value: drift when the p-value is small. */
export const P_VALUE_TESTS: readonly string[] = Object.freeze(["ks", "chisquare", "z"]);

/** Tests whose score is a distance: drift when the distance is large. */
export const DISTANCE_TESTS: readonly string[] = Object.freeze([
  "wasserstein",
  "jensenshannon",
  "psi",
]);

/** The fields of a column drift result that the verdict reads. */
export interface VerdictInput {
  stattest: string;
  /** The p-value for tests, the distance for distances; null when it could not be computed. */
  score: number | null;
  threshold: number | null;
  drifted: boolean;
  p_value?: number | null;
}

/**
 * Verdict of one column:
 * - `drift` when the test says the column drifted;
 * - `close` when it did not, but for a p-value test (ks, chisquare, z) the p-value is below twice
 *   the threshold, or for a distance (wasserstein, jensenshannon, psi) the score is above half the
 *   threshold;
 * - `ok` otherwise (also when the score or threshold is missing).
 *
 * An unknown test name is treated as a p-value test when it reports a p-value, else as a distance.
 * O(1).
 *
 * @example
 * ```ts
 * columnVerdict({ stattest: "ks", score: 0.08, threshold: 0.05, drifted: false }); // "close"
 * columnVerdict({ stattest: "wasserstein", score: 0.02, threshold: 0.1, drifted: false }); // "ok"
 * columnVerdict({ stattest: "psi", score: 0.3, threshold: 0.1, drifted: true }); // "drift"
 * ```
 */
export function columnVerdict(column: VerdictInput): Verdict {
  if (column === null || typeof column !== "object") {
    throw new TypeError(`Expected a column drift result, found ${column}`);
  }
  if (column.drifted === true) return "drift";
  const { score, threshold } = column;
  if (typeof score !== "number" || !Number.isFinite(score)) return "ok";
  if (typeof threshold !== "number" || !Number.isFinite(threshold)) return "ok";
  const pValueTest = P_VALUE_TESTS.includes(column.stattest) ||
    (!DISTANCE_TESTS.includes(column.stattest) && typeof column.p_value === "number");
  if (pValueTest) return score < 2 * threshold ? "close" : "ok";
  return score > threshold / 2 ? "close" : "ok";
}

/** Colours of the verdicts (GitHub Primer's success, attention and danger). */
export const VERDICT_COLORS: Readonly<Record<Verdict, string>> = Object.freeze({
  ok: "#1a7f37",
  close: "#9a6700",
  drift: "#cf222e",
});

/** Words shown for each verdict. */
export const VERDICT_LABELS: Readonly<Record<Verdict, string>> = Object.freeze({
  ok: "No drift",
  close: "Close (monitor)",
  drift: "Drift (investigate)",
});

/** Bounds of {@linkcode driftRatio}, so a p-value of 0 or a huge distance stays plottable. */
export const DRIFT_RATIO_RANGE: readonly [number, number] = Object.freeze([1e-3, 1e3]) as [
  number,
  number,
];

/**
 * How far a column is from its threshold on one scale for every test, > 1 meaning drift: the
 * threshold divided by the p-value for p-value tests (ks, chisquare, z), the distance divided by
 * the threshold for distances. Clamped to {@linkcode DRIFT_RATIO_RANGE}; null when the score or
 * threshold is missing. O(1).
 *
 * @example
 * ```ts
 * driftRatio({ stattest: "ks", score: 0.01, threshold: 0.05, drifted: true }); // 5
 * driftRatio({ stattest: "psi", score: 0.05, threshold: 0.1, drifted: false }); // 0.5
 * ```
 */
export function driftRatio(column: VerdictInput): number | null {
  const { score, threshold } = column;
  if (typeof score !== "number" || !Number.isFinite(score) || score < 0) return null;
  if (typeof threshold !== "number" || !Number.isFinite(threshold) || threshold <= 0) return null;
  const pValueTest = P_VALUE_TESTS.includes(column.stattest) ||
    (!DISTANCE_TESTS.includes(column.stattest) && typeof column.p_value === "number");
  const [lo, hi] = DRIFT_RATIO_RANGE;
  const ratio = pValueTest ? (score === 0 ? hi : threshold / score) : score / threshold;
  return Math.min(hi, Math.max(lo, ratio));
}
