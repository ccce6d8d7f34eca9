/**
 * Drift of one column: kind detection, Evidently's default test or an override, verdict.
 *
 * @module
 */

import { detectColumnKind } from "../../column_kind.ts";
import { chooseStatTest, getStatTest } from "./registry.ts";
import { assertArrayLike, isDropped } from "../../_validate.ts";
import type { CellValue, ColumnKind, StatTestName, StatTestResult } from "../../types.ts";

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
