import assert from "node:assert/strict";
import { categoryShares, sharedHistogram } from "./window_shares.ts";

Deno.test("both windows share the same bins and their shares each sum to one", () => {
  const bins = sharedHistogram([0, 1, 2, 3], [2, 4, 4, 4, 10], 5);
  const ref = bins.filter((b) => b.window === "reference");
  const cur = bins.filter((b) => b.window === "current");
  assert.deepEqual(ref.map((b) => b.x0), cur.map((b) => b.x0));
  assert.deepEqual(ref.map((b) => b.x0), [0, 2, 4, 6, 8]);
  assert.equal(ref.at(-1)!.x1, 10);
  assert.deepEqual(ref.map((b) => b.count), [2, 2, 0, 0, 0]);
  assert.deepEqual(cur.map((b) => b.count), [0, 1, 3, 0, 1]);
  assert.ok(Math.abs(cur.reduce((s, b) => s + b.share, 0) - 1) < 1e-12);
  assert.equal(cur[2].share, 3 / 5);
});

Deno.test("missing values are ignored and a constant column gets one bin", () => {
  const bins = sharedHistogram([5, null, 5, Number.NaN], [5, "x"], 10);
  assert.equal(bins.length, 2);
  assert.deepEqual(bins.map((b) => [b.x0, b.x1, b.share]), [[4.5, 5.5, 1], [4.5, 5.5, 1]]);
  assert.deepEqual(sharedHistogram([], [null]), []);
  assert.throws(() => sharedHistogram([1], [1], 0), RangeError);
});

Deno.test("category shares are per window, most frequent first, with the tail as other", () => {
  const shares = categoryShares(["a", "a", "b", null], ["b", "c", ""], 12);
  assert.deepEqual(
    shares.map((s) => `${s.window}:${s.category}:${s.count}`),
    [
      "reference:a:2",
      "reference:b:1",
      "reference:c:0",
      "current:a:0",
      "current:b:1",
      "current:c:1",
    ],
  );
  assert.equal(shares[0].share, 2 / 3);
  const capped = categoryShares(["a", "b", "c", "d"], ["a"], 2);
  assert.deepEqual(capped.filter((s) => s.window === "reference").map((s) => s.category), [
    "a",
    "other",
  ]);
  assert.equal(capped.find((s) => s.window === "reference" && s.category === "other")!.count, 3);
  assert.throws(() => categoryShares(["a"], ["a"], 0), RangeError);
});
