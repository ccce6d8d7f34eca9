/** The drift tracker without any transport: windows, reports, alerts, run-time settings. */
import assert from "node:assert/strict";
import { responses } from "./_llm_testing.ts";
import { type DriftAlert, DriftTracker } from "./tracker.ts";

Deno.test("the tracker waits with a reason, then reports on full windows and alerts once when drift appears", () => {
  const alerts: DriftAlert[] = [];
  let at = 1_000;
  const tracker = new DriftTracker({
    referenceSize: 30,
    currentSize: 30,
    onAlert: (a) => alerts.push(a),
    now: () => at,
  });
  const waiting = tracker.status();
  assert.equal(waiting.report, null);
  assert.match("reason" in waiting ? waiting.reason : "", /needs 60 more/);
  for (const event of responses(60, 31, false)) tracker.add(event);
  const first = tracker.recompute()!;
  assert.equal(first.report.dataset_drift, false, JSON.stringify(first.report.columns));
  assert.equal(first.computed_at, 1_000);
  assert.equal(tracker.status(), first);
  assert.equal(alerts.length, 0);

  for (const event of responses(30, 32, true)) tracker.add(event);
  at = 2_000;
  const drifted = tracker.recompute()!;
  assert.equal(drifted.report.dataset_drift, true);
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0].at, 2_000);
  assert.ok(alerts[0].drifted_columns.includes("latency_s"));
  tracker.recompute();
  assert.equal(alerts.length, 1, "drift that stays is not a new alert");
});

Deno.test("the tracker checks settings before changing anything and keeps its options on a failed configure", () => {
  const tracker = new DriftTracker({ referenceSize: 10, currentSize: 10 });
  assert.throws(() => new DriftTracker({ referenceSize: 0 }), /referenceSize/);
  assert.throws(() => tracker.configure({ currentSize: 2.5 }), /currentSize/);
  assert.throws(() => tracker.configure({ driftShare: 2 }), /driftShare/);
  for (const event of responses(20, 33, false)) tracker.add(event);
  const before = tracker.recompute()!;
  assert.throws(() => tracker.configure({ columns: ["no_such_column"] }), /no_such_column/);
  assert.deepEqual(tracker.latest()!.report, before.report);
  const psi = tracker.configure({ stattest: "psi", columns: ["latency_s"] })!;
  assert.deepEqual(psi.report.columns.map((c) => c.stattest), ["psi"]);
});
