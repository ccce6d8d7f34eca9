import assert from "node:assert/strict";
import {
  formatRunPolicy,
  parseRunPolicy,
  requestIdUnit,
  RUN_POLICY_ENV,
  wantsRun,
} from "./run_policy.ts";

Deno.test("parseRunPolicy reads all, errors and sample:<fraction>, and the empty value as all", () => {
  assert.deepEqual(parseRunPolicy(undefined), { kind: "all" });
  assert.deepEqual(parseRunPolicy(""), { kind: "all" });
  assert.deepEqual(parseRunPolicy(" ALL "), { kind: "all" });
  assert.deepEqual(parseRunPolicy("errors"), { kind: "errors" });
  assert.deepEqual(parseRunPolicy("sample:0.25"), { kind: "sample", fraction: 0.25 });
  assert.deepEqual(parseRunPolicy("sample:1"), { kind: "sample", fraction: 1 });
  assert.deepEqual(parseRunPolicy("Sample: .5"), { kind: "sample", fraction: 0.5 });
  assert.deepEqual(parseRunPolicy("sample:1e-3"), { kind: "sample", fraction: 0.001 });
});

Deno.test("parseRunPolicy refuses other values with a RangeError naming the variable and the forms", () => {
  for (
    const bad of ["some", "sample", "sample:", "sample:0", "sample:1.5", "sample:-0.1", "sample:x"]
  ) {
    assert.throws(
      () => parseRunPolicy(bad),
      (e: unknown) =>
        e instanceof RangeError && e.message.includes(RUN_POLICY_ENV) &&
        e.message.includes(`found "${bad}"`),
      bad,
    );
  }
});

Deno.test("formatRunPolicy writes what parseRunPolicy reads", () => {
  for (const text of ["all", "errors", "sample:0.1", "sample:1"]) {
    assert.equal(formatRunPolicy(parseRunPolicy(text)), text);
  }
});

Deno.test("requestIdUnit is a fixed number in [0, 1) per id, spread evenly over many ids", () => {
  // fixed ids, so the counts below are the same in every run
  const ids = Array.from(
    { length: 20_000 },
    (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
  );
  const units = ids.map(requestIdUnit);
  assert.deepEqual(ids.map(requestIdUnit), units, "the same id, the same number");
  assert.ok(units.every((u) => u >= 0 && u < 1));
  // ten equal bins: each within 10 % of 2,000 (a binomial sd is about 42)
  const bins = new Array(10).fill(0);
  for (const u of units) bins[Math.floor(u * 10)]++;
  for (const count of bins) assert.ok(Math.abs(count - 2_000) < 200, `bin of ${count}`);
  // frozen: FNV-1a 32 of "a" (0xe40c292c) through MurmurHash3's finalizer, computed apart in Python
  assert.equal(requestIdUnit("a"), 444_641_715 / 2 ** 32);
});

Deno.test("wantsRun: all takes every response, errors only errors, a sample its share and every error", () => {
  const responses = Array.from({ length: 10_000 }, (_, i) => ({
    request_id: `10000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    status: (i % 10 === 0 ? "error" : "success") as "success" | "error",
  }));
  const picked = (text: string) => responses.filter((r) => wantsRun(parseRunPolicy(text), r));
  assert.equal(picked("all").length, responses.length);
  assert.deepEqual(picked("errors"), responses.filter((r) => r.status === "error"));
  const sample = picked("sample:0.2");
  assert.ok(responses.filter((r) => r.status === "error").every((r) => sample.includes(r)));
  const successes = sample.filter((r) => r.status === "success");
  assert.ok(Math.abs(successes.length - 0.2 * 9_000) < 150, `sampled ${successes.length}`);
  assert.ok(successes.every((r) => requestIdUnit(r.request_id) < 0.2));
  assert.deepEqual(picked("sample:0.2"), sample, "the same choice every time");
});
