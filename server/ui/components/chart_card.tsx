/** A titled panel with a "what to look for" line from the presentation guide. */
import type { ComponentChildren } from "preact";
import { Card } from "./card.tsx";

/** Props of {@linkcode ChartCard}. */
export interface ChartCardProps {
  title: string;
  /** What to look for (guide wording). */
  help?: string;
  children: ComponentChildren;
  class?: string;
  testId?: string;
}

/**
 * The "What to look for:" line of a chart or table (guide wording).
 *
 * @example
 * ```tsx
 * <LookFor help={CHART_HELP.compareTable} />
 * // <p class="help"><strong>What to look for:</strong> Per column: …</p>
 * ```
 */
export function LookFor({ help }: { help: string }) {
  return (
    <p class="help">
      <strong>What to look for:</strong> {help}
    </p>
  );
}

/**
 * A titled panel with its help line.
 *
 * @example
 * ```tsx
 * <ChartCard title="Data quality" help={CHART_HELP.quality}><QualityTable report={r} /></ChartCard>
 * ```
 */
export function ChartCard({ title, help, children, class: cls, testId }: ChartCardProps) {
  return (
    <Card title={title} class={`chart-card ${cls ?? ""}`} testId={testId}>
      {help ? <LookFor help={help} /> : null}
      {children}
    </Card>
  );
}
