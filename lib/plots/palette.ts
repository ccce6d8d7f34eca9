/**
 * The colours of every chart, in the dashboard and in the notebooks alike (GitHub Primer's
 * palette, readable on white): the reference window is grey and the current window blue; success
 * is green and errors red; "close to drifting" is Primer's attention yellow. The dashboard's
 * stylesheet uses the same values (`--ok`, `--close`, `--drift`, `--accent`), and a test holds
 * them equal.
 *
 * @module
 */

/** Every colour the charts use, by meaning. */
export const PALETTE = Object.freeze({
  /** The reference window of a drift comparison. */
  reference: "#8c959f",
  /** The current window of a drift comparison, and a lone live series (latency lines). */
  current: "#0969da",
  /** A successful request; a column without drift. */
  success: "#1a7f37",
  /** A failed request; a drifted column. */
  error: "#cf222e",
  /** A column close to its drift threshold (monitor it). */
  attention: "#9a6700",
  /** Text and reference rules drawn over marks. */
  ink: "#1f2328",
  /** The ring of an empty donut. */
  empty: "#d0d7de",
  /** Completion-token histograms. */
  tokens: "#8250df",
  /** Response-length (characters) histograms. */
  characters: "#bf8700",
});

/**
 * Colours of request outcomes, green for success and red for errors.
 *
 * @example
 * ```ts
 * STATUS_COLORS.error; // "#cf222e"
 * ```
 */
export const STATUS_COLORS: Readonly<{ success: string; error: string }> = Object.freeze({
  success: PALETTE.success,
  error: PALETTE.error,
});

/**
 * The colour scale of request outcomes (`status` = "success" | "error"), with its legend.
 *
 * @example
 * ```ts
 * Plot.plot({ color: statusColorScale(), marks: [Plot.dot(rows, { fill: "status" })] });
 * ```
 */
export function statusColorScale(): {
  legend: true;
  domain: string[];
  range: string[];
} {
  return {
    legend: true,
    domain: ["success", "error"],
    range: [STATUS_COLORS.success, STATUS_COLORS.error],
  };
}

/**
 * The colour scale of the two drift windows (`window` = "reference" | "current"), with its
 * legend: reference grey, current blue.
 *
 * @example
 * ```ts
 * windowColorScale().range; // ["#8c959f", "#0969da"]
 * ```
 */
export function windowColorScale(): { legend: true; domain: string[]; range: string[] } {
  return {
    legend: true,
    domain: ["reference", "current"],
    range: [PALETTE.reference, PALETTE.current],
  };
}
