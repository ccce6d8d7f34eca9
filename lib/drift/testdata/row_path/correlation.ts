/**
 * Pearson and Spearman correlation matrices of numeric columns.
 *
 * @module
 */

import type { CellValue, Row } from "../../types.ts";

/** A correlation matrix over named columns; null where undefined (constant or too few pairs). */
export interface CorrelationMatrix {
  columns: string[];
  values: (number | null)[][];
}

/** Pearson and Spearman matrices for one dataset. */
export interface Correlations {
  pearson: CorrelationMatrix;
  spearman: CorrelationMatrix;
}

function finite(v: CellValue): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

/**
 * Pearson correlation of two equally long samples over the pairs where both are finite numbers
 * (pandas' pairwise-complete `corr`). Null when fewer than two pairs or a constant side. O(n).
 *
 * @example
 * ```ts
 * import { pearson } from "./correlation.ts";
 * pearson([1, 2, 3], [2, 4, 7]); // ≈ 0.9934
 * ```
 */
export function pearson(x: ArrayLike<CellValue>, y: ArrayLike<CellValue>): number | null {
  if (x.length !== y.length) {
    throw new RangeError(`Expected samples of equal length, found ${x.length} and ${y.length}`);
  }
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    const b = y[i];
    if (finite(a) && finite(b)) {
      n++;
      sx += a;
      sy += b;
    }
  }
  if (n < 2) return null;
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    const b = y[i];
    if (finite(a) && finite(b)) {
      const dx = a - mx;
      const dy = b - my;
      sxx += dx * dx;
      syy += dy * dy;
      sxy += dx * dy;
    }
  }
  if (sxx === 0 || syy === 0) return null;
  const r = sxy / Math.sqrt(sxx * syy);
  return Math.max(-1, Math.min(1, r));
}

/**
 * Average ranks (1-based, ties get the mean rank) of the finite values; others stay missing.
 * O(n log n).
 *
 * @example
 * ```ts
 * import { averageRanks } from "./correlation.ts";
 * averageRanks([10, 20, 20, 5]); // [2, 3.5, 3.5, 1]
 * ```
 */
export function averageRanks(values: ArrayLike<CellValue>): (number | null)[] {
  const n = values.length;
  const idx: number[] = [];
  const vals = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (finite(v)) {
      idx.push(i);
      vals[i] = v;
    }
  }
  const order = Uint32Array.from(idx).sort((a, b) => vals[a] - vals[b]);
  const ranks: (number | null)[] = new Array(n).fill(null);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && vals[order[j + 1]] === vals[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}

/**
 * Spearman rank correlation over pairwise-complete observations (ranks recomputed on those
 * pairs, as pandas). O(n log n).
 *
 * @example
 * ```ts
 * import { spearman } from "./correlation.ts";
 * spearman([1, 2, 3, 4], [1, 4, 9, 16]); // 1
 * ```
 */
export function spearman(x: ArrayLike<CellValue>, y: ArrayLike<CellValue>): number | null {
  if (x.length !== y.length) {
    throw new RangeError(`Expected samples of equal length, found ${x.length} and ${y.length}`);
  }
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    const b = y[i];
    if (finite(a) && finite(b)) {
      xs.push(a);
      ys.push(b);
    }
  }
  return pearson(averageRanks(xs), averageRanks(ys));
}

/**
 * Pearson and Spearman matrices over the given numeric columns of a dataset.
 * O(columns² · n log n).
 *
 * @example
 * ```ts
 * import { correlationMatrices } from "./correlation.ts";
 * const rows = [{ a: 1, b: 2 }, { a: 2, b: 4 }, { a: 3, b: 5 }];
 * correlationMatrices(rows, ["a", "b"]).spearman.values[0][1]; // 1
 * ```
 */
export function correlationMatrices(
  rows: readonly Row[],
  columns: readonly string[],
): Correlations {
  const data = columns.map((c) => rows.map((r) => r[c] as CellValue));
  const complete = data.map((d) => d.every(finite));
  // ranks over the whole column serve every pair where both columns are complete
  const fullRanks = data.map((d, i) => (complete[i] ? averageRanks(d) : null));
  const k = columns.length;
  const p: (number | null)[][] = Array.from({ length: k }, () => new Array(k).fill(null));
  const s: (number | null)[][] = Array.from({ length: k }, () => new Array(k).fill(null));
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) {
      const pv = pearson(data[i], data[j]);
      const sv = fullRanks[i] && fullRanks[j]
        ? pearson(fullRanks[i]!, fullRanks[j]!)
        : spearman(data[i], data[j]);
      p[i][j] = p[j][i] = i === j && pv !== null ? 1 : pv;
      s[i][j] = s[j][i] = i === j && sv !== null ? 1 : sv;
    }
  }
  return {
    pearson: { columns: [...columns], values: p },
    spearman: { columns: [...columns], values: s },
  };
}
