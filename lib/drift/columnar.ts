/**
 * Columnar tables: each column of a set of rows extracted once into a typed array, shared by
 * the drift tests, the quality summary and the correlations, with what they derive from it
 * (finite values, sorted values and order, category counts) computed once and cached.
 *
 * A column is stored in one of three ways:
 * - **numbers**: every non-missing cell is a number. A `Float64Array` of the cells, with NaN
 *   for a missing cell (null, undefined, blank text, NaN); ±Infinity is kept.
 * - **codes**: cells are strings, numbers or booleans (at least one not a number). An
 *   `Int32Array` of codes into a dictionary of the distinct values (as `Map` keys), -1 for a
 *   missing cell.
 * - **cells**: anything else (objects, arrays, -0 among texts): the raw cells, handled by the
 *   row-based functions as before.
 *
 * The values, orders and counts are those the row-based functions compute on the raw cells;
 * only the layout differs.
 *
 * @module
 */

import { argsortFloat64, sortFloat64 } from "./_radix_sort.ts";
import { isMissing } from "./_validate.ts";
import type { Category, CellValue, Row } from "./types.ts";

/** A column whose non-missing cells are all numbers. */
export class NumericColumn {
  /** Storage kind. */
  readonly repr = "numbers";
  /** One value per row; NaN where the cell is missing. Never modified. */
  readonly values: Float64Array;
  /** Whether the column came from a Float64Array (never an integer column, as in pandas). */
  readonly fromFloat64Array: boolean;
  #finite?: Float64Array;
  #sorted?: Float64Array;
  #order?: Uint32Array;
  #missing = -1;

  /**
   * Wraps one value per row (NaN for missing). The array is kept, not copied; do not modify it.
   *
   * @example
   * ```ts
   * import { NumericColumn } from "./columnar.ts";
   * new NumericColumn(new Float64Array([2, NaN, 1])).sorted(); // Float64Array [1, 2]
   * ```
   */
  constructor(values: Float64Array, fromFloat64Array = false) {
    this.values = values;
    this.fromFloat64Array = fromFloat64Array;
  }

  /** Number of rows. */
  get length(): number {
    return this.values.length;
  }

  /** Number of missing cells (NaN). O(n) once. */
  missing(): number {
    if (this.#missing < 0) {
      let m = 0;
      const v = this.values;
      for (let i = 0; i < v.length; i++) if (v[i] !== v[i]) m++;
      this.#missing = m;
    }
    return this.#missing;
  }

  /**
   * The finite values in row order (missing values and ±Infinity dropped): the sample every
   * numeric test and statistic sees. The column's own array when every value is finite.
   * O(n) once.
   */
  finite(): Float64Array {
    if (!this.#finite) {
      const v = this.values;
      let kept = 0;
      for (let i = 0; i < v.length; i++) if (Number.isFinite(v[i])) kept++;
      if (kept === v.length) this.#finite = v;
      else {
        const out = new Float64Array(kept);
        let k = 0;
        for (let i = 0; i < v.length; i++) if (Number.isFinite(v[i])) out[k++] = v[i];
        this.#finite = out;
      }
    }
    return this.#finite;
  }

  /** True when every value is finite (no missing value, no infinity). */
  complete(): boolean {
    return this.finite() === this.values;
  }

  /** The finite values in ascending order (as `Float64Array.prototype.sort`). O(n) once. */
  sorted(): Float64Array {
    if (!this.#sorted) {
      if (this.complete()) this.#argsort();
      else this.#sorted = sortFloat64(Float64Array.from(this.finite()));
    }
    return this.#sorted!;
  }

  /**
   * For a complete column, the row of each sorted value (equal values in row order); null for
   * a column with missing or infinite values. O(n) once.
   */
  order(): Uint32Array | null {
    if (!this.complete()) return null;
    if (!this.#order) this.#argsort();
    return this.#order!;
  }

  #argsort(): void {
    const { sorted, order } = argsortFloat64(this.values);
    this.#sorted = sorted;
    this.#order = order;
  }
}

/** A column of strings, numbers and booleans stored as codes into a dictionary. */
export class CodedColumn {
  /** Storage kind. */
  readonly repr = "codes";
  /** One code per row; -1 where the cell is missing. Never modified. */
  readonly codes: Int32Array;
  /** The value of each code (as a `Map` key: -0 is 0). Never modified. */
  readonly dict: readonly Category[];

  /**
   * Wraps codes and their dictionary. The arrays are kept, not copied; do not modify them.
   *
   * @example
   * ```ts
   * import { CodedColumn } from "./columnar.ts";
   * new CodedColumn(new Int32Array([0, 1, -1, 0]), ["a", "b"]).length; // 4
   * ```
   */
  constructor(codes: Int32Array, dict: readonly Category[]) {
    this.codes = codes;
    this.dict = dict;
  }

  /** Number of rows. */
  get length(): number {
    return this.codes.length;
  }
}

/** A column kept as raw cells (values the typed forms do not represent). */
export class CellsColumn {
  /** Storage kind. */
  readonly repr = "cells";
  /** One cell per row. */
  readonly cells: readonly unknown[];

  /**
   * Wraps raw cells.
   *
   * @example
   * ```ts
   * import { CellsColumn } from "./columnar.ts";
   * new CellsColumn([{ a: 1 }, null]).length; // 2
   * ```
   */
  constructor(cells: readonly unknown[]) {
    this.cells = cells;
  }

  /** Number of rows. */
  get length(): number {
    return this.cells.length;
  }
}

/** A column of a {@linkcode ColumnarTable}. */
export type Column = NumericColumn | CodedColumn | CellsColumn;

/** True for -0. */
function isNegativeZero(v: number): boolean {
  return v === 0 && 1 / v < 0;
}

/** Builds one column while the rows are read: numbers first, codes or cells when needed. */
class ColumnBuilder {
  repr: "numbers" | "codes" | "cells" = "numbers";
  nums: Float64Array;
  codes: Int32Array | null = null;
  dict: Category[] = [];
  index = new Map<Category, number>();

  constructor(n: number) {
    this.nums = new Float64Array(n).fill(Number.NaN);
  }

  set(r: number, v: unknown): void {
    if (this.repr === "numbers") {
      if (typeof v === "number") this.nums[r] = v;
      else if (v !== null && v !== undefined && !isMissing(v)) this.#toCodes(r, v);
    } else if (this.repr === "codes") {
      this.#code(r, v);
    }
  }

  #toCodes(r: number, v: unknown): void {
    const nums = this.nums;
    const codes = new Int32Array(nums.length).fill(-1);
    this.codes = codes;
    this.repr = "codes";
    for (let i = 0; i < r; i++) {
      const x = nums[i];
      if (x === x) {
        if (isNegativeZero(x)) {
          this.repr = "cells";
          return;
        }
        codes[i] = this.#codeOf(x);
      }
    }
    this.#code(r, v);
  }

  #code(r: number, v: unknown): void {
    if (isMissing(v)) return;
    const t = typeof v;
    if (t === "string" || t === "boolean" || (t === "number" && !isNegativeZero(v as number))) {
      this.codes![r] = this.#codeOf(v as Category);
    } else this.repr = "cells";
  }

  #codeOf(v: Category): number {
    // a few categories are found by a scan (=== is the map's equality here: no NaN, no -0)
    const dict = this.dict;
    if (dict.length <= 8) {
      for (let k = 0; k < dict.length; k++) if (dict[k] === v) return k;
    }
    let c = this.index.get(v);
    if (c === undefined) {
      c = this.dict.length;
      this.index.set(v, c);
      this.dict.push(v);
    }
    return c;
  }
}

/** True when `for…in` over a plain row lists exactly its own keys (nothing inherited). */
function prototypeIsClean(): boolean {
  for (const _ in Object.prototype) return false;
  return true;
}

/** The columns of one dataset, each extracted once from the rows. */
export class ColumnarTable {
  /** Number of rows. */
  readonly length: number;
  /** Column names in order of first appearance (as `Object.keys` of each row in turn). */
  readonly names: readonly string[];
  readonly #columns: Map<string, Column>;
  readonly #rows: readonly Row[] | null;
  readonly #arrays: Readonly<Record<string, ArrayLike<unknown>>> | null;

  private constructor(
    length: number,
    names: string[],
    columns: Map<string, Column>,
    rows: readonly Row[] | null,
    arrays: Readonly<Record<string, ArrayLike<unknown>>> | null = null,
  ) {
    this.length = length;
    this.names = names;
    this.#columns = columns;
    this.#rows = rows;
    this.#arrays = arrays;
  }

  /**
   * Reads every column of the rows in one pass. Rows must be objects (checked by the callers,
   * as before). O(rows · columns).
   *
   * @example
   * ```ts
   * import { ColumnarTable } from "./columnar.ts";
   * const t = ColumnarTable.fromRows([{ x: 1, m: "a" }, { x: null, m: "b" }]);
   * t.names; // ["x", "m"]
   * t.column("x")?.repr; // "numbers"
   * ```
   */
  static fromRows(rows: readonly Row[]): ColumnarTable {
    const n = rows.length;
    const index = new Map<string, number>();
    const names: string[] = [];
    const builders: ColumnBuilder[] = [];
    // the number array of each column while it holds numbers only (null after): the fast path
    const nums: (Float64Array | null)[] = [];
    const lookup = (k: string): number => {
      let c = index.get(k);
      if (c === undefined) {
        c = names.length;
        index.set(k, c);
        names.push(k);
        const b = new ColumnBuilder(n);
        builders.push(b);
        nums.push(b.nums);
      }
      return c;
    };
    const set = (c: number, r: number, v: unknown): void => {
      const b = builders[c];
      b.set(r, v);
      if (b.repr !== "numbers") nums[c] = null;
    };
    // position p of a row's keys: the key seen there in the previous row and its column
    const slotKeys: string[] = [];
    const slotCols: number[] = [];
    const clean = prototypeIsClean();
    for (let r = 0; r < n; r++) {
      const row = rows[r];
      const proto = Object.getPrototypeOf(row);
      if (clean && (proto === Object.prototype || proto === null)) {
        let p = 0;
        for (const k in row) {
          let c: number;
          if (slotKeys[p] === k) c = slotCols[p];
          else {
            c = lookup(k);
            slotKeys[p] = k;
            slotCols[p] = c;
          }
          const v = row[k];
          const column = nums[c];
          if (column !== null && typeof v === "number") column[r] = v;
          else set(c, r, v);
          p++;
        }
      } else {
        for (const k of Object.keys(row)) set(lookup(k), r, row[k]);
      }
    }
    const columns = new Map<string, Column>();
    names.forEach((name, c) => {
      const b = builders[c];
      if (b.repr === "numbers") columns.set(name, new NumericColumn(b.nums));
      else if (b.repr === "codes") columns.set(name, new CodedColumn(b.codes!, b.dict));
      else columns.set(name, new CellsColumn(rows.map((row) => row[name])));
    });
    return new ColumnarTable(n, names, columns, rows);
  }

  /**
   * A table of named columns given as arrays of cells (or Float64Arrays). O(rows · columns).
   *
   * @example
   * ```ts
   * import { ColumnarTable } from "./columnar.ts";
   * ColumnarTable.fromColumns({ x: [1, 2, 3] }).length; // 3
   * ```
   */
  static fromColumns(columns: Readonly<Record<string, ArrayLike<unknown>>>): ColumnarTable {
    const names = Object.keys(columns);
    const length = names.length ? columns[names[0]].length : 0;
    const map = new Map<string, Column>();
    for (const name of names) {
      const values = columns[name];
      if (values.length !== length) {
        throw new RangeError(
          `Expected columns of equal length, found ${length} and ${values.length} ("${name}")`,
        );
      }
      map.set(name, columnOf(values));
    }
    return new ColumnarTable(length, names, map, null, columns);
  }

  /** The column of that name, or undefined when no row has it. */
  column(name: string): Column | undefined {
    return this.#columns.get(name);
  }

  /**
   * The raw cells of a column as the row-based code sees them: from rows, undefined where a row
   * lacks it; from columns, the array given.
   */
  cells(name: string): ArrayLike<unknown> {
    if (this.#rows) return this.#rows.map((row) => row[name]);
    if (this.#arrays && Object.hasOwn(this.#arrays, name)) return this.#arrays[name];
    return new Array(this.length).fill(undefined);
  }
}

/**
 * The typed form of one column given as an array of cells: numbers for a Float64Array or an
 * array of numbers and missing cells, codes for strings/numbers/booleans, raw cells otherwise.
 * O(n).
 *
 * @example
 * ```ts
 * import { columnOf } from "./columnar.ts";
 * columnOf([1, null, 2.5]).repr; // "numbers"
 * columnOf(["a", "b", null]).repr; // "codes"
 * ```
 */
export function columnOf(values: ArrayLike<unknown>): Column {
  if (values instanceof Float64Array) return new NumericColumn(values, true);
  const b = new ColumnBuilder(values.length);
  for (let i = 0; i < values.length && b.repr !== "cells"; i++) b.set(i, values[i]);
  if (b.repr === "numbers") return new NumericColumn(b.nums);
  if (b.repr === "codes") return new CodedColumn(b.codes!, b.dict);
  return new CellsColumn(Array.from(values));
}

/** Counts of each category in one dataset, by code. */
export interface SideCounts {
  /** Count of each code. */
  counts: Int32Array;
  /** Codes in order of first appearance (missing cells excluded; ±Infinity included). */
  order: Int32Array;
  /** Row of the first appearance of each code, -1 if absent. */
  first: Int32Array;
  /** Number of missing cells. */
  missing: number;
  /** Number of cells that drift tests keep (not missing, not ±Infinity). */
  kept: number;
}

/** Category codes of one column in reference and current, over one dictionary. */
export interface PairCodes {
  /** The value of each code (a `Map` key: -0 is 0). */
  dict: readonly Category[];
  /** 1 for a code whose value is ±Infinity (dropped by the drift tests). */
  dropped: Uint8Array;
  reference: SideCounts;
  current: SideCounts;
}

function sideCounts(codes: Int32Array, k: number, dropped: Uint8Array): SideCounts {
  const counts = new Int32Array(k);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c >= 0) counts[c]++;
  }
  let present = 0;
  let seen = 0;
  let kept = 0;
  for (let c = 0; c < k; c++) {
    if (counts[c] > 0) present++;
    seen += counts[c];
    if (!dropped[c]) kept += counts[c];
  }
  // first appearances: the scan stops once every present code is found
  const first = new Int32Array(k).fill(-1);
  const order = new Int32Array(present);
  for (let i = 0, found = 0; found < present; i++) {
    const c = codes[i];
    if (c >= 0 && first[c] < 0) {
      first[c] = i;
      order[found++] = c;
    }
  }
  return { counts, order, first, missing: codes.length - seen, kept };
}

/** Codes of a numeric column over a dictionary shared with another. */
function codeNumbers(values: Float64Array, index: Map<number, number>, dict: number[]): Int32Array {
  const codes = new Int32Array(values.length);
  // few distinct values are found by a scan of the dictionary, many by the map
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) {
      codes[i] = -1;
      continue;
    }
    let c = -1;
    if (dict.length <= 16) {
      for (let k = 0; k < dict.length; k++) {
        if (dict[k] === v) {
          c = k;
          break;
        }
      }
    } else c = index.get(v) ?? -1;
    if (c < 0) {
      c = dict.length;
      index.set(v, c);
      dict.push(v === 0 ? 0 : v);
    }
    codes[i] = c;
  }
  return codes;
}

/** A column of reference and current, with what the tests derive from both (cached). */
export class ColumnPair {
  /** Storage kind of the pair: both numbers, both codes, or raw cells. */
  readonly repr: "numbers" | "codes" | "cells";
  /** The reference column. */
  readonly reference: Column;
  /** The current column. */
  readonly current: Column;
  readonly #cells: () => [ArrayLike<unknown>, ArrayLike<unknown>];
  #codes?: PairCodes;
  #rawCells?: [ArrayLike<unknown>, ArrayLike<unknown>];

  /**
   * Pairs two columns; `cells` gives their raw cells for the row-based fallbacks.
   *
   * @example
   * ```ts
   * import { ColumnPair, columnOf } from "./columnar.ts";
   * const p = new ColumnPair(columnOf([1, 2]), columnOf([2, 3]), () => [[1, 2], [2, 3]]);
   * p.repr; // "numbers"
   * ```
   */
  constructor(
    reference: Column,
    current: Column,
    cells: () => [ArrayLike<unknown>, ArrayLike<unknown>],
  ) {
    this.reference = reference;
    this.current = current;
    this.#cells = cells;
    this.repr = reference.repr === current.repr && reference.repr !== "cells"
      ? reference.repr
      : "cells";
  }

  /**
   * The pair of a column in two tables (an absent column is all missing).
   *
   * @example
   * ```ts
   * import { ColumnarTable, ColumnPair } from "./columnar.ts";
   * const a = ColumnarTable.fromRows([{ m: "x" }]);
   * const b = ColumnarTable.fromRows([{ m: "y" }]);
   * ColumnPair.fromTables(a, b, "m").codes().dict; // ["x", "y"]
   * ```
   */
  static fromTables(reference: ColumnarTable, current: ColumnarTable, name: string): ColumnPair {
    const missing = (t: ColumnarTable) =>
      new NumericColumn(new Float64Array(t.length).fill(Number.NaN));
    return new ColumnPair(
      reference.column(name) ?? missing(reference),
      current.column(name) ?? missing(current),
      () => [reference.cells(name), current.cells(name)],
    );
  }

  /** Raw cells of reference and current (for the row-based fallbacks). */
  cells(): [ArrayLike<unknown>, ArrayLike<unknown>] {
    if (!this.#rawCells) this.#rawCells = this.#cells();
    return this.#rawCells;
  }

  /** Category codes of both sides over one dictionary (numbers or codes pairs). O(n) once. */
  codes(): PairCodes {
    if (this.#codes) return this.#codes;
    let dict: readonly Category[];
    let refCodes: Int32Array;
    let curCodes: Int32Array;
    const ref = this.reference;
    const cur = this.current;
    if (ref.repr === "numbers" && cur.repr === "numbers") {
      const index = new Map<number, number>();
      const d: number[] = [];
      refCodes = codeNumbers(ref.values, index, d);
      curCodes = codeNumbers(cur.values, index, d);
      dict = d;
    } else if (ref.repr === "codes" && cur.repr === "codes") {
      // the reference's dictionary, then the current's values it lacks
      const d = [...ref.dict];
      const index = new Map<Category, number>(d.map((v, i) => [v, i]));
      const remap = Int32Array.from(cur.dict, (v) => {
        let c = index.get(v);
        if (c === undefined) {
          c = d.length;
          index.set(v, c);
          d.push(v);
        }
        return c;
      });
      refCodes = ref.codes;
      curCodes = new Int32Array(cur.codes.length);
      for (let i = 0; i < curCodes.length; i++) {
        const c = cur.codes[i];
        curCodes[i] = c < 0 ? -1 : remap[c];
      }
      dict = d;
    } else {
      throw new TypeError(`Expected a pair of numbers or codes, found ${this.repr}`);
    }
    const dropped = Uint8Array.from(
      dict,
      (v) => (typeof v === "number" && !Number.isFinite(v) ? 1 : 0),
    );
    this.#codes = {
      dict,
      dropped,
      reference: sideCounts(refCodes, dict.length, dropped),
      current: sideCounts(curCodes, dict.length, dropped),
    };
    return this.#codes;
  }
}

/** The cell value of a code's first appearance in one side (a number column keeps -0). */
export function rawCategory(
  column: Column,
  codes: PairCodes,
  side: SideCounts,
  code: number,
): CellValue {
  if (column.repr === "numbers") return column.values[side.first[code]];
  return codes.dict[code];
}
