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

/** Maps the values' bits in place (pairs of 32-bit words) to keys in unsigned numeric order. */
function toKeys(w: Uint32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const lo = 2 * i;
    const hi = lo + 1;
    const h = w[hi];
    if (h & 0x80000000) {
      w[hi] = ~h;
      w[lo] = ~w[lo];
    } else {
      w[hi] = h | 0x80000000;
    }
  }
}

/** The inverse of {@linkcode toKeys}. */
function fromKeys(w: Uint32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const lo = 2 * i;
    const hi = lo + 1;
    const h = w[hi];
    if (h & 0x80000000) {
      w[hi] = h & 0x7fffffff;
    } else {
      w[hi] = ~h;
      w[lo] = ~w[lo];
    }
  }
}

/** Histograms of the six digits of n keys, one after another in a single array. */
function histograms(w: Uint32Array, n: number): Int32Array {
  const counts = new Int32Array(6 * BUCKETS);
  for (let i = 0; i < n; i++) {
    const lo = w[2 * i];
    const hi = w[2 * i + 1];
    counts[lo & DIGIT_MASK]++;
    counts[BUCKETS + ((lo >>> 11) & DIGIT_MASK)]++;
    counts[2 * BUCKETS + (lo >>> 22)]++;
    counts[3 * BUCKETS + (hi & DIGIT_MASK)]++;
    counts[4 * BUCKETS + ((hi >>> 11) & DIGIT_MASK)]++;
    counts[5 * BUCKETS + (hi >>> 22)]++;
  }
  return counts;
}

/** True when every key has the same digit d (one bucket holds all n). */
function constantDigit(counts: Int32Array, d: number, n: number): boolean {
  const base = d * BUCKETS;
  for (let b = 0; b < BUCKETS; b++) {
    const c = counts[base + b];
    if (c !== 0) return c === n;
  }
  return true;
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
 * Sorts the keys in `a` (n pairs of words); `b` is scratch of the same size. With `idx`/`idxB`,
 * the payload moves with its key (stable). Returns whether the result is in `a` (true) or `b`.
 */
function sortKeys(
  a: Uint32Array,
  b: Uint32Array,
  n: number,
  idx: Uint32Array | null,
  idxB: Uint32Array | null,
): boolean {
  const counts = histograms(a, n);
  let src = a;
  let dst = b;
  let srcIdx = idx;
  let dstIdx = idxB;
  let inA = true;
  for (let d = 0; d < DIGITS.length; d++) {
    if (constantDigit(counts, d, n)) continue;
    const [word, shift] = DIGITS[d];
    const pos = offsets(counts, d);
    if (srcIdx && dstIdx) {
      for (let i = 0; i < n; i++) {
        const lo = src[2 * i];
        const hi = src[2 * i + 1];
        const digit = ((word === 0 ? lo : hi) >>> shift) & DIGIT_MASK;
        const p = pos[digit]++;
        dst[2 * p] = lo;
        dst[2 * p + 1] = hi;
        dstIdx[p] = srcIdx[i];
      }
      const t = srcIdx;
      srcIdx = dstIdx;
      dstIdx = t;
    } else if (word === 0) {
      for (let i = 0; i < n; i++) {
        const lo = src[2 * i];
        const p = pos[(lo >>> shift) & DIGIT_MASK]++;
        dst[2 * p] = lo;
        dst[2 * p + 1] = src[2 * i + 1];
      }
    } else {
      for (let i = 0; i < n; i++) {
        const hi = src[2 * i + 1];
        const p = pos[(hi >>> shift) & DIGIT_MASK]++;
        dst[2 * p] = src[2 * i];
        dst[2 * p + 1] = hi;
      }
    }
    const t = src;
    src = dst;
    dst = t;
    inA = !inA;
  }
  return inA;
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
  const a = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  const b = new Uint32Array(2 * n);
  toKeys(a, n);
  const inA = sortKeys(a, b, n, null, null);
  if (!inA) a.set(b);
  fromKeys(a, n);
  return values;
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
  const copy = Float64Array.from(values);
  const a = new Uint32Array(copy.buffer, 0, 2 * n);
  const b = new Uint32Array(2 * n);
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const idxB = new Uint32Array(n);
  toKeys(a, n);
  const inA = sortKeys(a, b, n, idx, idxB);
  const words = inA ? a : b;
  fromKeys(words, n);
  const sorted = inA ? copy : new Float64Array(b.buffer, 0, n);
  return { sorted, order: inA ? idx : idxB };
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
