/**
 * A small seeded pseudo-random number generator (mulberry32) for reproducible resampling.
 *
 * Not cryptographic. Pure TypeScript, no `Deno.*`.
 *
 * @module
 */

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/**
 * mulberry32: a 32-bit state generator with period 2³², good enough for bootstrap resampling
 * and simulations, and identical on every platform for the same seed. O(1) per draw.
 *
 * @param seed any integer (taken modulo 2³²)
 * @returns a function returning uniform numbers in [0, 1), multiples of 2⁻³²
 * @example
 * ```ts
 * import { mulberry32 } from "./_prng.ts";
 * const random = mulberry32(42);
 * random() === mulberry32(42)(); // true
 * ```
 */
export function mulberry32(seed: number): Random {
  if (!Number.isInteger(seed)) {
    throw new TypeError(`Expected an integer seed, found ${seed}`);
  }
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A uniform integer in [0, n) from a `Random`. O(1).
 *
 * @example
 * ```ts
 * import { mulberry32, randomIndex } from "./_prng.ts";
 * const i = randomIndex(mulberry32(1), 10); // 0 ≤ i < 10
 * ```
 */
export function randomIndex(random: Random, n: number): number {
  return Math.floor(random() * n);
}

/**
 * A standard normal draw (Box–Muller, one value per call; uses two uniforms). O(1).
 *
 * @example
 * ```ts
 * import { mulberry32, randomNormal } from "./_prng.ts";
 * const z = randomNormal(mulberry32(7)); // a finite number
 * ```
 */
export function randomNormal(random: Random): number {
  const u = 1 - random(); // (0, 1]
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
