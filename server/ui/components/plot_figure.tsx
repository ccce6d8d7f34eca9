/**
 * A chart of `lib/plots` in the page: builds it with {@linkcode drawPlot} in an effect and
 * replaces the container's child. The chart is as wide as its container and is redrawn when the
 * data or the width changes; while the container is hidden (an inactive tab) nothing is drawn.
 *
 * @module
 */

import type * as Plot from "@observablehq/plot";
import { useEffect, useRef, useState } from "preact/hooks";
import { drawPlot } from "../plot_draw.ts";

/** Shortest time between two redraws of one chart. */
const MIN_REDRAW_MS = 500;

/**
 * The chart spec for `data` (a function of `lib/plots`, through a module-level wrapper), or null
 * when there is nothing to draw.
 */
export type PlotSpec<T> = (data: T) => Plot.PlotOptions | null;

/** Props of {@linkcode PlotFigure}. */
export interface PlotFigureProps<T> {
  /** The data; the chart is redrawn when its identity changes. */
  data: T;
  /** A stable (module-level) function from data to a chart spec. */
  spec: PlotSpec<T>;
  /** Accessible description of the chart. */
  label: string;
  testId?: string;
  /** Text shown instead of a chart when `spec` returns null. */
  empty?: string;
  class?: string;
}

/** An Observable Plot chart in a container. */
export function PlotFigure<T>(props: PlotFigureProps<T>) {
  const { data, spec, label, testId, empty } = props;
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  const [isEmpty, setEmpty] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    setWidth(Math.floor(el.clientWidth));
    const observer = new ResizeObserver((entries) => {
      const w = Math.floor(entries[0]?.contentRect.width ?? 0);
      // ignore changes of a few pixels (scroll bars) to avoid redraw loops
      setWidth((old) => (Math.abs(old - w) >= 8 || w === 0 || old === 0 ? w : old));
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const lastDraw = useRef(0);
  useEffect(() => {
    const el = ref.current;
    if (!el || width < 80) return; // hidden or not laid out yet
    const draw = () => {
      lastDraw.current = Date.now();
      try {
        const options = spec(data);
        if (!options) {
          el.replaceChildren();
          setEmpty(true);
          setError(null);
          return;
        }
        el.replaceChildren(drawPlot(options, { width, label }));
        setEmpty(false);
        setError(null);
      } catch (e) {
        el.replaceChildren();
        setError(`This chart could not be drawn: ${(e as Error).message}`);
      }
    };
    // live data can arrive many times a second: redraw at most every MIN_REDRAW_MS
    const wait = lastDraw.current + MIN_REDRAW_MS - Date.now();
    if (wait <= 0) {
      draw();
      return;
    }
    const timer = setTimeout(draw, wait);
    return () => clearTimeout(timer);
  }, [data, spec, width, label]);

  return (
    <div class={`plot-figure ${props.class ?? ""}`} data-testid={testId}>
      <div ref={ref} class="plot-canvas" role="img" aria-label={label} />
      {isEmpty && empty ? <p class="muted chart-empty">{empty}</p> : null}
      {error ? <p class="error-text">{error}</p> : null}
    </div>
  );
}
