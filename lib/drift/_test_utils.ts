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
