/**
 * POST/GET /api/feedback and GET /api/compare(/groups) through `app.request()` over the in-memory
 * pipeline double: 202s, 400s that name the field, 503 when the id cannot be checked, and the
 * comparison computed with lib/compare.
 */
import assert from "node:assert/strict";
import { createApp } from "./app.ts";
import { PipelineDouble } from "./_pipeline_double.ts";
import { compareSelections, comparisonRows, verdictText } from "../lib/compare/mod.ts";
import { sampleResponse } from "../lib/events/testing.ts";
import { toJsonSafe } from "../lib/drift/report.ts";

const assets = {
  script: () => Promise.resolve(""),
  styles: () => Promise.resolve(""),
};
const setup = () => {
  const deps = new PipelineDouble();
  return { deps, app: createApp(deps, { assets }) };
};
const post = (body: unknown) => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

Deno.test("POST /api/feedback records a thumb or a rating on a known request and answers 202", async () => {
  const { app, deps } = setup();
  const id = deps.responses[0].request_id;
  const res = await app.request(
    "/api/feedback",
    post({ request_id: id, score: -1, user_id: "ada", comment: "too long" }),
  );
  assert.equal(res.status, 202);
  const body = await res.json();
  assert.deepEqual([body.request_id, body.user_id, body.score], [id, "ada", -1]);
  assert.equal(deps.feedbackSent.length, 1);
  assert.equal(deps.feedbackSent[0].schema, "llm.feedback.v1");
  assert.equal(deps.feedbackSent[0].comment, "too long");
  const anonymous = await app.request("/api/feedback", post({ request_id: id, score: 0.75 }));
  assert.equal(anonymous.status, 202);
  assert.equal(deps.feedbackSent[1].user_id, "anonymous");
  const mine = await (await app.request("/api/feedback?user_id=ada")).json();
  assert.deepEqual(mine.feedback.map((f: { score: number }) => f.score), [-1]);
});

Deno.test("bad feedback gets a 400 that names the field: score, comment, request id never seen", async () => {
  const { app, deps } = setup();
  const id = deps.responses[0].request_id;
  const cases: [unknown, RegExp][] = [
    [{ request_id: id, score: 2 }, /^score: must be 1 or -1 \(thumbs\) or a number from 0 to 1$/],
    [{ request_id: id, score: "1" }, /^score: /],
    [{ request_id: id }, /^score: /],
    [
      { request_id: id, score: 1, comment: "x".repeat(2_001) },
      /^comment: must be at most 2000 characters$/,
    ],
    [{ request_id: "nope", score: 1 }, /^request_id: must be a request id \(a UUID\)$/],
    [
      { request_id: crypto.randomUUID(), score: 1 },
      /^request_id: no request [0-9a-f-]{36} has been seen/,
    ],
    [
      { request_id: id, score: 1, user_id: "a\u001bb" },
      /^user_id: must not contain control characters/,
    ],
    [{ request_id: id, score: 1, extra: true }, /extra/],
  ];
  for (const [body, message] of cases) {
    const res = await app.request("/api/feedback", post(body));
    assert.equal(res.status, 400, JSON.stringify(body).slice(0, 80));
    assert.match((await res.json()).error.message, message);
  }
  assert.equal(deps.feedbackSent.length, 0);
  deps.knownFailure = new Error("MLflow down");
  const res = await app.request(
    "/api/feedback",
    post({ request_id: crypto.randomUUID(), score: 1 }),
  );
  assert.equal(res.status, 503);
  assert.match((await res.json()).error.message, /MLflow is not answering/);
});

Deno.test("feedback is a state change: refused cross-site and without a JSON body like every POST", async () => {
  const { app, deps } = setup();
  const id = deps.responses[0].request_id;
  const crossSite = await app.request("/api/feedback", {
    ...post({ request_id: id, score: 1 }),
    headers: { "content-type": "application/json", "sec-fetch-site": "cross-site" },
  });
  assert.equal(crossSite.status, 403);
  const form = await app.request("/api/feedback", {
    method: "POST",
    headers: { "content-type": "text/plain" },
    body: JSON.stringify({ request_id: id, score: 1 }),
  });
  assert.equal(form.status, 415);
  assert.equal(deps.feedbackSent.length, 0);
});

const T0 = 1_760_000_000_000;
const rows = comparisonRows(Array.from({ length: 30 }, (_, i) =>
  sampleResponse({
    model: i % 2 ? "b-model" : "a-model",
    ts_end: T0 + i * 60_000,
    latency_ms: (i % 2 ? 600 : 1_200) + ((i * 7) % 5) * 40,
    tags: { variant: i % 2 ? "B" : "A" },
    cost_usd: i % 2 ? 0.001 : 0.002,
  })));

Deno.test("GET /api/compare compares two models with lib/compare and says each column's verdict", async () => {
  const { app, deps } = setup();
  deps.comparisonRows = rows;
  const res = await app.request("/api/compare?by=model&a=a-model&b=b-model");
  assert.equal(res.status, 200);
  const body = await res.json();
  const expected = compareSelections(rows, { by: "model", value: "a-model" }, {
    by: "model",
    value: "b-model",
  });
  assert.deepEqual(body.result, toJsonSafe(expected.result));
  assert.deepEqual(body.verdicts, expected.result!.columns.map(verdictText));
  assert.match(body.verdicts[0], /^latency_s: B is faster: (adjusted )?p /);
  assert.deepEqual([body.a.rows, body.b.rows, body.window.rows], [15, 15, 30]);
  const byVariant =
    await (await app.request("/api/compare?by=variant&a=A&b=B&columns=latency_s,cost_usd")).json();
  assert.deepEqual(byVariant.columns, ["latency_s", "cost_usd"]);
  const byTime = await (await app.request(
    `/api/compare?by=time&a_from=${T0}&a_to=${T0 + 15 * 60_000}&b_from=${
      new Date(T0 + 15 * 60_000).toISOString()
    }&b_to=${T0 + 30 * 60_000}`,
  )).json();
  assert.deepEqual([byTime.a.rows, byTime.b.rows], [15, 15]);
  const groups = await (await app.request("/api/compare/groups")).json();
  assert.deepEqual(groups.models, [{ name: "a-model", count: 15 }, { name: "b-model", count: 15 }]);
  assert.deepEqual(groups.variants.map((v: { name: string }) => v.name), ["A", "B"]);
});

Deno.test("GET /api/compare names the bad parameter, and an empty side is a reason, not an error", async () => {
  const { app, deps } = setup();
  deps.comparisonRows = rows;
  const cases: [string, RegExp][] = [
    ["by=colour&a=x&b=y", /by must be model, variant or time/],
    ["by=model&b=y", /a is required/],
    [
      "by=time&a_from=1&a_to=2&b_from=x&b_to=3",
      /b_from must be epoch milliseconds or an ISO date-time/,
    ],
    ["by=time&a_from=5&a_to=2&b_from=1&b_to=3", /a_from must be before a_to/],
    ["by=model&a=a-model&b=b-model&columns=prompt", /columns: unknown column "prompt"/],
    ["by=model&a=a-model&b=b-model&alpha=2", /alpha must be a number between 0 and 1/],
    ["by=model&a=a-model&b=b-model&adjust=bonferroni", /adjust must be holm or bh/],
  ];
  for (const [query, message] of cases) {
    const res = await app.request(`/api/compare?${query}`);
    assert.equal(res.status, 400, query);
    assert.match((await res.json()).error.message, message);
  }
  const empty = await (await app.request("/api/compare?by=model&a=a-model&b=nothing")).json();
  assert.equal(empty.result, null);
  assert.match(empty.reason, /no responses in B/);
});
