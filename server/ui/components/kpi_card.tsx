/** A key number with its label and a one-line explanation. */
import { formatInteger } from "../format.ts";

/** Props of {@linkcode KpiCard}. */
export interface KpiCardProps {
  label: string;
  /** The figure as shown (when `count` is not given). */
  value?: string;
  /**
   * A count: shown as a whole number ("1,234") and exposed as `data-value`, in place of `value`
   * and `raw`.
   */
  count?: number;
  help?: string;
  testId?: string;
  tone?: "ok" | "close" | "drift" | "neutral";
  sub?: string;
  /** The raw number, exposed as `data-value` for tests and tools. */
  raw?: number | null;
}

/**
 * A KPI card.
 *
 * @example
 * ```tsx
 * <KpiCard label="Firing" count={3} testId="alerts-firing-count" tone="drift" />
 * // …<div class="kpi-value" data-testid="alerts-firing-count" data-value="3">3</div>…
 * ```
 */
export function KpiCard(
  { label, value, count, help, testId, tone = "neutral", sub, raw }: KpiCardProps,
) {
  const shown = count === undefined ? value : formatInteger(count);
  const data = count ?? raw;
  return (
    <div class={`kpi tone-${tone}`} title={help}>
      <div class="kpi-label">{label}</div>
      <div
        class="kpi-value"
        data-testid={testId}
        data-value={data === undefined || data === null ? undefined : String(data)}
      >
        {shown}
      </div>
      {sub ? <div class="kpi-sub">{sub}</div> : null}
    </div>
  );
}
