/** The drift tracker without any transport: windows, reports, alerts, run-time settings. */
import assert from "node:assert/strict";
import { responses } from "./_llm_testing.ts";
import { llmColumns } from "./llm_columns.ts";
import { driftFromRows } from "./llm_report.ts";
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

Deno.test("a provisional report comes after 60 responses and the full one after N + M, with the numbers of the full windows unchanged", () => {
  const tracker = new DriftTracker({ referenceSize: 200, currentSize: 200 });
  const events = [...responses(200, 41, false), ...responses(200, 42, false)];
  for (const event of events.slice(0, 59)) tracker.add(event);
  assert.equal(tracker.recompute(), null);
  const waiting = tracker.status();
  assert.match(
    "reason" in waiting ? waiting.reason : "",
    /needs 1 more for a first, provisional report \(341 more to fill the windows\)/,
  );
  tracker.add(events[59]);
  const provisional = tracker.recompute()!;
  assert.equal(provisional.provisional, true);
  assert.equal(provisional.needed, 340);
  assert.equal(provisional.report.reference_rows, 30);
  assert.equal(provisional.report.current_rows, 30);
  assert.deepEqual(
    provisional.report,
    driftFromRows(llmColumns(events.slice(0, 30)), llmColumns(events.slice(30, 60))),
    "the first half against the newest half",
  );
  assert.equal(tracker.status(), provisional);

  for (const event of events.slice(60)) tracker.add(event);
  const full = tracker.recompute()!;
  assert.equal(full.provisional, false);
  assert.equal(full.needed, 0);
  // the full report is what the windows gave before provisional reports existed: the first N
  // rows against the newest M, computed by the same function on the same rows
  assert.deepEqual(
    full.report,
    driftFromRows(llmColumns(events.slice(0, 200)), llmColumns(events.slice(200))),
  );
  assert.equal(full.report.reference_rows, 200);
  assert.equal(full.distributions.latency_s.current.length, 200);
});

Deno.test("a pinned baseline gives a report after the first 30 current responses, and pinning the current window makes it the reference", () => {
  const tracker = new DriftTracker({ referenceSize: 200, currentSize: 200 });
  const baseline = llmColumns(responses(120, 43, false));
  tracker.configure({ baselineRows: baseline, baselineLabel: "baseline.csv" });
  for (const event of responses(29, 44, true)) tracker.add(event);
  assert.equal(tracker.recompute(), null);
  assert.equal(tracker.neededForReport(), 1);
  tracker.add(responses(1, 45, true)[0]);
  const first = tracker.recompute()!;
  assert.equal(first.provisional, true);
  assert.equal(first.report.reference_rows, 120);
  assert.equal(first.report.current_rows, 30);
  assert.equal(first.report.dataset_drift, true, "shifted traffic against a normal baseline");
  assert.equal(first.windows.reference.label, "baseline.csv");
  assert.equal(tracker.alerts().at(-1)?.provisional, true, "an alert says it came provisionally");

  const pinned = tracker.pinCurrent("after the shift")!;
  assert.equal(pinned.windows.reference.kind, "baseline");
  assert.equal(pinned.windows.reference.label, "after the shift");
  assert.equal(pinned.report.reference_rows, 30);
  assert.equal(pinned.report.dataset_drift, false, "the current window against itself");
  assert.throws(
    () => new DriftTracker().pinCurrent(),
    /Expected responses to pin as baseline, found none/,
  );
  // on a fresh monitor the first responses are all in the reference window: the newest M of them
  // are pinned
  const fresh = new DriftTracker({ referenceSize: 200, currentSize: 40 });
  const early = responses(50, 46, false);
  for (const event of early) fresh.add(event);
  assert.equal(fresh.windows().current.rows, 0);
  const pinnedEarly = fresh.pinCurrent()!;
  assert.equal(pinnedEarly.report.reference_rows, 40);
  assert.equal(pinnedEarly.provisional, false, "the current window is the same newest 40");
  assert.deepEqual(
    pinnedEarly.distributions.latency_s.reference,
    llmColumns(early.slice(10)).map((r) => r.latency_s),
  );
  assert.match(pinnedEarly.windows.reference.label ?? "", /^newest 40 responses at /);
});
