import assert from "node:assert/strict";
import { averageRanks, correlationMatrices, pearson, spearman } from "./correlation.ts";

Deno.test("pearson is ±1 for exact linear relations and null for a constant column", () => {
  assert.ok(Math.abs(pearson([1, 2, 3, 4], [3, 5, 7, 9])! - 1) < 1e-15);
  assert.ok(Math.abs(pearson([1, 2, 3, 4], [4, 3, 2, 1])! + 1) < 1e-15);
  assert.equal(pearson([1, 1, 1], [1, 2, 3]), null);
});

Deno.test("spearman uses average ranks and pairwise-complete observations", () => {
  assert.deepEqual(averageRanks([10, 20, 20, 5]), [2, 3.5, 3.5, 1]);
  assert.equal(spearman([1, 2, 3, 4, null], [1, 8, 27, 64, 5]), 1);
  const x = [1, 2, 3, 4, 5];
  const y = [2, 1, 4, 3, 5];
  // Spearman = 1 - 6 Σd² / (n(n² - 1)) without ties: Σd² = 4
  assert.ok(Math.abs(spearman(x, y)! - (1 - (6 * 4) / (5 * 24))) < 1e-15);
});

Deno.test("correlation matrices are symmetric with a unit diagonal", () => {
  const rows = Object.freeze([{ a: 1, b: 2, c: 9 }, { a: 2, b: 4, c: 1 }, { a: 3, b: 5, c: 4 }]);
  const m = correlationMatrices(rows, ["a", "b", "c"]);
  for (const mat of [m.pearson, m.spearman]) {
    for (let i = 0; i < 3; i++) {
      assert.equal(mat.values[i][i], 1);
      for (let j = 0; j < 3; j++) assert.equal(mat.values[i][j], mat.values[j][i]);
    }
  }
  assert.equal(m.spearman.values[0][1], 1);
});
