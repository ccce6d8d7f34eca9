import assert from "node:assert/strict";
import { STATTEST_NAMES, STATTESTS } from "../drift/registry.ts";
import { columnVerdict, driftRatio, isPValueScore, type VerdictInput } from "./verdict.ts";

const col = (over: Partial<VerdictInput>): VerdictInput => ({
  stattest: "ks",
  score: 0.5,
  threshold: 0.05,
  drifted: false,
  ...over,
});

Deno.test("a drifted column is red whatever its score", () => {
  assert.equal(columnVerdict(col({ drifted: true, score: 0.9 })), "drift");
  assert.equal(columnVerdict(col({ stattest: "psi", drifted: true, score: 0 })), "drift");
  assert.equal(columnVerdict(col({ drifted: true, score: null })), "drift");
});

Deno.test("p-value tests are yellow below twice the threshold and green at or above it", () => {
  for (const stattest of ["ks", "chisquare", "z"]) {
    assert.equal(columnVerdict(col({ stattest, score: 0.06 })), "close", stattest);
    assert.equal(columnVerdict(col({ stattest, score: 0.0999 })), "close", stattest);
    assert.equal(columnVerdict(col({ stattest, score: 0.1 })), "ok", stattest);
    assert.equal(columnVerdict(col({ stattest, score: 0.8 })), "ok", stattest);
  }
});

Deno.test("the close band follows the column's own threshold", () => {
  assert.equal(columnVerdict(col({ score: 0.15, threshold: 0.1 })), "close");
  assert.equal(columnVerdict(col({ score: 0.15, threshold: 0.05 })), "ok");
});

Deno.test("distances are yellow above half the threshold and green at or below it", () => {
  for (const stattest of ["wasserstein", "jensenshannon", "psi"]) {
    assert.equal(columnVerdict(col({ stattest, score: 0.06, threshold: 0.1 })), "close", stattest);
    assert.equal(columnVerdict(col({ stattest, score: 0.05, threshold: 0.1 })), "ok", stattest);
    assert.equal(columnVerdict(col({ stattest, score: 0.01, threshold: 0.1 })), "ok", stattest);
  }
});

Deno.test("a large distance that the server did not flag stays yellow, not red", () => {
  assert.equal(
    columnVerdict(col({ stattest: "wasserstein", score: 0.5, threshold: 0.1 })),
    "close",
  );
});

Deno.test("a missing score or threshold is green unless drifted", () => {
  assert.equal(columnVerdict(col({ score: null })), "ok");
  assert.equal(columnVerdict(col({ threshold: null, score: 0.001 })), "ok");
  assert.equal(columnVerdict(col({ score: Number.NaN })), "ok");
});

Deno.test("an unknown test is judged as a p-value test when it reports a p-value", () => {
  assert.equal(columnVerdict(col({ stattest: "custom", score: 0.07, p_value: 0.07 })), "close");
  assert.equal(columnVerdict(col({ stattest: "custom", score: 0.07, p_value: null })), "close");
  assert.equal(columnVerdict(col({ stattest: "custom", score: 0.2, p_value: 0.2 })), "ok");
  assert.equal(columnVerdict(col({ stattest: "custom", score: 0.02, p_value: null })), "ok");
});

Deno.test("anything other than a result object is rejected with a TypeError", () => {
  assert.throws(() => columnVerdict(null as unknown as VerdictInput), TypeError);
});

Deno.test("the drift ratio puts p-values and distances on one scale where > 1 drifts", () => {
  assert.equal(driftRatio(col({ stattest: "ks", score: 0.01, threshold: 0.05 })), 5);
  assert.equal(driftRatio(col({ stattest: "chisquare", score: 0.5, threshold: 0.05 })), 0.1);
  assert.equal(driftRatio(col({ stattest: "psi", score: 0.05, threshold: 0.1 })), 0.5);
  assert.equal(driftRatio(col({ stattest: "wasserstein", score: 0.25, threshold: 0.125 })), 2);
});

Deno.test("the drift ratio is clamped and null without a usable score or threshold", () => {
  assert.equal(driftRatio(col({ stattest: "ks", score: 0, threshold: 0.05 })), 1000);
  assert.equal(driftRatio(col({ stattest: "ks", score: 1e-30, threshold: 0.05 })), 1000);
  assert.equal(driftRatio(col({ stattest: "jensenshannon", score: 0, threshold: 0.1 })), 0.001);
  assert.equal(driftRatio(col({ score: null })), null);
  assert.equal(driftRatio(col({ threshold: 0 })), null);
});

Deno.test("a registered test is a p-value test exactly when the registry says so", () => {
  for (const stattest of STATTEST_NAMES) {
    // the registry decides, whatever the result carries in p_value
    for (const p_value of [0.3, null]) {
      assert.equal(
        isPValueScore(col({ stattest, p_value })),
        STATTESTS[stattest].isPValue,
        `${stattest} with p_value ${p_value}`,
      );
    }
  }
  assert.ok(STATTEST_NAMES.some((n) => STATTESTS[n].isPValue), "some tests are p-value tests");
  assert.ok(STATTEST_NAMES.some((n) => !STATTESTS[n].isPValue), "some tests are distances");
});
