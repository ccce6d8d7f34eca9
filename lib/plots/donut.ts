/**
 * SVG path data for a donut chart (Plot has no pie): one annular sector per non-zero value,
 * clockwise from 12 o'clock, centred on the origin.
 *
 * @module
 */

/** A segment of the donut. */
export interface DonutSegment<T> {
  datum: T;
  value: number;
  share: number;
  /** SVG path data of the sector. */
  d: string;
}

function point(r: number, angle: number): string {
  const x = r * Math.sin(angle);
  const y = -r * Math.cos(angle);
  return `${round(x)} ${round(y)}`;
}

function round(v: number): number {
  const r = Math.round(v * 1000) / 1000;
  return Object.is(r, -0) ? 0 : r;
}

function sector(outer: number, inner: number, a0: number, a1: number): string {
  const large = a1 - a0 > Math.PI ? 1 : 0;
  return [
    `M${point(outer, a0)}`,
    `A${outer} ${outer} 0 ${large} 1 ${point(outer, a1)}`,
    `L${point(inner, a1)}`,
    `A${inner} ${inner} 0 ${large} 0 ${point(inner, a0)}`,
    "Z",
  ].join(" ");
}

/**
 * Sectors of a donut of radii `inner` < `outer` for `data`, by `value(d)`. Negative or non-finite
 * values count as zero; zero segments are left out; a lone segment is a full ring (two halves,
 * as one SVG arc cannot close on itself). O(n).
 *
 * @example
 * ```ts
 * donutSegments([3, 1], (v) => v, 50, 30).map((s) => s.share); // [0.75, 0.25]
 * ```
 */
export function donutSegments<T>(
  data: readonly T[],
  value: (d: T) => number,
  outer: number,
  inner: number,
): DonutSegment<T>[] {
  if (!(outer > 0) || !(inner >= 0) || inner >= outer) {
    throw new RangeError(`Expected 0 ≤ inner < outer, found inner ${inner} and outer ${outer}`);
  }
  const values = data.map((d) => {
    const v = value(d);
    return Number.isFinite(v) && v > 0 ? v : 0;
  });
  const total = values.reduce((a, b) => a + b, 0);
  if (total === 0) return [];
  const out: DonutSegment<T>[] = [];
  let angle = 0;
  data.forEach((datum, i) => {
    const v = values[i];
    if (v === 0) return;
    const share = v / total;
    const a1 = angle + share * 2 * Math.PI;
    const d = share >= 1 - 1e-12
      ? `${sector(outer, inner, 0, Math.PI)} ${sector(outer, inner, Math.PI, 2 * Math.PI)}`
      : sector(outer, inner, angle, a1);
    out.push({ datum, value: v, share, d });
    angle = a1;
  });
  return out;
}
