import assert from "node:assert/strict";
import { llmColumns } from "./llm_columns.ts";
import { DEFAULT_CURRENT_SIZE, DEFAULT_REFERENCE_SIZE, DriftWindows } from "./windows.ts";

/** A response whose latency (ms) is also its timestamp, so rows are easy to recognise. */
const event = (ms: number) => ({ latency_ms: ms, ts_end: ms, status: "success", model: "m" });
const latencies = (rows: { latency_s: unknown }[]) => rows.map((r) => r.latency_s);
const fill = (w: DriftWindows, from: number, to: number) => {
  for (let ms = from; ms <= to; ms++) w.add(event(ms));
};

Deno.test("windows default to the first 200 responses as reference and the newest 200 as current", () => {
  const w = new DriftWindows();
  assert.equal(w.referenceSize, DEFAULT_REFERENCE_SIZE);
  assert.equal(w.currentSize, DEFAULT_CURRENT_SIZE);
  assert.equal(DEFAULT_REFERENCE_SIZE, 200);
  assert.equal(DEFAULT_CURRENT_SIZE, 200);
  assert.equal(w.needed(), 400);
  fill(w, 1, 399);
  assert.equal(w.ready(), false);
  assert.equal(w.needed(), 1);
  w.add(event(400));
  assert.equal(w.ready(), true);
});

Deno.test("the reference is the first N responses and the current window slides over the newest M", () => {
  const w = new DriftWindows({ referenceSize: 3, currentSize: 4 });
  fill(w, 1, 3);
  assert.deepEqual(latencies(w.reference()), [0.001, 0.002, 0.003]);
  assert.deepEqual(w.current(), [], "the current window never repeats reference rows");
  assert.equal(w.ready(), false);
  fill(w, 4, 7);
  assert.equal(w.ready(), true);
  assert.deepEqual(latencies(w.current()), [0.004, 0.005, 0.006, 0.007]);
  fill(w, 8, 1000);
  assert.deepEqual(latencies(w.reference()), [0.001, 0.002, 0.003], "reference is frozen");
  assert.deepEqual(latencies(w.current()), [0.997, 0.998, 0.999, 1]);
  const d = w.describe();
  assert.deepEqual(d.reference, {
    kind: "first_n",
    size: 3,
    rows: 3,
    from: 1,
    to: 3,
    label: null,
    contiguous: true,
  });
  assert.deepEqual(d.current, { kind: "newest_m", size: 4, rows: 4, from: 997, to: 1000 });
  assert.equal(d.responses_seen, 1000);
  assert.equal(d.ready, true);
});

Deno.test("memory stays bounded by N + M rows however many responses arrive", () => {
  const w = new DriftWindows({ referenceSize: 5, currentSize: 7 });
  fill(w, 1, 20_000);
  assert.equal(w.reference().length, 5);
  assert.equal(w.current().length, 7);
  assert.equal(w.responsesSeen, 20_000);
});

Deno.test("a pinned baseline replaces the reference, and unpinning returns to the first N", () => {
  const w = new DriftWindows({ referenceSize: 3, currentSize: 4 });
  const baseline = llmColumns([event(50), event(60)]);
  fill(w, 1, 2);
  w.setReference({ kind: "baseline", rows: baseline, label: "base.csv", from: 10, to: 20 });
  assert.equal(w.referenceKind, "baseline");
  baseline[0].latency_s = 999; // the windows keep their own copy
  assert.deepEqual(latencies(w.reference()), [0.05, 0.06]);
  // with a baseline, the current window is the newest M responses of all
  assert.deepEqual(latencies(w.current()), [0.001, 0.002]);
  assert.equal(w.needed(), 2);
  fill(w, 3, 10);
  assert.deepEqual(latencies(w.current()), [0.007, 0.008, 0.009, 0.01]);
  assert.deepEqual(w.describe().reference, {
    kind: "baseline",
    size: 2,
    rows: 2,
    from: 10,
    to: 20,
    label: "base.csv",
    contiguous: true,
  });
  w.setReference({ kind: "first_n" });
  assert.equal(w.referenceKind, "first_n");
  assert.deepEqual(latencies(w.reference()), [0.001, 0.002, 0.003]);
  assert.deepEqual(latencies(w.current()), [0.007, 0.008, 0.009, 0.01]);
});

Deno.test("shrinking and enlarging windows keeps the first-N and newest-M meaning", () => {
  const w = new DriftWindows({ referenceSize: 4, currentSize: 6 });
  fill(w, 1, 8);
  // shrink the reference: its last rows become the oldest rows of the current window
  w.setWindowSizes({ reference: 2 });
  assert.deepEqual(latencies(w.reference()), [0.001, 0.002]);
  assert.deepEqual(latencies(w.current()), [0.003, 0.004, 0.005, 0.006, 0.007, 0.008]);
  // enlarge it again: it takes them back, still contiguous
  w.setWindowSizes({ reference: 3 });
  assert.deepEqual(latencies(w.reference()), [0.001, 0.002, 0.003]);
  assert.equal(w.describe().reference.contiguous, true);
  // shrink the current window: the oldest rows go
  w.setWindowSizes({ current: 2 });
  assert.deepEqual(latencies(w.current()), [0.007, 0.008]);
  assert.equal(w.ready(), true);
  // enlarging the reference now has to skip the rows that left: flagged as not contiguous
  w.setWindowSizes({ reference: 4, current: 3 });
  assert.deepEqual(latencies(w.reference()), [0.001, 0.002, 0.003, 0.007]);
  assert.deepEqual(latencies(w.current()), [0.008]);
  assert.equal(w.describe().reference.contiguous, false);
  assert.equal(w.needed(), 2);
  fill(w, 9, 10);
  assert.deepEqual(latencies(w.current()), [0.008, 0.009, 0.01]);
});

Deno.test("windows reject sizes that are not positive integers and empty baselines", () => {
  assert.throws(() => new DriftWindows({ referenceSize: 0 }), /referenceSize.*positive integer.*0/);
  assert.throws(() => new DriftWindows({ currentSize: 2.5 }), RangeError);
  const w = new DriftWindows();
  assert.throws(() => w.setWindowSizes({ current: -1 }), /current size/);
  assert.throws(() => w.setReference({ kind: "baseline", rows: [] }), /non-empty/);
  assert.throws(() => w.setReference({ kind: "other" } as never), /first_n/);
  assert.throws(() => w.addRow(null as never), TypeError);
  assert.equal(w.referenceKind, "first_n");
});

Deno.test("before the windows fill, a provisional split compares the first half with the newest half from 30 rows each", () => {
  const w = new DriftWindows(); // N = M = 200
  fill(w, 1, 59);
  assert.equal(w.compared(), null, "59 rows: one short of 30 on each side");
  assert.equal(w.neededForReport(), 1);
  w.add(event(60));
  const at60 = w.compared()!;
  assert.equal(at60.provisional, true);
  assert.deepEqual(latencies(at60.reference), latencies(llmColumns(range(1, 30).map(event))));
  assert.deepEqual(latencies(at60.current), latencies(llmColumns(range(31, 60).map(event))));
  fill(w, 61, 300);
  const at300 = w.compared()!;
  assert.equal(at300.reference.length, 150);
  assert.equal(at300.current.length, 150);
  assert.equal(at300.current.at(-1)!.latency_s, 0.3, "the current side ends at the newest row");
  fill(w, 301, 399);
  const at399 = w.compared()!;
  assert.deepEqual([at399.reference.length, at399.current.length, at399.provisional], [
    199,
    200,
    true,
  ]);
  w.add(event(400));
  const full = w.compared()!;
  assert.equal(full.provisional, false);
  assert.deepEqual(full.reference, w.reference(), "full windows are the windows themselves");
  assert.deepEqual(full.current, w.current());
  assert.equal(w.neededForReport(), 0);
});

Deno.test("the responses needed for a first report count down to the first provisional split for any window sizes", () => {
  for (const [n, m] of [[200, 200], [10, 200], [300, 50], [50, 300], [12, 15], [31, 29]]) {
    const w = new DriftWindows({ referenceSize: n, currentSize: m });
    let expected = w.neededForReport();
    for (let ms = 1; ms <= n + m; ms++) {
      assert.equal(w.compared() !== null, expected === 0, `N=${n} M=${m} after ${ms - 1} rows`);
      if (expected === 0) {
        const rows = w.compared()!;
        assert.ok(rows.reference.length >= Math.min(30, n), `N=${n} M=${m}: reference side`);
        assert.ok(rows.current.length >= Math.min(30, m), `N=${n} M=${m}: current side`);
        assert.ok(rows.reference.length <= n && rows.current.length <= m);
        assert.ok(
          rows.reference.length + rows.current.length <= ms - 1,
          `N=${n} M=${m}: the sides never overlap`,
        );
        break;
      }
      w.add(event(ms));
      expected--;
      assert.equal(w.neededForReport(), expected, `N=${n} M=${m} after ${ms} rows`);
    }
  }
});

Deno.test("with a pinned baseline the newest rows are compared from the 30th on", () => {
  const w = new DriftWindows({ referenceSize: 200, currentSize: 200 });
  w.setReference({ kind: "baseline", rows: llmColumns(range(501, 560).map(event)) });
  fill(w, 1, 29);
  assert.equal(w.compared(), null);
  assert.equal(w.neededForReport(), 1);
  w.add(event(30));
  const rows = w.compared()!;
  assert.equal(rows.provisional, true);
  assert.equal(rows.reference.length, 60);
  assert.deepEqual(latencies(rows.current), latencies(llmColumns(range(1, 30).map(event))));
  const small = new DriftWindows({ referenceSize: 200, currentSize: 20 });
  small.setReference({ kind: "baseline", rows: llmColumns([event(1)]) });
  fill(small, 1, 19);
  assert.equal(small.neededForReport(), 1, "a current window under 30 needs only its own size");
  small.add(event(20));
  assert.equal(small.compared()!.provisional, false);
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
