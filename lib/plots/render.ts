/**
 * Rendering chart specifications to SVG/HTML text without a browser (linkedom provides the
 * document), and wrapping them for Jupyter's rich display, so notebooks show the dashboard's
 * charts inline.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";

/**
 * Renders a Plot specification to markup, as notebooks show it: a bare `<svg>` (with its
 * namespace) for plain charts, a `<figure>` when the chart has a title or legend. Plot's inline
 * `<style>` stays (a notebook has no stylesheet of the dashboard's).
 *
 * @example
 * ```ts
 * const markup = renderPlot({ marks: [Plot.lineY([1, 2, 3])] });
 * ```
 */
export function renderPlot(spec: Plot.PlotOptions): string {
  const { document } = parseHTML("<!doctype html><html><body></body></html>");
  const element = Plot.plot({ ...spec, document } as Plot.PlotOptions) as unknown as {
    outerHTML: string;
    tagName: string;
    setAttribute(name: string, value: string): void;
  };
  // a bare chart is an SVG document of its own; a figure (title, legend) is HTML
  if (element.tagName.toLowerCase() === "svg") {
    element.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  }
  return element.outerHTML;
}

/** An object that Jupyter's Deno kernel displays as rich output. */
export interface JupyterDisplayable {
  [key: symbol]: () => Record<string, string>;
}

/**
 * Wraps a chart for display in a notebook cell (return it as the cell's last expression).
 * Bare charts display as `image/svg+xml`, titled ones as `text/html`.
 *
 * @example
 * ```ts
 * displayPlot(latencyTrendSpec(snapshot.latency_trend));
 * ```
 */
export function displayPlot(spec: Plot.PlotOptions): JupyterDisplayable {
  const markup = renderPlot(spec);
  const mime = markup.startsWith("<svg") ? "image/svg+xml" : "text/html";
  return { [Symbol.for("Jupyter.display")]: () => ({ [mime]: markup }) };
}

/**
 * Wraps rows for display as an HTML table in a notebook (text escaped).
 *
 * @example
 * ```ts
 * displayTable([{ model: "smollm2:135m", runs: 10 }]);
 * ```
 */
export function displayTable(
  rows: readonly object[],
  columns?: readonly string[],
): JupyterDisplayable {
  const records = rows as readonly Record<string, unknown>[];
  const keys = columns ?? [...new Set(records.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) =>
    escapeHtml(
      typeof v === "number"
        ? (Number.isInteger(v) ? String(v) : v.toPrecision(4))
        : v === null || v === undefined
        ? ""
        : typeof v === "object"
        ? JSON.stringify(v)
        : String(v),
    );
  const html = `<table><thead><tr>${
    keys.map((k) => `<th>${escapeHtml(k)}</th>`).join("")
  }</tr></thead><tbody>${
    records.map((r) => `<tr>${keys.map((k) => `<td>${cell(r[k])}</td>`).join("")}</tr>`).join("")
  }</tbody></table>`;
  return { [Symbol.for("Jupyter.display")]: () => ({ "text/html": html }) };
}

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}
