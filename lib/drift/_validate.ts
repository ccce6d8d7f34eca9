/**
 * Input validation and cleaning shared by the drift modules.
 *
 * @module
 */

import { sortedFiniteCopy, sortFloat64 } from "./_radix_sort.ts";
import type { Category } from "./types.ts";

/**
 * True for a missing cell: `null`, `undefined`, `""` (or only spaces) and `NaN`.
 *
 * @example
 * ```ts
 * import { isMissing } from "./_validate.ts";
 * isMissing(""); // true
 * ```
 */
export function isMissing(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === "number") return Number.isNaN(v);
  if (typeof v === "string") {
    if (v.length === 0) return true;
    // fast path: no leading or trailing whitespace means not blank
    if (v.charCodeAt(0) > 32 && v.charCodeAt(v.length - 1) > 32) return false;
    return v.trim() === "";
  }
  return false;
}

/** True for a value that drift tests drop: missing, or ±Infinity (Evidently maps inf to NaN).  *
 * @example
 * ```ts
 * import { isDropped } from "./_validate.ts";
 * isDropped(Infinity); // true
 * ```
 */
export function isDropped(v: unknown): boolean {
  return isMissing(v) || v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY;
}

function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v);
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `${typeof v} ${String(v)}`;
}

/** Throws a TypeError unless `values` is an array or a typed array.  *
 * @example
 * ```ts
 * import { assertArrayLike } from "./_validate.ts";
 * assertArrayLike([1, 2], "reference"); // passes; a string would throw TypeError
 * ```
 */
export function assertArrayLike(
  values: unknown,
  name: string,
): asserts values is ArrayLike<unknown> {
  if (
    values === null || typeof values !== "object" ||
    typeof (values as ArrayLike<unknown>).length !== "number"
  ) {
    throw new TypeError(`Expected ${name} to be an array of values, found ${describe(values)}`);
  }
}

/**
 * Validates a numeric sample and returns a fresh Float64Array of its non-missing, finite values
 * (the input is never modified). Throws a RangeError when the sample is empty or all missing,
 * a TypeError when a value is not a number. O(n).
 *
 * @example
 * ```ts
 * import { numericSample } from "./_validate.ts";
 * numericSample([1, null, 3], "reference"); // Float64Array [1, 3]
 * ```
 */
export function numericSample(values: unknown, name: string): Float64Array {
  assertArrayLike(values, name);
  if (values.length === 0) {
    throw new RangeError(`Expected ${name} to contain at least one value, found an empty array`);
  }
  if (values instanceof Float64Array) {
    let kept = 0;
    for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) kept++;
    if (kept === 0) {
      throw new RangeError(
        `Expected ${name} to contain at least one non-missing value, found ${values.length} missing`,
      );
    }
    const out = new Float64Array(kept);
    let k = 0;
    for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) out[k++] = values[i];
    return out;
  }
  const out = new Float64Array(values.length);
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isDropped(v)) continue;
    if (typeof v !== "number") {
      throw new TypeError(
        `Expected ${name} to contain numbers only, found ${describe(v)} at index ${i}`,
      );
    }
    out[k++] = v;
  }
  if (k === 0) {
    throw new RangeError(
      `Expected ${name} to contain at least one non-missing value, found ${values.length} missing`,
    );
  }
  return k === out.length ? out : out.slice(0, k);
}

/**
 * {@linkcode numericSample} sorted ascending (as `Float64Array.prototype.sort`), in a fresh
 * array. An all-finite Float64Array is sorted straight from the input, without the copy. O(n).
 *
 * @example
 * ```ts
 * import { sortedSample } from "./_validate.ts";
 * sortedSample([3, null, 1], "reference"); // Float64Array [1, 3]
 * ```
 */
export function sortedSample(values: unknown, name: string): Float64Array {
  if (values instanceof Float64Array && values.length > 0) {
    const sorted = sortedFiniteCopy(values);
    if (sorted) return sorted;
  }
  return sortFloat64(numericSample(values, name));
}

/**
 * Validates a categorical sample and returns a new array of its non-missing values. Throws a
 * RangeError when the sample is empty or all missing, a TypeError for objects. O(n).
 *
 * @example
 * ```ts
 * import { categoricalSample } from "./_validate.ts";
 * categoricalSample(["a", null, "b"], "current"); // ["a", "b"]
 * ```
 */
export function categoricalSample(values: unknown, name: string): Category[] {
  assertArrayLike(values, name);
  if (values.length === 0) {
    throw new RangeError(`Expected ${name} to contain at least one value, found an empty array`);
  }
  const out: Category[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isDropped(v)) continue;
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") {
      throw new TypeError(
        `Expected ${name} to contain strings, numbers or booleans, found ${
          describe(v)
        } at index ${i}`,
      );
    }
    out.push(v);
  }
  if (out.length === 0) {
    throw new RangeError(
      `Expected ${name} to contain at least one non-missing value, found ${values.length} missing`,
    );
  }
  return out;
}

/** Validates a threshold option.  *
 * @example
 * ```ts
 * import { checkThreshold } from "./_validate.ts";
 * checkThreshold(undefined, 0.05); // 0.05
 * ```
 */
export function checkThreshold(threshold: unknown, fallback: number): number {
  if (threshold === undefined) return fallback;
  if (typeof threshold !== "number" || !Number.isFinite(threshold) || threshold < 0) {
    throw new RangeError(
      `Expected threshold to be a finite non-negative number, found ${describe(threshold)}`,
    );
  }
  return threshold;
}

/** Counts of each category, in order of first appearance. O(n).  *
 * @example
 * ```ts
 * import { countValues } from "./_validate.ts";
 * countValues(["a", "b", "a"]).get("a"); // 2
 * ```
 */
export function countValues(values: readonly Category[]): Map<Category, number> {
  const counts = new Map<Category, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

/** Union of the keys of two count maps (reference first). O(k).  *
 * @example
 * ```ts
 * import { unionKeys } from "./_validate.ts";
 * unionKeys(new Map([["a", 1]]), new Map([["b", 2]])); // ["a", "b"]
 * ```
 */
export function unionKeys(a: Map<Category, number>, b: Map<Category, number>): Category[] {
  const keys = [...a.keys()];
  for (const k of b.keys()) if (!a.has(k)) keys.push(k);
  return keys;
}

/** Sorts categories as Python's `sorted` does for homogeneous keys (numbers numerically).  *
 * @example
 * ```ts
 * import { sortCategories } from "./_validate.ts";
 * sortCategories([10, 9, 100]); // [9, 10, 100]
 * ```
 */
export function sortCategories(keys: readonly Category[]): Category[] {
  const copy = [...keys];
  if (copy.every((k) => typeof k === "number" || typeof k === "boolean")) {
    return copy.sort((a, b) => Number(a) - Number(b));
  }
  return copy.sort((a, b) => {
    const x = String(a);
    const y = String(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}
