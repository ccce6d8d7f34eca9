import assert from "node:assert/strict";
import { feedbackToRun, responseToRun } from "./mapping.ts";
import { sampleResponse } from "../events/testing.ts";

Deno.test("a priced A/B response logs the metric cost_usd and the tags variant and price_version", () => {
  const run = responseToRun(sampleResponse({
    cost_usd: 0.00042,
    price_version: "2026-12",
    tags: { variant: "B", stream_job: "j" },
  }));
  assert.equal(run.metrics.find((m) => m.key === "cost_usd")?.value, 0.00042);
  const tag = (key: string) => run.tags.find((t) => t.key === key)?.value;
  assert.equal(tag("variant"), "B");
  assert.equal(tag("price_version"), "2026-12");
  const plain = responseToRun(sampleResponse());
  assert.equal(plain.metrics.some((m) => m.key === "cost_usd"), false);
  assert.equal(plain.tags.some((t) => t.key === "variant" || t.key === "price_version"), false);
});

Deno.test("feedback logs feedback_score at the time it was given and tags its kind, user and comment", () => {
  const base = {
    schema: "llm.feedback.v1" as const,
    request_id: crypto.randomUUID(),
    user_id: "ada",
    ts: 77,
  };
  assert.deepEqual(feedbackToRun({ ...base, score: 0.6, comment: "ok" }), {
    metrics: [{ key: "feedback_score", value: 0.6, timestamp: 77, step: 0 }],
    tags: [
      { key: "feedback", value: "rating" },
      { key: "feedback_user", value: "ada" },
      { key: "feedback_comment", value: "ok" },
    ],
  });
  assert.equal(feedbackToRun({ ...base, score: 1 }).tags[0].value, "up");
  assert.equal(feedbackToRun({ ...base, score: -1 }).tags[0].value, "down");
});
