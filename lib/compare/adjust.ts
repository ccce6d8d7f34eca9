/**
 * Multiple-testing adjustment of p-values: Holm and Benjamini–Hochberg.
 *
 * @module
 */

/** Names of the adjustment methods. */
export type AdjustMethod = "holm" | "bh";

/** The adjustment methods, for validation and help texts. */
export const ADJUST_METHODS: readonly AdjustMethod[] = Object.freeze(["holm", "bh"]);

function checkPValues(ps: unknown): number[] {
  if (
    ps === null || typeof ps !== "object" || typeof (ps as ArrayLike<unknown>).length !== "number"
  ) {
    throw new TypeError(`Expected an array of p-values, found ${typeof ps}`);
  }
  const arr = Array.from(ps as ArrayLike<unknown>);
  arr.forEach((p, i) => {
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
      throw new RangeError(`Expected p-value ${i} to be a number in [0, 1], found ${String(p)}`);
    }
  });
  return arr as number[];
}

function ascendingOrder(ps: readonly number[]): number[] {
  return ps.map((_, i) => i).sort((i, j) => ps[i] - ps[j] || i - j);
}

/**
 * Holm's step-down adjusted p-values (family-wise error rate), as statsmodels'
 * `multipletests(ps, method="holm")[1]`: with p-values sorted ascending,
 * p̃_(i) = min(1, max_{j ≤ i} (m − j + 1)·p_(j)). Returned in the input order; monotone in the
 * raw p-values. An empty array gives an empty array. O(m log m).
 *
 * @example
 * ```ts
 * import { holm } from "./adjust.ts";
 * holm([0.01, 0.04, 0.03]); // [0.03, 0.06, 0.06]
 * ```
 */
export function holm(ps: ArrayLike<number>): number[] {
  const p = checkPValues(ps);
  const m = p.length;
  const out = new Array<number>(m);
  let running = 0;
  ascendingOrder(p).forEach((idx, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p[idx]));
    out[idx] = running;
  });
  return out;
}

/**
 * Benjamini–Hochberg adjusted p-values (false discovery rate), as
 * `scipy.stats.false_discovery_control(ps, method="bh")`: with p-values sorted ascending,
 * p̃_(i) = min(1, min_{j ≥ i} m·p_(j) / j). Returned in the input order; monotone in the raw
 * p-values. An empty array gives an empty array. O(m log m).
 *
 * @example
 * ```ts
 * import { benjaminiHochberg } from "./adjust.ts";
 * benjaminiHochberg([0.01, 0.04, 0.03]); // [0.03, 0.04, 0.04]
 * ```
 */
export function benjaminiHochberg(ps: ArrayLike<number>): number[] {
  const p = checkPValues(ps);
  const m = p.length;
  const out = new Array<number>(m);
  const order = ascendingOrder(p);
  let running = 1;
  for (let rank = m - 1; rank >= 0; rank--) {
    const idx = order[rank];
    running = Math.min(running, (m * p[idx]) / (rank + 1));
    out[idx] = running;
  }
  return out;
}

/**
 * Adjusted p-values by name: `"holm"` ({@linkcode holm}) or `"bh"`
 * ({@linkcode benjaminiHochberg}). p-values must lie in [0, 1] (RangeError otherwise, NaN
 * included). O(m log m).
 *
 * @example
 * ```ts
 * import { adjustPValues } from "./adjust.ts";
 * adjustPValues([0.01, 0.02], "bh"); // [0.02, 0.02]
 * ```
 */
export function adjustPValues(ps: ArrayLike<number>, method: AdjustMethod = "holm"): number[] {
  if (method === "holm") return holm(ps);
  if (method === "bh") return benjaminiHochberg(ps);
  throw new RangeError(`Expected adjust method "holm" or "bh", found ${JSON.stringify(method)}`);
}
