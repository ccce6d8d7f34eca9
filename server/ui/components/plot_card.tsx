/** A chart card holding one chart of `lib/plots`: a {@linkcode ChartCard} around a {@linkcode PlotFigure}. */
import type { ComponentChildren } from "preact";
import { ChartCard } from "./chart_card.tsx";
import { PlotFigure, type PlotFigureProps } from "./plot_figure.tsx";

/** Props of {@linkcode PlotCard}: the card's, and the chart's (see {@linkcode PlotFigureProps}). */
export interface PlotCardProps<T> extends Omit<PlotFigureProps<T>, "class"> {
  title: string;
  /** What to look for (guide wording). */
  help?: string;
  /** Classes of the card (e.g. `"span-2"`). */
  class?: string;
  /** Shown under the chart (a note, a table of the same figures). */
  children?: ComponentChildren;
}

/**
 * A titled chart with its help line.
 *
 * @example
 * ```tsx
 * <PlotCard
 *   title={CHART_TITLES.tokens}
 *   help={CHART_HELP.tokens}
 *   data={bins}
 *   spec={tokensChart}
 *   label="Histogram of completion tokens per response"
 *   testId="chart-tokens"
 * />
 * ```
 */
export function PlotCard<T>({ title, help, class: cls, children, ...figure }: PlotCardProps<T>) {
  return (
    <ChartCard title={title} help={help} class={cls}>
      <PlotFigure {...figure} />
      {children}
    </ChartCard>
  );
}
