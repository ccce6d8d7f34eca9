/**
 * The traffic-light verdict of one column's drift test, as the Drift Analysis tab and the drift
 * notebook colour it: green (no drift), yellow (close to the threshold: monitor), red (drift:
 * investigate). Whether a test's score is a p-value comes from the drift registry
 * (`STATTESTS[name].isPValue`).
 *
 * @module
 */

import { STATTESTS } from "../drift/registry.ts";
import type { StatTestName } from "../drift/types.ts";
import { PALETTE } from "./palette.ts";

/** Verdict of one column: no drift, close to drifting, or drifted. */
export type Verdict = "ok" | "close" | "drift";

/** The fields of a column drift result (or its JSON form) that the verdict reads. */
export interface VerdictInput {
  /** A registry name ({@linkcode StatTestName}); other names are judged by `p_value`. */
  stattest: StatTestName | string;
  /** The p-value for tests, the distance for distances; null when it could not be computed. */
  score: number | null;
  threshold: number | null;
  drifted: boolean;
  p_value?: number | null;
}

/**
 * Whether a column's score is a p-value (drift when small) rather than a distance (drift when
 * large): the registry's `isPValue` for a registered test; for any other name, whether the result
 * carries a p-value. O(1).
 *
 * @example
 * ```ts
 * isPValueScore({ stattest: "ks", score: 0.2, threshold: 0.05, drifted: false }); // true
 * isPValueScore({ stattest: "psi", score: 0.2, threshold: 0.1, drifted: true }); // false
 * ```
 */
export function isPValueScore(column: VerdictInput): boolean {
  if (Object.hasOwn(STATTESTS, column.stattest)) {
    return STATTESTS[column.stattest as StatTestName].isPValue;
  }
  return typeof column.p_value === "number";
}

/**
 * Verdict of one column:
 * - `drift` when the test says the column drifted;
 * - `close` when it did not, but for a p-value test ({@linkcode isPValueScore}: ks, chisquare, z)
 *   the p-value is below twice the threshold, or for a distance (wasserstein, jensenshannon, psi)
 *   the score is above half the threshold;
 * - `ok` otherwise (also when the score or threshold is missing).
 *
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
  if (isPValueScore(column)) return score < 2 * threshold ? "close" : "ok";
  return score > threshold / 2 ? "close" : "ok";
}

/** Colours of the verdicts: the palette's success, attention and error. */
export const VERDICT_COLORS: Readonly<Record<Verdict, string>> = Object.freeze({
  ok: PALETTE.success,
  close: PALETTE.attention,
  drift: PALETTE.error,
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
  const [lo, hi] = DRIFT_RATIO_RANGE;
  const ratio = isPValueScore(column) ? (score === 0 ? hi : threshold / score) : score / threshold;
  return Math.min(hi, Math.max(lo, ratio));
}
