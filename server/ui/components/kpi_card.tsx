/** A key number with its label and a one-line explanation. */

/** Props of {@linkcode KpiCard}. */
export interface KpiCardProps {
  label: string;
  value: string;
  help?: string;
  testId?: string;
  tone?: "ok" | "close" | "drift" | "neutral";
  sub?: string;
  /** The raw number, exposed as `data-value` for tests and tools. */
  raw?: number | null;
}

/** A KPI card. */
export function KpiCard(
  { label, value, help, testId, tone = "neutral", sub, raw }: KpiCardProps,
) {
  return (
    <div class={`kpi tone-${tone}`} title={help}>
      <div class="kpi-label">{label}</div>
      <div
        class="kpi-value"
        data-testid={testId}
        data-value={raw === undefined || raw === null ? undefined : String(raw)}
      >
        {value}
      </div>
      {sub ? <div class="kpi-sub">{sub}</div> : null}
    </div>
  );
}
