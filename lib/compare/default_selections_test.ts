import assert from "node:assert/strict";
import { compareSelections, type ComparisonRow } from "./response_rows.ts";
import { defaultSelections, groupCounts, timeHalves } from "./default_selections.ts";

const row = (ts_end: number, model = "m1", variant: string | null = null): ComparisonRow => ({
  request_id: crypto.randomUUID(),
  ts_end,
  model,
  variant,
  latency_s: 1 + (ts_end % 7) / 10,
  ttft_s: 0.1,
  completion_tokens: 10,
  prompt_tokens: 5,
  tokens_per_s: 10,
  response_chars: 40 + (ts_end % 5),
  success: 1,
  cost_usd: null,
  feedback_score: null,
  thumbs_up: null,
});

Deno.test("time halves split at the median end time", () => {
  const rows = [1, 2, 3, 4, 5, 6].map((t) => row(t));
  assert.deepEqual(timeHalves(rows), [
    { by: "time", from: 1, to: 4 },
    { by: "time", from: 4, to: 7 },
  ]);
});

Deno.test("rows of one instant stay on one side: the split moves to the next instant", () => {
  // most rows replayed at one instant (as sample events are), a few later ones
  const rows = [...Array(8).fill(1_000), 2_000, 3_000].map((t) => row(t));
  const [a, b] = timeHalves(rows);
  assert.deepEqual([a, b], [{ by: "time", from: 1_000, to: 2_000 }, {
    by: "time",
    from: 2_000,
    to: 3_001,
  }]);
  const c = compareSelections(rows, a, b);
  assert.deepEqual([c.a.rows, c.b.rows], [8, 2]);
});

Deno.test("every row at one instant: B is empty and the comparison says so instead of throwing", () => {
  const rows = Array.from({ length: 5 }, () => row(1_760_000_001_205));
  const { a, b } = defaultSelections(rows);
  const c = compareSelections(rows, a, b);
  assert.equal(c.a.rows, 5);
  assert.equal(c.result, null);
  assert.match(c.reason!, /no responses in B/);
  const none = defaultSelections([]);
  assert.equal(compareSelections([], none.a, none.b).result, null);
});

Deno.test("defaults: two variants, else two models, else time; choices win", () => {
  const ab = [
    row(1, "m", "A"),
    row(2, "m", "A"),
    row(3, "m", "B"),
    row(4, "m", "B"),
    row(5, "m", "B"),
  ];
  assert.deepEqual(groupCounts(ab, "variant"), [["B", 3], ["A", 2]]);
  assert.deepEqual(defaultSelections(ab), {
    by: "variant",
    a: { by: "variant", value: "B" },
    b: { by: "variant", value: "A" },
  });
  const models = [row(1, "x"), row(2, "x"), row(3, "y"), row(4, "y"), row(5, "z")];
  assert.equal(defaultSelections(models).by, "model");
  assert.deepEqual(defaultSelections(models, { a: "y", b: "x" }).a, { by: "model", value: "y" });
  assert.equal(defaultSelections([row(1), row(2)]).by, "time");
  assert.deepEqual(defaultSelections(models, { by: "time", aRange: [0, 3] }).a, {
    by: "time",
    from: 0,
    to: 3,
  });
});
