import assert from "node:assert/strict";
import { argsortFloat64, sortedFiniteCopy, sortFloat64 } from "./_radix_sort.ts";
import { assertSameFloats, seededRandom } from "./_test_utils.ts";

/** Samples that stress the bit-pattern order: ties, signed zeros, infinities, subnormals. */
function sample(n: number, seed: number, style: number): Float64Array {
  const random = seededRandom(seed);
  const special = [0, -0, Infinity, -Infinity, 5e-324, -5e-324, Number.MAX_VALUE, -1e-300];
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = random();
    if (style === 0) out[i] = (u - 0.5) * 10;
    else if (style === 1) out[i] = Math.floor(u * 7) - 3; // few integers, -0 never made here
    else if (style === 2) out[i] = u < 0.1 ? special[Math.floor(random() * special.length)] : u;
    else if (style === 3) out[i] = Math.round(Math.exp(6 + 2 * u) * 1000) / 1e6; // latencies
    else if (style === 4) out[i] = (u < 0.5 ? -1 : 1) * Math.exp((random() - 0.5) * 1400);
    else if (style === 5) out[i] = 2 ** Math.floor(u * 8); // one digit differs: one pass
    else if (style === 6) out[i] = 7.25; // no digit differs: no pass
    else if (style === 7) out[i] = 1 + Math.floor(u * 64) * 2 ** -40; // three passes
    else out[i] = u < 0.5 ? 0 : -0; // signed zeros only
  }
  return out;
}

Deno.test("radix sort gives the built-in sort's array bit for bit, -0 before 0 included", () => {
  for (const n of [0, 1, 2, 255, 256, 257, 1000, 20_000]) {
    for (let style = 0; style < 9; style++) {
      const values = sample(n, 17 * n + style, style);
      const expected = values.slice().sort();
      assertSameFloats(sortFloat64(values.slice()), expected, `n=${n} style=${style}`);
    }
  }
});

Deno.test("radix argsort returns the sorted values and a stable permutation", () => {
  for (const n of [0, 3, 255, 256, 5000]) {
    for (let style = 0; style < 9; style++) {
      const values = sample(n, 31 * n + style, style);
      const copy = values.slice();
      const { sorted, order } = argsortFloat64(values);
      assertSameFloats(values, copy, "input untouched");
      assertSameFloats(sorted, values.slice().sort(), `sorted n=${n} style=${style}`);
      const seen = new Uint8Array(n);
      for (let k = 0; k < n; k++) {
        assert.ok(Object.is(values[order[k]], sorted[k]), `order points at its value (k=${k})`);
        assert.equal(seen[order[k]], 0, "permutation");
        seen[order[k]] = 1;
        if (k > 0 && Object.is(sorted[k], sorted[k - 1])) {
          assert.ok(order[k] > order[k - 1], "equal values keep input order");
        }
      }
    }
  }
});

Deno.test("a sorted finite copy reads the input untouched and refuses NaN and infinities", () => {
  for (const n of [1, 255, 256, 3000]) {
    for (let style = 0; style < 9; style++) {
      const values = sample(n, 7 * n + style, style);
      const copy = values.slice();
      const finite = values.every(Number.isFinite);
      const sorted = sortedFiniteCopy(values);
      assertSameFloats(values, copy, "input untouched");
      if (finite) assertSameFloats(sorted!, copy.sort(), `n=${n} style=${style}`);
      else assert.equal(sorted, null, `n=${n} style=${style} has a non-finite value`);
    }
  }
  assert.equal(sortedFiniteCopy(new Float64Array(300).fill(NaN)), null);
});
