/** A titled panel of a tab: the `card` section every tab lays its content out in. */
import type { ComponentChildren } from "preact";

/** Props of {@linkcode Card}. */
export interface CardProps {
  /** The heading (text, or text with marked-up parts such as test ids). */
  title: ComponentChildren;
  children?: ComponentChildren;
  /** Classes after `card` (e.g. `"alerts"`). */
  class?: string;
  /** The section's accessible name, when the heading's text is not it. */
  label?: string;
  testId?: string;
}

/**
 * A `<section class="card">` with an `<h3 class="card-title">` heading.
 *
 * @example
 * ```tsx
 * <Card title="Rules" label="Rules"><RulesTable rules={rules} /></Card>
 * // <section class="card" aria-label="Rules"><h3 class="card-title">Rules</h3>…</section>
 * ```
 */
export function Card({ title, children, class: cls, label, testId }: CardProps) {
  return (
    <section
      class={cls === undefined ? "card" : `card ${cls}`}
      aria-label={label}
      data-testid={testId}
    >
      <h3 class="card-title">{title}</h3>
      {children}
    </section>
  );
}
