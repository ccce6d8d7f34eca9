import assert from "node:assert/strict";
import { FeedbackTotals, TREND_MAX_BUCKETS, trendBucketMs } from "./feedback_totals.ts";

const fb = (request_id: string, user_id: string, score: number, ts: number) => ({
  schema: "llm.feedback.v1" as const,
  request_id,
  user_id,
  score,
  ts,
});

Deno.test("the last feedback per (request, user) counts; an older one delivered late does not win", () => {
  const totals = new FeedbackTotals();
  assert.equal(totals.add(fb("r1", "ada", -1, 1_000)), true);
  assert.equal(totals.add(fb("r1", "ada", 1, 2_000)), true);
  assert.equal(totals.add(fb("r1", "ada", -1, 1_500)), false, "older than the one kept");
  assert.equal(totals.add(fb("r1", "ada", 1, 2_000)), false, "a replay changes nothing");
  totals.add(fb("r1", "bob", -1, 3_000));
  totals.add(fb("r2", "ada", 0.8, 4_000));
  totals.add(fb("r3", "ada", 0.2, 5_000));
  const models: Record<string, string> = { r1: "m1", r2: "m2" };
  const s = totals.snapshot((id) => models[id]);
  assert.equal(s.count, 4);
  assert.equal(s.requests, 3);
  assert.deepEqual([s.thumbs_up, s.thumbs_down, s.ratings], [1, 1, 2]);
  assert.equal(s.up, 2, "the thumb up of ada on r1 and the 0.8 rating");
  assert.equal(s.share_up, 0.5);
  assert.ok(Math.abs(s.mean_rating! - 0.5) < 1e-12);
  assert.deepEqual(s.per_model, {
    m1: { count: 2, up: 1, share_up: 0.5 },
    m2: { count: 1, up: 1, share_up: 1 },
    unknown: { count: 1, up: 0, share_up: 0 },
  });
  assert.deepEqual(totals.latestOfUser("ada", 2).map((r) => r.request_id), ["r3", "r2"]);
});

Deno.test("the feedback trend buckets by the time feedback was given and widens with the span", () => {
  const totals = new FeedbackTotals();
  const t0 = 1_760_000_000_000 - (1_760_000_000_000 % 60_000);
  totals.add(fb("a", "u", 1, t0 + 1_000));
  totals.add(fb("b", "u", -1, t0 + 2_000));
  totals.add(fb("c", "u", 1, t0 + 61_000));
  const s = totals.snapshot(() => null);
  assert.equal(s.bucket_ms, 60_000);
  assert.deepEqual(s.trend, [
    { t: t0, count: 2, up: 1, share_up: 0.5 },
    { t: t0 + 60_000, count: 1, up: 1, share_up: 1 },
  ]);
  for (const span of [0, 59 * 60_000, 3 * 86_400_000, 400 * 86_400_000]) {
    const width = trendBucketMs(span);
    assert.ok(span / width < TREND_MAX_BUCKETS || width === 604_800_000, `${span}: ${width}`);
  }
  assert.equal(new FeedbackTotals().snapshot(() => null).share_up, null);
});

Deno.test("feedback totals keep at most their capacity of (request, user) pairs", () => {
  const totals = new FeedbackTotals(2);
  totals.add(fb("a", "u", 1, 1));
  totals.add(fb("b", "u", 1, 2));
  totals.add(fb("c", "u", -1, 3));
  assert.equal(totals.size, 2);
  assert.deepEqual([...totals.records()].map((r) => r.request_id), ["b", "c"]);
});
