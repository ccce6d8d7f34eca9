/**
 * Pearson and Spearman correlation matrices of numeric columns.
 *
 * @module
 */

import { argsortFloat64 } from "./_radix_sort.ts";
import { type Column, ColumnarTable, NumericColumn } from "./columnar.ts";
import type { CellValue, Row } from "./types.ts";

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
 * Pearson and Spearman matrices over the given numeric columns of a dataset (read once into a
 * {@linkcode ColumnarTable}; see {@linkcode correlationsOfTable}). O(columns² · n).
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
  return correlationsOfTable(ColumnarTable.fromRows(rows), columns);
}

/** One column prepared for the correlations. */
interface Prepared {
  /** Values with NaN for every cell that is not a finite number. */
  values: Float64Array;
  /** Every cell is a finite number. */
  complete: boolean;
  /** For complete columns: deviations from the mean, their sum of squares; same for ranks. */
  dev?: Float64Array;
  ss?: number;
  rankDev?: Float64Array;
  rankSs?: number;
}

/** Deviations from the mean (naive sum in row order, as `pearson`) and their sum of squares. */
function deviations(x: Float64Array): { dev: Float64Array; ss: number } {
  const n = x.length;
  let sx = 0;
  for (let i = 0; i < n; i++) sx += x[i];
  const mx = sx / n;
  const dev = new Float64Array(n);
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i] - mx;
    dev[i] = d;
    ss += d * d;
  }
  return { dev, ss };
}

/** Average ranks from a stable order of the values (ties get the mean rank). */
function ranksFromOrder(sorted: Float64Array, order: Uint32Array): Float64Array {
  const n = sorted.length;
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && sorted[j + 1] === sorted[i]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}

function prepare(column: Column | undefined, length: number): Prepared {
  let values: Float64Array;
  if (column === undefined) values = new Float64Array(length).fill(Number.NaN);
  else if (column.repr === "numbers") {
    if (column.complete()) {
      const p: Prepared = { values: column.values, complete: true };
      if (length > 0) {
        const { dev, ss } = deviations(column.values);
        const order = column.order()!;
        const { dev: rankDev, ss: rankSs } = deviations(ranksFromOrder(column.sorted(), order));
        Object.assign(p, { dev, ss, rankDev, rankSs });
      }
      return p;
    }
    values = Float64Array.from(column.values, (v) => (Number.isFinite(v) ? v : Number.NaN));
  } else if (column.repr === "codes") {
    const finiteDict = column.dict.map((v) => (finite(v) ? v : Number.NaN));
    values = Float64Array.from(column.codes, (c) => (c < 0 ? Number.NaN : finiteDict[c]));
  } else {
    values = Float64Array.from(column.cells, (v) => (finite(v as CellValue) ? v as number : NaN));
  }
  let complete = true;
  for (let i = 0; i < values.length && complete; i++) if (values[i] !== values[i]) complete = false;
  if (complete) return prepare(new NumericColumn(values), length);
  return { values, complete };
}

/** `pearson` over the pairs where both values are not NaN (typed arrays). */
function pearsonPairwise(x: Float64Array, y: Float64Array): number | null {
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    const b = y[i];
    if (a === a && b === b) {
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
    if (a === a && b === b) {
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

/** `pearson`'s result from the sums of a complete pair. */
function pearsonOfSums(n: number, sxx: number, syy: number, sxy: number): number | null {
  if (n < 2) return null;
  if (sxx === 0 || syy === 0) return null;
  const r = sxy / Math.sqrt(sxx * syy);
  return Math.max(-1, Math.min(1, r));
}

/**
 * Pearson and Spearman of two complete columns from their deviations (values and ranks): the
 * two cross sums in one pass, each summed in row order as `pearson` does.
 */
function completePair(a: Prepared, b: Prepared): [number | null, number | null] {
  const dx = a.dev!;
  const dy = b.dev!;
  const rx = a.rankDev!;
  const ry = b.rankDev!;
  let sxy = 0;
  let rxy = 0;
  for (let i = 0; i < dx.length; i++) {
    sxy += dx[i] * dy[i];
    rxy += rx[i] * ry[i];
  }
  return [
    pearsonOfSums(dx.length, a.ss!, b.ss!, sxy),
    pearsonOfSums(dx.length, a.rankSs!, b.rankSs!, rxy),
  ];
}

/** `spearman` over the pairs where both values are not NaN (typed arrays). */
function spearmanPairwise(x: Float64Array, y: Float64Array): number | null {
  let n = 0;
  for (let i = 0; i < x.length; i++) if (x[i] === x[i] && y[i] === y[i]) n++;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < x.length; i++) {
    if (x[i] === x[i] && y[i] === y[i]) {
      xs[k] = x[i];
      ys[k++] = y[i];
    }
  }
  const rx = argsortFloat64(xs);
  const ry = argsortFloat64(ys);
  return pearsonPairwise(ranksFromOrder(rx.sorted, rx.order), ranksFromOrder(ry.sorted, ry.order));
}

/**
 * {@linkcode correlationMatrices} of a table: each column's values, mean deviations and ranks
 * computed once (ranks from the column's cached sort), then one pass per pair. The same
 * numbers as the row path. O(columns · n + columns² · n).
 *
 * @example
 * ```ts
 * import { correlationsOfTable } from "./correlation.ts";
 * import { ColumnarTable } from "./columnar.ts";
 * const t = ColumnarTable.fromRows([{ a: 1, b: 2 }, { a: 2, b: 4 }, { a: 3, b: 5 }]);
 * correlationsOfTable(t, ["a", "b"]).spearman.values[0][1]; // 1
 * ```
 */
export function correlationsOfTable(
  table: ColumnarTable,
  columns: readonly string[],
): Correlations {
  const data = columns.map((c) => prepare(table.column(c), table.length));
  const k = columns.length;
  const p: (number | null)[][] = Array.from({ length: k }, () => new Array(k).fill(null));
  const s: (number | null)[][] = Array.from({ length: k }, () => new Array(k).fill(null));
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) {
      const a = data[i];
      const b = data[j];
      let pv: number | null;
      let sv: number | null;
      if (a.complete && b.complete) {
        if (a.dev === undefined || b.dev === undefined) {
          pv = null;
          sv = null;
        } else {
          [pv, sv] = completePair(a, b);
        }
      } else {
        pv = pearsonPairwise(a.values, b.values);
        sv = spearmanPairwise(a.values, b.values);
      }
      p[i][j] = p[j][i] = i === j && pv !== null ? 1 : pv;
      s[i][j] = s[j][i] = i === j && sv !== null ? 1 : sv;
    }
  }
  return {
    pearson: { columns: [...columns], values: p },
    spearman: { columns: [...columns], values: s },
  };
}
