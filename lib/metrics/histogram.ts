/** One bin of a histogram: [x0, x1) holds `count` values (the last bin includes x1). */
export interface HistogramBin {
  x0: number;
  x1: number;
  count: number;
}

/**
 * Equal-width histogram with "nice" bin edges. O(n).
 *
 * @example
 * ```ts
 * histogram([1, 2, 2, 9], 4); // bins covering 0..10
 * ```
 */
export function histogram(values: ArrayLike<number>, targetBins = 20): HistogramBin[] {
  if (values.length === 0) return [];
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < min) min = values[i];
    if (values[i] > max) max = values[i];
  }
  const step = niceStep((max - min) / Math.max(1, targetBins));
  const start = Math.floor(min / step) * step;
  const count = Math.max(1, Math.floor((max - start) / step) + 1);
  const bins: HistogramBin[] = Array.from({ length: count }, (_, i) => ({
    x0: round(start + i * step),
    x1: round(start + (i + 1) * step),
    count: 0,
  }));
  for (let i = 0; i < values.length; i++) {
    const index = Math.min(count - 1, Math.floor((values[i] - start) / step));
    bins[index].count++;
  }
  return bins;
}

function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

function round(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}
