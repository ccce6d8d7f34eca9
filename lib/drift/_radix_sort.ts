/**
 * Sorting of float64 samples by LSD radix sort on their bit patterns: the same order as
 * `Float64Array.prototype.sort()` (ascending, -0 before +0), in a fraction of its time for the
 * sample sizes of drift reports. NaN is not expected (the drift tests drop it first).
 *
 * The 64 bits of each value are mapped to an unsigned key whose order is the numeric order
 * (positive values: sign bit set; negative values: all bits inverted), then sorted by six 11-bit
 * digits (three per 32-bit half), skipping a digit that every value shares, and mapped back. As
 * a sort of totally ordered keys it returns exactly the array that the built-in sort returns.
 *
 * @module
 */

/** Below this size the built-in sort is as fast; it gives the same result. */
const SMALL = 256;
const DIGIT_BITS = 11;
const BUCKETS = 1 << DIGIT_BITS;
const DIGIT_MASK = BUCKETS - 1;
/** (word, shift) of the six digits, least significant first; word 0 is the low half. */
const DIGITS: readonly [number, number][] = [[0, 0], [0, 11], [0, 22], [1, 0], [1, 11], [1, 22]];

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Histograms of the six digits of the keys of n values (pairs of 32-bit words), one after
 * another. A value's key orders as an unsigned number like the value: negative values have
 * every bit inverted, others the sign bit set. Reads only.
 */
function histograms(words: Int32Array, n: number, finiteOnly = false): Int32Array | null {
  const counts = new Int32Array(6 * BUCKETS);
  for (let i = 0; i < n; i++) {
    const hi0 = words[2 * i + 1];
    // exponent bits all set: ±Infinity or NaN
    if (finiteOnly && (hi0 & 0x7ff00000) === 0x7ff00000) return null;
    const m = hi0 >> 31;
    const lo = words[2 * i] ^ m;
    const hi = hi0 ^ (m | 0x80000000);
    counts[lo & DIGIT_MASK]++;
    counts[BUCKETS + ((lo >>> 11) & DIGIT_MASK)]++;
    counts[2 * BUCKETS + (lo >>> 22)]++;
    counts[3 * BUCKETS + (hi & DIGIT_MASK)]++;
    counts[4 * BUCKETS + ((hi >>> 11) & DIGIT_MASK)]++;
    counts[5 * BUCKETS + (hi >>> 22)]++;
  }
  return counts;
}

/** The digits (0…5) that not every key shares, least significant first. */
function activeDigits(counts: Int32Array, n: number): number[] {
  const active: number[] = [];
  for (let d = 0; d < 6; d++) {
    const base = d * BUCKETS;
    for (let b = 0; b < BUCKETS; b++) {
      const c = counts[base + b];
      if (c !== 0) {
        if (c !== n) active.push(d);
        break;
      }
    }
  }
  return active;
}

/** Exclusive prefix sums of digit d's histogram, as starting offsets. */
function offsets(counts: Int32Array, d: number): Int32Array {
  const out = new Int32Array(BUCKETS);
  const base = d * BUCKETS;
  let sum = 0;
  for (let b = 0; b < BUCKETS; b++) {
    out[b] = sum;
    sum += counts[base + b];
  }
  return out;
}

/**
 * One stable pass by digit `d` (or a plain copy when `d` is -1) from `src` to `dst`. With
 * `fromValues` the source holds values and is mapped to keys on the way; with `toValues` the
 * keys are mapped back to values as they are written. `srcIdx` null means the identity; the
 * payload moves only when `dstIdx` is given.
 */
function scatter(
  src: Int32Array,
  dst: Int32Array,
  n: number,
  d: number,
  pos: Int32Array | null,
  fromValues: boolean,
  toValues: boolean,
  srcIdx: Uint32Array | null,
  dstIdx: Uint32Array | null,
): void {
  const shift = d < 0 ? 0 : DIGITS[d][1];
  const high = d >= 3;
  const inMask = fromValues ? -1 : 0;
  const outMask = toValues ? -1 : 0;
  for (let i = 0; i < n; i++) {
    const hi0 = src[2 * i + 1];
    const mi = (hi0 >> 31) & inMask;
    const lo = src[2 * i] ^ mi;
    const hi = hi0 ^ ((mi | 0x80000000) & inMask);
    const p = pos === null ? i : pos[((high ? hi : lo) >>> shift) & DIGIT_MASK]++;
    const mo = ~(hi >> 31) & outMask;
    dst[2 * p] = lo ^ mo;
    dst[2 * p + 1] = hi ^ ((mo | 0x80000000) & outMask);
    if (dstIdx !== null) dstIdx[p] = srcIdx === null ? i : srcIdx[i];
  }
}

/**
 * Sorts the n values held as words in `input` into `x` (which may be `input`), with `y` as
 * scratch. With `withIndex`, returns each sorted value's position in the input (stable).
 */
function radixSort(
  input: Int32Array,
  x: Int32Array,
  y: Int32Array,
  n: number,
  withIndex: boolean,
  counts: Int32Array = histograms(input, n)!,
): Uint32Array | null {
  const passes: number[] = activeDigits(counts, n);
  // passes alternate between x and y and must end in x; a scatter cannot write its own input,
  // so sorting in place with an odd number of passes (or copying with none) adds a copy
  if (input === x ? passes.length % 2 === 1 : passes.length === 0) passes.unshift(-1);
  let src = input;
  let dst = passes.length % 2 === 1 ? x : y;
  let idx: Uint32Array | null = null;
  let idxNext: Uint32Array | null = withIndex ? new Uint32Array(n) : null;
  for (let k = 0; k < passes.length; k++) {
    const d = passes[k];
    scatter(
      src,
      dst,
      n,
      d,
      d < 0 ? null : offsets(counts, d),
      k === 0,
      k === passes.length - 1,
      idx,
      idxNext,
    );
    if (withIndex) {
      const t = idx;
      idx = idxNext;
      idxNext = t ?? new Uint32Array(n);
    }
    src = dst;
    dst = dst === x ? y : x;
  }
  if (withIndex && idx === null) {
    idx = new Uint32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
  }
  return idx;
}

/**
 * Sorts a Float64Array in place, ascending, with the result of `values.sort()` (which it calls
 * for small arrays). The values must not contain NaN. Returns `values`. O(n).
 *
 * @example
 * ```ts
 * import { sortFloat64 } from "./_radix_sort.ts";
 * sortFloat64(new Float64Array([3, -0, 0, -2.5])); // Float64Array [-2.5, -0, 0, 3]
 * ```
 */
export function sortFloat64(values: Float64Array): Float64Array {
  const n = values.length;
  if (n < SMALL || !LITTLE_ENDIAN) return values.sort();
  const words = new Int32Array(values.buffer, values.byteOffset, 2 * n);
  radixSort(words, words, new Int32Array(2 * n), n, false);
  return values;
}

/**
 * A sorted copy of a Float64Array whose values are all finite, read straight from the input
 * (which is not modified); null when a value is NaN or ±Infinity. The same array as
 * `Float64Array.from(values).sort()`. O(n).
 *
 * @example
 * ```ts
 * import { sortedFiniteCopy } from "./_radix_sort.ts";
 * sortedFiniteCopy(new Float64Array([2, 1])); // Float64Array [1, 2]
 * sortedFiniteCopy(new Float64Array([2, NaN])); // null
 * ```
 */
export function sortedFiniteCopy(values: Float64Array): Float64Array | null {
  const n = values.length;
  if (n < SMALL || !LITTLE_ENDIAN) {
    for (let i = 0; i < n; i++) if (!Number.isFinite(values[i])) return null;
    return values.slice().sort();
  }
  const input = new Int32Array(values.buffer, values.byteOffset, 2 * n);
  const counts = histograms(input, n, true);
  if (counts === null) return null;
  const out = new Float64Array(n);
  radixSort(input, new Int32Array(out.buffer), new Int32Array(2 * n), n, false, counts);
  return out;
}

/** A sample's values in ascending order and, for each, its position in the sample. */
export interface Argsort {
  /** The values, ascending (as `Float64Array.prototype.sort`). */
  sorted: Float64Array;
  /** `order[k]` is the position in the input of `sorted[k]`; equal values keep input order. */
  order: Uint32Array;
}

/**
 * Stable argsort of a Float64Array without NaN: the sorted values and the input position of
 * each. The input is not modified. O(n).
 *
 * @example
 * ```ts
 * import { argsortFloat64 } from "./_radix_sort.ts";
 * argsortFloat64(new Float64Array([2, 1, 2])).order; // Uint32Array [1, 0, 2]
 * ```
 */
export function argsortFloat64(values: Float64Array): Argsort {
  const n = values.length;
  if (n < SMALL || !LITTLE_ENDIAN) {
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    // stable: ties keep input order
    order.sort((x, y) => (values[x] < values[y] ? -1 : values[x] > values[y] ? 1 : x - y));
    const sorted = new Float64Array(n);
    for (let k = 0; k < n; k++) sorted[k] = values[order[k]];
    // -0 before +0, as the built-in sort of the values
    return fixSignedZeros(sorted, order);
  }
  const out = new Float64Array(n);
  const order = radixSort(
    new Int32Array(values.buffer, values.byteOffset, 2 * n),
    new Int32Array(out.buffer),
    new Int32Array(2 * n),
    n,
    true,
  )!;
  return { sorted: out, order };
}

/** Within each run of zeros, puts -0 before +0 (stably), as the radix order does. */
function fixSignedZeros(sorted: Float64Array, order: Uint32Array): Argsort {
  let i = 0;
  const n = sorted.length;
  while (i < n) {
    if (sorted[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && sorted[j] === 0) j++;
    const neg: number[] = [];
    const pos: number[] = [];
    for (let k = i; k < j; k++) (Object.is(sorted[k], -0) ? neg : pos).push(order[k]);
    let k = i;
    for (const o of neg) {
      sorted[k] = -0;
      order[k++] = o;
    }
    for (const o of pos) {
      sorted[k] = 0;
      order[k++] = o;
    }
    i = j;
  }
  return { sorted, order };
}
