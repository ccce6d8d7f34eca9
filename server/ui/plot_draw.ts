/**
 * How the dashboard draws a chart spec of `lib/plots`: `Plot.plot` at the container's width, with
 * the page's class name (styles.css styles it) and an accessible label, without the spec's title
 * (the card around the chart shows the same title as its heading) and without Plot's inline
 * `<style>` elements (the page's Content-Security-Policy forbids them). `PlotFigure` calls it with
 * the page's document; tests call it with a linkedom document.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";

/** The class name Plot gives its elements (styled in styles.css). */
export const PLOT_CLASS = "wb-plot";

/** Options of {@linkcode drawPlot}. */
export interface DrawPlotOptions {
  /** Width in pixels (the container's). */
  width: number;
  /** Accessible description of the chart. */
  label: string;
  /** The document to build the chart in. Default the page's. */
  document?: Document;
}

/**
 * The chart element for `spec`, as the dashboard shows it.
 *
 * @example
 * ```ts
 * container.replaceChildren(drawPlot(latencyTrendSpec(trend), { width: 600, label: "Latency" }));
 * ```
 */
export function drawPlot(spec: Plot.PlotOptions, options: DrawPlotOptions): Element {
  const { title: _title, subtitle: _subtitle, ...untitled } = spec;
  const chart = Plot.plot({
    width: options.width,
    className: PLOT_CLASS,
    ariaLabel: options.label,
    ...untitled,
    ...(options.document ? { document: options.document } : {}),
  }) as unknown as Element;
  for (const style of chart.querySelectorAll("style")) style.remove();
  return chart;
}
