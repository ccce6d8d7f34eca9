import assert from "node:assert/strict";
import { NewestBuffer } from "./newest_buffer.ts";
import { MetricsAggregator } from "./aggregator.ts";
import { sampleResponse } from "../events/testing.ts";

Deno.test("NewestBuffer keeps the newest items by key whatever the arrival order", () => {
  const keys = [5, 1, 9, 3, 7, 2, 8, 6, 4, 10];
  const inOrder = new NewestBuffer<number>(4, (n) => n);
  const shuffled = new NewestBuffer<number>(4, (n) => n);
  for (const k of [...keys].sort((a, b) => a - b)) inOrder.push(k);
  const evicted = keys.map((k) => shuffled.push(k));
  assert.deepEqual(inOrder.newest(10), [10, 9, 8, 7]);
  assert.deepEqual(shuffled.newest(10), [10, 9, 8, 7]);
  assert.deepEqual(shuffled.toArray(), [7, 8, 9, 10]);
  assert.equal(shuffled.size, 4);
  // too old to keep: the item itself comes back
  assert.equal(evicted[5], 2);
  assert.deepEqual(evicted.slice(0, 4), [undefined, undefined, undefined, undefined]);
  assert.throws(() => new NewestBuffer(0, (n: number) => n), RangeError);
});

Deno.test("NewestBuffer keeps ties in arrival order (the later arrival is newer)", () => {
  const buffer = new NewestBuffer<{ ts: number; id: string }>(3, (e) => e.ts);
  for (const id of ["a", "b", "c", "d"]) buffer.push({ ts: 1, id });
  assert.deepEqual(buffer.newest(3).map((e) => e.id), ["d", "c", "b"]);
});

Deno.test("recent responses and the latency trend do not depend on the arrival order", () => {
  const events = Array.from(
    { length: 300 },
    (_, i) => sampleResponse({ ts_start: 1_000 + i, ts_end: 2_000 + i * 7, latency_ms: 100 + i }),
  );
  const live = new MetricsAggregator({ recentSize: 50 });
  const replay = new MetricsAggregator({ recentSize: 50 });
  live.addAll(events);
  // a replay reads partition by partition: every third event, three times over
  for (let p = 0; p < 3; p++) replay.addAll(events.filter((_, i) => i % 3 === p));
  const a = live.snapshot();
  const b = replay.snapshot();
  assert.deepEqual(b.recent, a.recent);
  assert.deepEqual(b.recent[0].request_id, events[299].request_id);
  assert.deepEqual(b.latency_trend, a.latency_trend);
  assert.deepEqual(a.latency_trend.map((t) => t.latency_s).slice(0, 3), [0.1, 0.101, 0.102]);
});
