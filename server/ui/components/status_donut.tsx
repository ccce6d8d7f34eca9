/**
 * Success / failure donut in green and red, drawn as SVG paths (Plot has no pie chart).
 *
 * @module
 */

import { donutSegments } from "../../../lib/plots/donut.ts";
import { formatInteger, formatPercent } from "../format.ts";

const SLICES = [
  { key: "success", label: "Success", color: "#1a7f37" },
  { key: "failure", label: "Failure", color: "#cf222e" },
] as const;

/** Props of {@linkcode StatusDonut}. */
export interface StatusDonutProps {
  succeeded: number;
  failed: number;
  testId?: string;
}

/** A donut of successful vs failed requests. */
export function StatusDonut({ succeeded, failed, testId }: StatusDonutProps) {
  const counts = { success: succeeded, failure: failed };
  const total = succeeded + failed;
  const segments = donutSegments(SLICES, (s) => counts[s.key], 56, 34);
  const label = total
    ? `Status distribution: ${succeeded} successful, ${failed} failed`
    : "Status distribution: no requests yet";
  return (
    <div class="donut" data-testid={testId}>
      <svg viewBox="-60 -60 120 120" width="160" height="160" role="img" aria-label={label}>
        {total === 0 ? <circle r="45" fill="none" stroke="#d0d7de" stroke-width="22" /> : null}
        {segments.map((s) => (
          <path
            key={s.datum.key}
            d={s.d}
            fill={s.datum.color}
            data-slice={s.datum.key}
          >
            <title>{`${s.datum.label}: ${s.value} (${formatPercent(s.share)})`}</title>
          </path>
        ))}
        <text text-anchor="middle" dy="0.35em" class="donut-center">
          {total ? formatPercent(succeeded / total, 0) : "—"}
        </text>
      </svg>
      <ul class="legend">
        {SLICES.map((s) => (
          <li key={s.key}>
            <span class={`swatch swatch-${s.key}`} aria-hidden="true" />
            {s.label}: {formatInteger(counts[s.key])}
            {total ? ` (${formatPercent(counts[s.key] / total)})` : ""}
          </li>
        ))}
      </ul>
    </div>
  );
}
