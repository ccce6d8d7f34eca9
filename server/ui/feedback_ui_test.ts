/** The browser side of feedback and comparisons: the live store, the query string, the user id. */
import assert from "node:assert/strict";
import { initialLiveState, LiveStore, mergeOwnFeedback, reduceLive } from "./live.ts";
import { compareQueryString } from "./api.ts";
import { browserUserId, USER_ID_KEY } from "./user_id.ts";
import { formatUsd } from "./format.ts";

const fb = (request_id: string, user_id: string, score: number, ts: number) => ({
  schema: "llm.feedback.v1" as const,
  request_id,
  user_id,
  score,
  ts,
});

Deno.test("a feedback event updates this user's thumb on the request; others' feedback does not", () => {
  const s0 = initialLiveState("browser-1");
  const s1 = reduceLive(s0, { name: "feedback", data: fb("r", "browser-1", 1, 10) });
  assert.deepEqual(s1.myFeedback, { r: { score: 1, ts: 10 } });
  const s2 = reduceLive(s1, { name: "feedback", data: fb("r", "someone-else", -1, 20) });
  assert.equal(s2, s1, "another user's feedback leaves the state as it is");
  const s3 = reduceLive(s2, { name: "feedback", data: fb("r", "browser-1", -1, 5) });
  assert.equal(s3, s2, "an older feedback of this user does not replace the newer one");
  const s4 = reduceLive(s3, { name: "feedback", data: fb("r", "browser-1", -1, 30) });
  assert.deepEqual(s4.myFeedback.r, { score: -1, ts: 30 });
  const store = new LiveStore("browser-1");
  store.apply({ name: "feedback", data: fb("q", "browser-1", 0.5, 1) });
  assert.equal(store.state.myFeedback.q.score, 0.5);
});

Deno.test("own feedback keeps the newest requests up to its bound", () => {
  const many = Array.from({ length: 5 }, (_, i) => fb(`r${i}`, "u", 1, i));
  const kept = mergeOwnFeedback({}, "u", many, 3);
  assert.deepEqual(Object.keys(kept).sort(), ["r2", "r3", "r4"]);
});

Deno.test("the comparison query names both sides by value or by time range", () => {
  assert.equal(
    compareQueryString({
      by: "variant",
      a: { value: "A" },
      b: { value: "B c" },
      columns: ["latency_s"],
    }),
    "by=variant&a=A&b=B+c&columns=latency_s",
  );
  assert.equal(
    compareQueryString({ by: "time", a: { from: 1, to: 2 }, b: { from: 3, to: 4 }, alpha: 0.01 }),
    "by=time&a_from=1&a_to=2&b_from=3&b_to=4&alpha=0.01",
  );
});

Deno.test("a browser keeps one feedback user id; a bad stored value is replaced", () => {
  const store = new Map<string, string>();
  const storage = {
    getItem: (k: string) => store.get(k) ?? null,
    setItem: (k: string, v: string) => void store.set(k, v),
  };
  const id = browserUserId(storage);
  assert.match(id, /^browser-[0-9a-f]{12}$/);
  assert.equal(browserUserId(storage), id);
  store.set(USER_ID_KEY, "<script>");
  assert.notEqual(browserUserId(storage), "<script>");
  assert.match(browserUserId(null), /^browser-/);
});

Deno.test("costs show cents from one cent and three significant digits below", () => {
  assert.deepEqual(
    [12, 0.5, 0.000123456, 0, null].map(formatUsd),
    ["$12.00", "$0.50", "$0.000123", "$0", "—"],
  );
});
