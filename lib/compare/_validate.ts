/**
 * Input checks shared by the comparison statistics.
 *
 * @module
 */

/**
 * A short description of a value for error messages. O(1).
 *
 * @example
 * ```ts
 * import { describe } from "./_validate.ts";
 * describe("fast"); // '"fast"'
 * ```
 */
export function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v);
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `${typeof v} ${String(v)}`;
}

/**
 * Copies a sample of numbers into a Float64Array, rejecting anything that is not a number
 * (TypeError), NaN (TypeError) and samples shorter than `min` (RangeError). ±Infinity is kept.
 * O(n).
 *
 * @example
 * ```ts
 * import { numberSample } from "./_validate.ts";
 * numberSample([1, 2], "a", 1); // Float64Array [1, 2]
 * ```
 */
export function numberSample(values: unknown, name: string, min: number): Float64Array {
  if (
    values === null || typeof values !== "object" ||
    typeof (values as ArrayLike<unknown>).length !== "number"
  ) {
    throw new TypeError(`Expected ${name} to be an array of numbers, found ${describe(values)}`);
  }
  const arr = values as ArrayLike<unknown>;
  const out = new Float64Array(arr.length);
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (typeof v !== "number" || Number.isNaN(v)) {
      throw new TypeError(`Expected ${name}[${i}] to be a number, found ${describe(v)}`);
    }
    out[i] = v;
  }
  if (out.length < min) {
    throw new RangeError(
      `Expected ${name} to hold at least ${min} value${min === 1 ? "" : "s"}, found ${out.length}`,
    );
  }
  return out;
}

/**
 * Sample mean (compensated summation). O(n).
 *
 * @example
 * ```ts
 * import { mean } from "./_validate.ts";
 * mean([1, 2, 3]); // 2
 * ```
 */
export function mean(x: ArrayLike<number>): number {
  let sum = 0;
  let c = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const t = sum + v;
    if (Math.abs(sum) >= Math.abs(v)) c += sum - t + v;
    else c += v - t + sum;
    sum = t;
  }
  return (sum + c) / x.length;
}

/**
 * Sample variance with `ddof` delta degrees of freedom, as numpy's two-pass
 * `mean((x - mean)²) · n / (n - ddof)`. O(n).
 *
 * @example
 * ```ts
 * import { variance } from "./_validate.ts";
 * variance([1, 2, 3, 4], 1); // ≈ 1.6667
 * ```
 */
export function variance(x: ArrayLike<number>, ddof: number, center = mean(x)): number {
  const sq = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) sq[i] = (x[i] - center) ** 2;
  return mean(sq) * (x.length / (x.length - ddof));
}

/**
 * Checks a probability-like option in the open interval (0, 1). O(1).
 *
 * @example
 * ```ts
 * import { checkUnitInterval } from "./_validate.ts";
 * checkUnitInterval(0.95, "level"); // 0.95
 * ```
 */
export function checkUnitInterval(v: unknown, name: string): number {
  if (typeof v !== "number" || !(v > 0 && v < 1)) {
    throw new RangeError(`Expected ${name} strictly between 0 and 1, found ${describe(v)}`);
  }
  return v;
}

/**
 * Checks a positive integer option. O(1).
 *
 * @example
 * ```ts
 * import { checkPositiveInteger } from "./_validate.ts";
 * checkPositiveInteger(2000, "resamples"); // 2000
 * ```
 */
export function checkPositiveInteger(v: unknown, name: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
    throw new RangeError(`Expected ${name} to be a positive integer, found ${describe(v)}`);
  }
  return v;
}

/**
 * Reads a binary sample (0/1 numbers or booleans) into 0/1 bytes; anything else throws a
 * TypeError, samples shorter than `min` a RangeError. O(n).
 *
 * @example
 * ```ts
 * import { binarySample } from "./_validate.ts";
 * binarySample([true, 0, 1], "a", 1); // Uint8Array [1, 0, 1]
 * ```
 */
export function binarySample(values: unknown, name: string, min: number): Uint8Array {
  if (
    values === null || typeof values !== "object" ||
    typeof (values as ArrayLike<unknown>).length !== "number"
  ) {
    throw new TypeError(`Expected ${name} to be an array of 0/1 values, found ${describe(values)}`);
  }
  const arr = values as ArrayLike<unknown>;
  const out = new Uint8Array(arr.length);
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (v === 1 || v === true) out[i] = 1;
    else if (v !== 0 && v !== false) {
      throw new TypeError(
        `Expected ${name}[${i}] to be 0, 1, true or false, found ${describe(v)}`,
      );
    }
  }
  if (out.length < min) {
    throw new RangeError(
      `Expected ${name} to hold at least ${min} value${min === 1 ? "" : "s"}, found ${out.length}`,
    );
  }
  return out;
}
