import assert from "node:assert/strict";
import { sampleResponse } from "../events/testing.ts";
import {
  comparableColumns,
  compareSelections,
  comparisonRow,
  comparisonRows,
  feedbackByRequest,
  selectRows,
  sortRows,
} from "./response_rows.ts";
import { compareColumns } from "./compare.ts";

const T0 = 1_760_000_000_000;

Deno.test("a response becomes a row of its figures; a failed call only counts as a failure and its cost", () => {
  const ok = sampleResponse({
    latency_ms: 1_500,
    ttft_ms: 250,
    cost_usd: 0.002,
    tags: { variant: "B" },
  });
  const row = comparisonRow(ok, { score: 1, thumbs_up: 1, users: 1 });
  assert.deepEqual(
    [row.latency_s, row.ttft_s, row.success, row.cost_usd, row.variant, row.feedback_score],
    [1.5, 0.25, 1, 0.002, "B", 1],
  );
  const failed = comparisonRow(
    sampleResponse({ status: "error", error: { type: "timeout", message: "t" }, cost_usd: 0.001 }),
  );
  assert.deepEqual(
    [failed.latency_s, failed.completion_tokens, failed.success, failed.cost_usd, failed.thumbs_up],
    [null, null, 0, 0.001, null],
  );
});

Deno.test("feedback per request: each user's last counts, the score is their mean and thumbs the majority", () => {
  const map = feedbackByRequest([
    { request_id: "r", user_id: "a", score: 1, ts: 5 },
    { request_id: "r", user_id: "a", score: -1, ts: 1 }, // older: does not win
    { request_id: "r", user_id: "b", score: -1, ts: 2 },
    { request_id: "s", user_id: "a", score: 0.9, ts: 1 },
    { request_id: "s", user_id: "b", score: 0.7, ts: 1 },
    { request_id: "s", user_id: "c", score: 0.1, ts: 1 },
  ]);
  assert.deepEqual(map.get("r"), { score: 0, thumbs_up: null, users: 2 });
  const s = map.get("s")!;
  assert.ok(Math.abs(s.score - 1.7 / 3) < 1e-12);
  assert.equal(s.thumbs_up, 1);
});

Deno.test("rows are one per request id and sides are picked by model, variant or time range", () => {
  const events = [
    sampleResponse({ request_id: crypto.randomUUID(), model: "m1", ts_end: T0 }),
    sampleResponse({ model: "m2", ts_end: T0 + 1_000, tags: { variant: "B" } }),
  ];
  const again = { ...events[0], latency_ms: 999 };
  const rows = comparisonRows([...events, again]);
  assert.equal(rows.length, 2);
  assert.equal(rows.find((r) => r.model === "m1")!.latency_s, 1.2, "the first copy counts");
  assert.equal(selectRows(rows, { by: "model", value: "m2" }).length, 1);
  assert.equal(selectRows(rows, { by: "variant", value: "B" })[0].model, "m2");
  assert.equal(selectRows(rows, { by: "time", from: T0, to: T0 + 1_000 }).length, 1);
  assert.throws(() => selectRows(rows, { by: "time", from: T0, to: T0 }), /from < to/);
});

Deno.test("a comparison of selections sorts each side canonically, so the input order does not matter", () => {
  const events = Array.from({ length: 24 }, (_, i) =>
    sampleResponse({
      model: i % 2 ? "fast" : "slow",
      ts_end: T0 + i * 1_000,
      latency_ms: (i % 2 ? 400 : 900) + ((i * 37) % 11) * 20,
      completion_tokens: 5 + (i % 7),
      cost_usd: i % 2 ? 0.001 : 0.003,
    }));
  const rows = comparisonRows(events);
  const a = { by: "model", value: "slow" } as const;
  const b = { by: "model", value: "fast" } as const;
  const forward = compareSelections(rows, a, b);
  const backward = compareSelections([...rows].reverse(), a, b);
  assert.deepEqual(forward, backward);
  assert.deepEqual(forward.columns, comparableColumns(selectRows(rows, a), selectRows(rows, b)));
  assert.ok(forward.columns.includes("cost_usd"));
  assert.ok(!forward.columns.includes("feedback_score"), "no feedback: not compared");
  const latency = forward.result!.columns.find((c) => c.column === "latency_s")!;
  assert.equal(latency.significant, true);
  assert.ok(latency.difference < 0, "B (fast) is faster");
  // the same numbers through compareColumns directly
  const direct = compareColumns(
    sortRows(selectRows(rows, a)).map((r) => ({ latency_s: r.latency_s })),
    sortRows(selectRows(rows, b)).map((r) => ({ latency_s: r.latency_s })),
  );
  assert.deepEqual(direct.columns[0].tests, latency.tests);
});

Deno.test("an empty side or too few rows give a reason instead of a result; unknown columns are refused", () => {
  const rows = comparisonRows([sampleResponse({ model: "m1" }), sampleResponse({ model: "m2" })]);
  const none = compareSelections(rows, { by: "model", value: "m1" }, { by: "model", value: "x" });
  assert.equal(none.result, null);
  assert.match(none.reason!, /no responses in B \(model x\)/);
  const few = compareSelections(rows, { by: "model", value: "m1" }, { by: "model", value: "m2" });
  assert.match(few.reason!, /each side needs at least 2/);
  assert.throws(
    () =>
      compareSelections(rows, { by: "model", value: "m1" }, { by: "model", value: "m2" }, {
        columns: ["model"],
      }),
    /unknown column "model": expected one of latency_s/,
  );
});
