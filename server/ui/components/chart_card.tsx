/** A titled panel with a "what to look for" line from the presentation guide. */
import type { ComponentChildren } from "preact";

/** Props of {@linkcode ChartCard}. */
export interface ChartCardProps {
  title: string;
  /** What to look for (guide wording). */
  help?: string;
  children: ComponentChildren;
  class?: string;
  testId?: string;
}

/** A titled panel with its help line. */
export function ChartCard({ title, help, children, class: cls, testId }: ChartCardProps) {
  return (
    <section class={`card chart-card ${cls ?? ""}`} data-testid={testId}>
      <h3 class="card-title">{title}</h3>
      {help
        ? (
          <p class="help">
            <strong>What to look for:</strong> {help}
          </p>
        )
        : null}
      {children}
    </section>
  );
}
