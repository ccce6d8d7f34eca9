import assert from "node:assert/strict";
import { llmColumns } from "../../lib/drift/llm_columns.ts";
import { DriftWindows } from "../../lib/drift/windows.ts";
import { alertText, provisionalNote, windowSummaries } from "./drift_data.ts";

const time = (ms: number) => `t${ms}`;

function row(i: number) {
  return { latency_ms: 100 + i, status: "success" as const, ts_end: i };
}

Deno.test("the monitor's windows read as rules, rows of size and time ranges", () => {
  // the real windows, not a hand-made shape
  const windows = new DriftWindows({ referenceSize: 3, currentSize: 4 });
  for (let i = 1; i <= 5; i++) windows.add(row(i));
  assert.deepEqual(windowSummaries(windows.describe(), time), [
    {
      name: "Reference",
      rule: "first 3 responses",
      rows: "3 of 3",
      range: "t1 – t3",
      note: null,
    },
    { name: "Current", rule: "newest 4 responses", rows: "2 of 4", range: "t4 – t5", note: null },
  ]);
});

Deno.test("an empty window has no time range and a baseline is named by its file", () => {
  const windows = new DriftWindows({ referenceSize: 2, currentSize: 2 });
  assert.deepEqual(windowSummaries(windows.describe(), time)[1], {
    name: "Current",
    rule: "newest 2 responses",
    rows: "0 of 2",
    range: "—",
    note: null,
  });
  windows.setReference({ kind: "baseline", rows: llmColumns([row(0)]), label: "ref.csv" });
  const [reference] = windowSummaries(windows.describe(), time);
  assert.equal(reference.rule, "baseline: ref.csv");
  assert.equal(reference.rows, "1 of 1");
});

Deno.test("a reference enlarged after its rows moved on carries a note", () => {
  const windows = new DriftWindows({ referenceSize: 2, currentSize: 2 });
  for (let i = 1; i <= 6; i++) windows.add(row(i));
  windows.setWindowSizes({ reference: 4 });
  const described = windows.describe();
  assert.equal(described.reference.contiguous, false, "the double enlarges a moved-on reference");
  assert.match(windowSummaries(described, time)[0].note ?? "", /Enlarged/);
});

Deno.test("a drift monitor alert reads as a sentence with its time and columns", () => {
  const alert = { at: 1_000, drifted_columns: ["latency_s", "tokens"], share: 0.5333 };
  assert.equal(
    alertText(alert, (ms) => `t=${ms}`),
    "t=1000: dataset drift, 2 columns drifted (53%): latency_s, tokens",
  );
  assert.equal(alertText(alert), "dataset drift, 2 columns drifted (53%): latency_s, tokens");
  assert.equal(
    alertText({ at: null, drifted_columns: ["x"], share: null }, String),
    "dataset drift, 1 columns drifted (—): x",
  );
});

Deno.test("a provisional report says what it compares and how many responses fill the windows", async () => {
  const { DriftTracker } = await import("../../lib/drift/tracker.ts");
  const tracker = new DriftTracker({ referenceSize: 200, currentSize: 200 });
  for (let i = 1; i <= 61; i++) tracker.add(row(i % 7));
  const first = JSON.parse(JSON.stringify(tracker.recompute()));
  assert.equal(
    provisionalNote(first),
    "Provisional report: the first 30 responses against the newest 31, while the windows fill " +
      "(339 more responses to fill them).",
  );
  tracker.configure({ baselineRows: llmColumns([row(1), row(2), row(3)]), baselineLabel: "b" });
  const pinned = JSON.parse(JSON.stringify(tracker.latest()));
  assert.equal(
    provisionalNote(pinned),
    "Provisional report: the baseline (3 rows) against the newest 61 responses, until the " +
      "current window holds 200 (139 more responses).",
  );
  for (let i = 62; i <= 400; i++) tracker.add(row(i % 7));
  tracker.configure({ baselineRows: null });
  assert.equal(provisionalNote(JSON.parse(JSON.stringify(tracker.latest()))), null);
  assert.match(
    alertText({ at: 0, drifted_columns: ["a"], share: 1, provisional: true }),
    /^dataset drift \(provisional\), 1 columns drifted/,
  );
});
