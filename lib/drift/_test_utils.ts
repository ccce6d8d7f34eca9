// Helpers shared by the drift tests and the notebook tests (not exported from mod.ts).
import assert from "node:assert/strict";

/** Decodes the fixture encoding of non-finite numbers. */
export function decode(v: unknown): unknown {
  if (v === "NaN") return NaN;
  if (v === "Infinity") return Number.POSITIVE_INFINITY;
  if (v === "-Infinity") return Number.NEGATIVE_INFINITY;
  return v;
}

/** Asserts |actual - expected| ≤ max(rel·|expected|, abs); NaN matches NaN, ∞ matches ∞. */
export function assertClose(
  actual: number | null,
  expected: number | null,
  rel: number,
  abs: number,
  what: string,
): void {
  if (expected === null || actual === null) {
    assert.equal(actual, expected, what);
    return;
  }
  if (Number.isNaN(expected) || !Number.isFinite(expected)) {
    assert.ok(
      Object.is(actual, expected) || actual === expected,
      `${what}: ${actual} vs ${expected}`,
    );
    return;
  }
  const diff = Math.abs(actual - expected);
  assert.ok(
    diff <= Math.max(rel * Math.abs(expected), abs),
    `${what}: got ${actual}, expected ${expected} (diff ${diff})`,
  );
}

/** A deterministic PRNG (mulberry32) giving numbers in [0, 1), for randomized tests. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Asserts two float arrays hold the same values bit for bit (-0 ≠ 0, NaN = NaN). */
export function assertSameFloats(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  what: string,
): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) {
      assert.fail(`${what}: at ${i} got ${actual[i]}, expected ${expected[i]}`);
    }
  }
}
