/**
 * Drift of one column: kind detection, Evidently's default test or an override, verdict.
 *
 * @module
 */

import { detectColumnKind, INTEGER_CARDINALITY_LIMIT } from "./column_kind.ts";
import { chooseStatTest, defaultStatTestName, getStatTest, STATTESTS } from "./registry.ts";
import { type BinnedShares, fillZeros, numericBinShares } from "./_binning.ts";
import { chisquareOfCounts } from "./chisquare.ts";
import type { ColumnPair, NumericColumn, PairCodes } from "./columnar.ts";
import { jensenshannonOfShares } from "./jensenshannon.ts";
import { checkKsOptions, ksOfSorted } from "./ks.ts";
import { psiOfShares } from "./psi.ts";
import { zTestOfCounts } from "./two_proportion_z.ts";
import { WASSERSTEIN_DEFAULT_THRESHOLD, wassersteinOfSamples } from "./wasserstein.ts";
import { assertArrayLike, checkThreshold, isDropped, sortCategories } from "./_validate.ts";
import type { CellValue, ColumnKind, StatTestName, StatTestResult } from "./types.ts";

/** Options of {@linkcode columnDrift}. */
export interface ColumnDriftOptions {
  /** Column kind; detected from the values when omitted. */
  kind?: ColumnKind;
  /** Test to use instead of Evidently's default. */
  stattest?: StatTestName;
  /** Threshold instead of the test's default. */
  threshold?: number;
}

/** Drift of one column. */
export interface ColumnDriftResult extends StatTestResult {
  /** Column name. */
  column: string;
  /** Column kind. */
  kind: ColumnKind;
}

/**
 * Computes the drift of one column between reference and current values. Missing values and
 * ±Infinity are dropped; an empty or all-missing side is rejected with a RangeError naming the
 * column, and so are non-numeric values in a numerical column (TypeError). O(n log n).
 *
 * @example
 * ```ts
 * import { columnDrift } from "./column_drift.ts";
 * const r = columnDrift("latency_s", [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [1.1, 1.2, 1.3, 1.4, 1.5, 1.6]);
 * r.stattest; // "ks"
 * r.drifted; // true
 * ```
 */
export function columnDrift(
  column: string,
  reference: ArrayLike<CellValue>,
  current: ArrayLike<CellValue>,
  options: ColumnDriftOptions = {},
): ColumnDriftResult {
  assertArrayLike(reference, `reference column "${column}"`);
  assertArrayLike(current, `current column "${column}"`);
  for (const [name, values] of [["reference", reference], ["current", current]] as const) {
    let present = 0;
    for (let i = 0; i < values.length; i++) if (!isDropped(values[i])) present++;
    if (present === 0) {
      throw new RangeError(
        `Expected column "${column}" in the ${name} data to have at least one non-missing value, found ${
          values.length === 0 ? "no rows" : `${values.length} missing`
        }`,
      );
    }
  }
  const kind = options.kind ?? detectColumnKind(reference, current);
  const firstNonNumber = () => {
    for (const [name, values] of [["reference", reference], ["current", current]] as const) {
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (!isDropped(v) && typeof v !== "number") return { name, i, v };
      }
    }
    return undefined;
  };
  if (kind === "numerical") {
    const bad = firstNonNumber();
    if (bad) {
      throw new TypeError(
        `Column "${column}" is numerical and must contain numbers only, found ${
          JSON.stringify(bad.v)
        } in the ${bad.name} data at row ${bad.i}`,
      );
    }
  }
  if (options.stattest && options.kind === undefined && kind === "categorical") {
    const def = getStatTest(options.stattest);
    const bad = firstNonNumber();
    if (!def.kinds.includes("categorical") && bad) {
      throw new TypeError(
        `Column "${column}": stattest ${options.stattest} needs numbers only, found ${
          JSON.stringify(bad.v)
        } in the ${bad.name} data at row ${bad.i}`,
      );
    }
  }
  const def = options.stattest
    ? getStatTest(options.stattest, kind)
    : chooseStatTest(reference, current, kind);
  let result: StatTestResult;
  try {
    result = def.run(reference, current, { threshold: options.threshold, kind });
  } catch (err) {
    if (err instanceof TypeError || err instanceof RangeError) {
      const Ctor = err instanceof TypeError ? TypeError : RangeError;
      throw new Ctor(`Column "${column}": ${err.message}`);
    }
    throw err;
  }
  return { column, kind, ...result };
}

/**
 * Kind of a numbers pair as {@linkcode detectColumnKind} infers it from the same cells: an
 * integer column (every cell an integer, none missing, not from a Float64Array) with at most 10
 * distinct values is categorical, any other numbers are numerical. Throws the same RangeError
 * when every cell is missing. O(n).
 *
 * @example
 * ```ts
 * import { numericColumnKind } from "./column_drift.ts";
 * import { NumericColumn } from "./columnar.ts";
 * numericColumnKind(new NumericColumn(new Float64Array([1, 2])), new NumericColumn(new Float64Array([2]))); // "categorical"
 * ```
 */
export function numericColumnKind(reference: NumericColumn, current: NumericColumn): ColumnKind {
  let present = 0;
  let integer = !reference.fromFloat64Array && !current.fromFloat64Array;
  // the distinct values, up to one more than the limit (=== is a Set's equality without NaN)
  const distinct = new Float64Array(INTEGER_CARDINALITY_LIMIT + 1);
  let size = 0;
  for (const values of [reference.values, current.values]) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v !== v) {
        integer = false;
      } else {
        present++;
        if (!Number.isInteger(v)) integer = false;
        else if (size <= INTEGER_CARDINALITY_LIMIT) {
          let k = 0;
          while (k < size && distinct[k] !== v) k++;
          if (k === size) distinct[size++] = v;
        }
      }
      // numbers that are not an integer column: numerical, whatever follows
      if (!integer && present > 0) return "numerical";
    }
  }
  if (present === 0) {
    throw new RangeError(
      "Expected a column with at least one non-missing value, found only missing values",
    );
  }
  return integer && size <= INTEGER_CARDINALITY_LIMIT ? "categorical" : "numerical";
}

/**
 * Number of distinct values of finite samples (=== is a Set's equality without NaN), counted
 * up to `cap` + 1. O(n · cap).
 */
function distinctUpTo(samples: readonly Float64Array[], cap: number): number {
  const seen = new Float64Array(cap + 1);
  let size = 0;
  let last = 0;
  for (const values of samples) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (size > 0 && v === seen[last]) continue;
      let k = 0;
      while (k < size && seen[k] !== v) k++;
      if (k === size) {
        if (size === cap) return cap + 1;
        seen[size++] = v;
      }
      last = k;
    }
  }
  return size;
}

/** True when every value is a finite integer (pandas would make it an integer column). */
function allIntegers(column: NumericColumn): boolean {
  if (column.fromFloat64Array) return false;
  const v = column.values;
  for (let i = 0; i < v.length; i++) if (!Number.isInteger(v[i])) return false;
  return true;
}

/** The kept categories of both sides over their union (reference's first), as codes. */
function unionCodes(codes: PairCodes): number[] {
  const keys: number[] = [];
  for (const c of codes.reference.order) if (!codes.dropped[c]) keys.push(c);
  for (const c of codes.current.order) {
    if (!codes.dropped[c] && codes.reference.counts[c] === 0) keys.push(c);
  }
  return keys;
}

/** `binnedShares` of the categorical branch, from codes. */
function categoryShares(codes: PairCodes, fill: boolean): BinnedShares {
  const keys = unionCodes(codes);
  const { reference: r, current: c } = codes;
  const shares = {
    reference: Float64Array.from(keys, (k) => r.counts[k] / r.kept),
    current: Float64Array.from(keys, (k) => c.counts[k] / c.kept),
  };
  if (fill) {
    fillZeros(shares.reference);
    fillZeros(shares.current);
  }
  return shares;
}

/** `binnedShares` of a numbers pair. */
function numberShares(pair: ColumnPair, kind: ColumnKind, fill: boolean): BinnedShares {
  const ref = pair.reference as NumericColumn;
  const cur = pair.current as NumericColumn;
  if (kind === "numerical" && distinctUpTo([ref.finite()], 20) > 20) {
    const integer = allIntegers(ref) && allIntegers(cur);
    const shares = numericBinShares(
      ref.finite(),
      cur.finite(),
      ref.sorted(),
      cur.sorted(),
      integer,
    );
    if (fill) {
      fillZeros(shares.reference);
      fillZeros(shares.current);
    }
    return shares;
  }
  return categoryShares(pair.codes(), fill);
}

/** A categorical test on codes (chisquare, z, jensenshannon, psi). */
function runOnCodes(
  name: StatTestName,
  codes: PairCodes,
  threshold: number | undefined,
): StatTestResult {
  const def = STATTESTS[name];
  const t = checkThreshold(threshold, def.defaultThreshold);
  const { reference: r, current: c } = codes;
  if (name === "chisquare") {
    const keys = unionCodes(codes);
    return chisquareOfCounts(
      keys.map((k) => r.counts[k]),
      keys.map((k) => c.counts[k]),
      r.kept,
      c.kept,
      t,
    );
  }
  if (name === "z") {
    const keys = unionCodes(codes);
    const refKeys = keys.filter((k) => r.counts[k] > 0);
    const curKeys = keys.filter((k) => c.counts[k] > 0);
    if (refKeys.length === 1 && curKeys.length === 1 && refKeys[0] === curKeys[0]) {
      return { stattest: "z", statistic: 0, p_value: 1, score: 1, threshold: t, drifted: 1 < t };
    }
    // the keys in the row path's order (reference's first appearances, then current's)
    const byValue = new Map(keys.map((k) => [codes.dict[k], k]));
    const first = byValue.get(sortCategories(keys.map((k) => codes.dict[k]))[0])!;
    return zTestOfCounts(r.kept, c.kept, r.counts[first], c.counts[first], t);
  }
  const shares = categoryShares(codes, name === "psi");
  return name === "psi" ? psiOfShares(shares, t) : jensenshannonOfShares(shares, t);
}

/** Any test on a numbers pair. */
function runOnNumbers(
  name: StatTestName,
  pair: ColumnPair,
  kind: ColumnKind,
  threshold: number | undefined,
): StatTestResult {
  const ref = pair.reference as NumericColumn;
  const cur = pair.current as NumericColumn;
  if (name === "ks") {
    const { method: _method, ...result } = ksOfSorted(
      ref.sorted(),
      cur.sorted(),
      checkKsOptions({ threshold }),
    );
    return result;
  }
  if (name === "wasserstein") {
    const t = checkThreshold(threshold, WASSERSTEIN_DEFAULT_THRESHOLD);
    return wassersteinOfSamples(ref.finite(), ref.sorted(), cur.sorted(), t);
  }
  if (name === "jensenshannon" || name === "psi") {
    const t = checkThreshold(threshold, STATTESTS[name].defaultThreshold);
    const shares = numberShares(pair, kind, name === "psi");
    return name === "psi" ? psiOfShares(shares, t) : jensenshannonOfShares(shares, t);
  }
  return runOnCodes(name, pair.codes(), threshold);
}

/**
 * {@linkcode columnDrift} of a column given as a {@linkcode ColumnPair}: the same result, from
 * typed columns whose sorted values and counts are computed once and shared (with the quality
 * summary, for one). Cells the typed forms do not cover, and inputs the row-based function
 * rejects, go to {@linkcode columnDrift} itself. O(n) after the pair's sort.
 *
 * @example
 * ```ts
 * import { columnDriftOfPair } from "./column_drift.ts";
 * import { ColumnPair, columnOf } from "./columnar.ts";
 * const ref = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
 * const cur = [1.1, 1.2, 1.3, 1.4, 1.5, 1.6];
 * columnDriftOfPair("x", new ColumnPair(columnOf(ref), columnOf(cur), () => [ref, cur])).stattest; // "ks"
 * ```
 */
export function columnDriftOfPair(
  column: string,
  pair: ColumnPair,
  options: ColumnDriftOptions = {},
): ColumnDriftResult {
  const rowPath = () => {
    const [reference, current] = pair.cells();
    return columnDrift(
      column,
      reference as ArrayLike<CellValue>,
      current as ArrayLike<CellValue>,
      options,
    );
  };
  let kind: ColumnKind;
  let name: StatTestName;
  if (pair.repr === "codes") {
    const codes = pair.codes();
    const stattest = options.stattest;
    if (
      codes.reference.kept === 0 || codes.current.kept === 0 || options.kind === "numerical" ||
      (stattest !== undefined && !(STATTESTS[stattest]?.kinds.includes("categorical")))
    ) {
      return rowPath();
    }
    kind = options.kind ?? "categorical";
    name = stattest
      ? getStatTest(stattest, kind).name
      : defaultStatTestName(kind, codes.reference.kept, unionCodes(codes).length);
  } else if (pair.repr === "numbers") {
    const ref = pair.reference as NumericColumn;
    const cur = pair.current as NumericColumn;
    if (ref.finite().length === 0 || cur.finite().length === 0) return rowPath();
    kind = options.kind ?? numericColumnKind(ref, cur);
    if (options.stattest && options.kind === undefined && kind === "categorical") {
      getStatTest(options.stattest); // the row path's check of the name, in its order
    }
    name = options.stattest ? getStatTest(options.stattest, kind).name : defaultStatTestName(
      kind,
      ref.finite().length,
      distinctUpTo([ref.finite(), cur.finite()], 5),
    );
  } else {
    return rowPath();
  }
  let result: StatTestResult;
  try {
    result = pair.repr === "codes"
      ? runOnCodes(name, pair.codes(), options.threshold)
      : runOnNumbers(name, pair, kind, options.threshold);
  } catch (err) {
    if (err instanceof TypeError || err instanceof RangeError) {
      const Ctor = err instanceof TypeError ? TypeError : RangeError;
      throw new Ctor(`Column "${column}": ${err.message}`);
    }
    throw err;
  }
  return { column, kind, ...result };
}
