import assert from "node:assert/strict";
import { chisquare } from "./chisquare.ts";
import { chi2Sf } from "./_special.ts";

Deno.test("chisquare uses reference proportions scaled to the current size", () => {
  // expected = [2, 2] * (4/4); observed = [1, 3] → stat = 0.5 + 0.5 = 1, df = 1
  const r = chisquare(["a", "a", "b", "b"], ["a", "b", "b", "b"]);
  assert.equal(r.statistic, 1);
  assert.equal(r.p_value, chi2Sf(1, 1));
  assert.equal(r.drifted, false);
});

Deno.test("chisquare with a category new in current gives an infinite statistic and p = 0", () => {
  const r = chisquare(["a", "b", "a"], ["a", "c"]);
  assert.equal(r.statistic, Number.POSITIVE_INFINITY);
  assert.equal(r.p_value, 0);
  assert.equal(r.drifted, true);
});

Deno.test("chisquare drifts only strictly below the threshold", () => {
  const r = chisquare(["a", "a", "b", "b"], ["a", "b", "b", "b"]);
  assert.equal(
    chisquare(["a", "a", "b", "b"], ["a", "b", "b", "b"], { threshold: r.p_value! }).drifted,
    false,
  );
});
