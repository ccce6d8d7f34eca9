/**
 * Charts: Observable Plot specifications shared by the notebooks (and usable in the browser),
 * and rendering to SVG for notebooks.
 *
 * @example
 * ```ts
 * import { displayPlot, latencyTrendSpec } from "./mod.ts";
 * ```
 *
 * @module
 */

export * from "./specs.ts";
export * from "./render.ts";
