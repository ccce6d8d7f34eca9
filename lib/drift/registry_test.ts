import assert from "node:assert/strict";
import { chooseStatTest, defaultStatTestName, getStatTest, STATTEST_NAMES } from "./registry.ts";

Deno.test("getStatTest finds every registered test with Evidently's default thresholds", () => {
  const thresholds = Object.fromEntries(
    STATTEST_NAMES.map((n) => [n, getStatTest(n).defaultThreshold]),
  );
  assert.deepEqual(thresholds, {
    ks: 0.05,
    chisquare: 0.05,
    z: 0.05,
    wasserstein: 0.1,
    jensenshannon: 0.1,
    psi: 0.1,
  });
});

Deno.test("an unknown stattest name is rejected with the list of available ones", () => {
  assert.throws(
    () => getStatTest("anderson"),
    (e) =>
      e instanceof RangeError && /"anderson"/.test(e.message) &&
      STATTEST_NAMES.every((n) => e.message.includes(n)),
  );
});

Deno.test("a stattest that does not accept the column kind is rejected, as in Evidently", () => {
  assert.throws(() => getStatTest("ks", "categorical"), /isn't applicable to a categorical column/);
  assert.equal(getStatTest("psi", "numerical").name, "psi");
});

Deno.test("default stattest follows Evidently's rules by kind, reference size and distinct values", () => {
  assert.equal(defaultStatTestName("numerical", 1000, 6), "ks");
  assert.equal(defaultStatTestName("numerical", 1000, 5), "chisquare");
  assert.equal(defaultStatTestName("numerical", 1000, 2), "z");
  assert.equal(defaultStatTestName("numerical", 1001, 6), "wasserstein");
  assert.equal(defaultStatTestName("numerical", 1001, 5), "jensenshannon");
  assert.equal(defaultStatTestName("categorical", 10, 3), "chisquare");
  assert.equal(defaultStatTestName("categorical", 10, 2), "z");
  assert.equal(defaultStatTestName("categorical", 10, 1), "z");
  assert.equal(defaultStatTestName("categorical", 5000, 2), "jensenshannon");
});

Deno.test("chooseStatTest counts distinct values over both samples after dropping missing ones", () => {
  // reference has one value, current another: 2 distinct → z
  assert.equal(chooseStatTest(["a", null, "a"], ["b", ""], "categorical").name, "z");
  // 1001 non-missing reference rows → jensenshannon; 1001 rows with one missing → ≤ 1000 → z
  const big = Array.from({ length: 1001 }, (_, i) => (i % 2 ? "x" : "y"));
  assert.equal(chooseStatTest(big, ["x"], "categorical").name, "jensenshannon");
  assert.equal(chooseStatTest([...big.slice(1), null], ["x"], "categorical").name, "z");
});
