import assert from "node:assert/strict";
import { donutSegments } from "./donut.ts";

Deno.test("segments get shares of the total and skip zero or invalid values", () => {
  const segs = donutSegments([3, 0, 1, -2, Number.NaN], (v) => v, 50, 30);
  assert.deepEqual(segs.map((s) => [s.datum, s.share]), [[3, 0.75], [1, 0.25]]);
});

Deno.test("a quarter sector runs from 12 o'clock to 3 o'clock on both radii", () => {
  const [seg] = donutSegments([1, 3], (v) => v, 50, 30);
  assert.equal(seg.d, "M0 -50 A50 50 0 0 1 50 0 L30 0 A30 30 0 0 0 0 -30 Z");
});

Deno.test("the larger-arc flag is set above half a turn", () => {
  const [big] = donutSegments([3, 1], (v) => v, 50, 30);
  assert.match(big.d, /A50 50 0 1 1/);
});

Deno.test("a single value draws a full ring as two halves", () => {
  const segs = donutSegments([{ n: 5 }], (d) => d.n, 10, 5);
  assert.equal(segs.length, 1);
  assert.equal(segs[0].share, 1);
  assert.equal(segs[0].d.match(/M/g)?.length, 2);
});

Deno.test("no data draws nothing and bad radii are rejected", () => {
  assert.deepEqual(donutSegments([0, 0], (v) => v, 10, 5), []);
  assert.throws(() => donutSegments([1], (v) => v, 10, 10), RangeError);
});
