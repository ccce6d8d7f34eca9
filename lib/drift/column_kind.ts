/**
 * Column kind detection (numerical | categorical), following Evidently's `infer_column_type`.
 *
 * @module
 */

import { isMissing } from "./_validate.ts";
import type { CellValue, ColumnKind } from "./types.ts";

/** Evidently's INTEGER_CARDINALITY_LIMIT: integer columns with at most 10 values are categorical.  *
 * @example
 * ```ts
 * import { INTEGER_CARDINALITY_LIMIT } from "./column_kind.ts";
 * INTEGER_CARDINALITY_LIMIT; // 10
 * ```
 */
export const INTEGER_CARDINALITY_LIMIT = 10;

/**
 * Kind of a column from its values in reference and current, as Evidently infers it from pandas
 * dtypes: numbers → numerical, except an integer column (only integer numbers, no missing value,
 * not a Float64Array) with at most 10 distinct values, which is categorical; strings, booleans or
 * mixed values → categorical. Throws a RangeError when both samples are empty or all missing.
 * O(n).
 *
 * @example
 * ```ts
 * import { detectColumnKind } from "./column_kind.ts";
 * detectColumnKind([0.5, 1.5, 2.25], [3.5]); // "numerical"
 * detectColumnKind([1, 2, 1], [2, 1]); // "categorical"
 * detectColumnKind(["gpt", "llama"], ["gpt"]); // "categorical"
 * ```
 */
export function detectColumnKind(
  reference: ArrayLike<CellValue>,
  current: ArrayLike<CellValue> = [],
): ColumnKind {
  let present = 0;
  let allNumbers = true;
  let integer = !(reference instanceof Float64Array) && !(current instanceof Float64Array);
  const distinct = new Set<unknown>();
  for (const values of [reference, current]) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (isMissing(v)) {
        integer = false;
        continue;
      }
      present++;
      if (typeof v !== "number") allNumbers = false;
      else if (!Number.isInteger(v)) integer = false;
      if (distinct.size <= INTEGER_CARDINALITY_LIMIT) distinct.add(v);
    }
  }
  if (present === 0) {
    throw new RangeError(
      "Expected a column with at least one non-missing value, found only missing values",
    );
  }
  if (!allNumbers) return "categorical";
  if (integer && distinct.size <= INTEGER_CARDINALITY_LIMIT) return "categorical";
  return "numerical";
}
