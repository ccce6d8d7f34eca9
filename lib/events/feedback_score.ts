/**
 * What a feedback score means, without the schema library (the dashboard's bundle uses it):
 * a thumb up (1), a thumb down (-1) or a rating in [0, 1].
 *
 * @module
 */

/** How a score was given: a thumb up (1), a thumb down (-1) or a rating in [0, 1]. */
export type FeedbackKind = "up" | "down" | "rating";

/**
 * True when a score is a thumb up (1); a rating counts as up from 0.5.
 *
 * @example
 * ```ts
 * isThumbUp(1); // true
 * isThumbUp(0.3); // false
 * ```
 */
export function isThumbUp(score: number): boolean {
  return score === 1 || (score !== -1 && score >= 0.5);
}

/**
 * The kind of a score: `up` for 1, `down` for -1, `rating` otherwise.
 *
 * @example
 * ```ts
 * feedbackKind(-1); // "down"
 * feedbackKind(0.8); // "rating"
 * ```
 */
export function feedbackKind(score: number): FeedbackKind {
  return score === 1 ? "up" : score === -1 ? "down" : "rating";
}
