import assert from "node:assert/strict";
import { FEEDBACK_COMMENT_CHARS, isThumbUp, parseFeedbackEvent } from "./feedback.ts";

const valid = () => ({
  schema: "llm.feedback.v1",
  request_id: crypto.randomUUID(),
  score: 1,
  user_id: "ada",
  ts: 1_760_000_000_000,
});

Deno.test("feedback takes thumbs or a rating, a comment up to its cap, and names bad fields", () => {
  for (const score of [1, -1, 0, 0.5, 1]) {
    assert.equal(parseFeedbackEvent({ ...valid(), score }).score, score);
  }
  for (const score of [2, -0.5, 1.5, Number.NaN, "1"]) {
    assert.throws(() => parseFeedbackEvent({ ...valid(), score }), /score/);
  }
  assert.throws(
    () => parseFeedbackEvent({ ...valid(), comment: "x".repeat(FEEDBACK_COMMENT_CHARS + 1) }),
    /comment: must be at most 2000 characters/,
  );
  assert.throws(() => parseFeedbackEvent({ ...valid(), request_id: "nope" }), /request_id/);
  assert.throws(
    () => parseFeedbackEvent({ ...valid(), user_id: "a\u001b[31m" }),
    /user_id: must not contain control/,
  );
  assert.equal(
    parseFeedbackEvent({ ...valid(), comment: "Great answer,\nthanks" }).comment,
    "Great answer,\nthanks",
  );
});

Deno.test("thumbs up are 1 and ratings from 0.5", () => {
  assert.deepEqual([1, -1, 0, 0.49, 0.5].map(isThumbUp), [true, false, false, false, true]);
});
