/**
 * Every API route through `app.request()`, with no server running, over an in-memory double of
 * the pipeline (PipelineDouble): status codes, JSON bodies, and clear 4xx errors for bad input.
 */
import assert from "node:assert/strict";
import { createApp, MAX_BODY_BYTES } from "./app.ts";
import { LIMITS } from "../lib/events/mod.ts";
import { sampleResponse } from "../lib/events/testing.ts";
import { idleStreamStatus } from "../lib/stream/mod.ts";
import { PipelineDouble } from "./_pipeline_double.ts";

const assets = {
  script: () => Promise.resolve("console.log(1)"),
  styles: () => Promise.resolve("body{}"),
};
const setup = (rateLimit?: { perMinute: number; burst: number }) => {
  const deps = new PipelineDouble();
  return { deps, app: createApp(deps, { assets, rateLimit }) };
};
const postJson = (body: unknown) => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: typeof body === "string" ? body : JSON.stringify(body),
});

Deno.test("the page is served with a Content-Security-Policy that forbids inline scripts", async () => {
  const { app } = setup();
  const response = await app.request("/");
  assert.equal(response.status, 200);
  const csp = response.headers.get("content-security-policy")!;
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  const html = await response.text();
  assert.doesNotMatch(html, /<script>(?!<\/script>)/, "no inline script");
  assert.match(html, /<script type="module" src="\/static\/app.js"><\/script>/);
  assert.equal(
    (await app.request("/static/app.js")).headers.get("content-type"),
    "text/javascript; charset=utf-8",
  );
  assert.equal(await (await app.request("/static/app.css")).text(), "body{}");
});

Deno.test("GET health, metrics, responses and models answer with JSON", async () => {
  const { app } = setup();
  const health = await (await app.request("/api/health")).json();
  assert.equal(health.timezone, "Asia/Kolkata");
  const metrics = await (await app.request("/api/metrics")).json();
  assert.equal(metrics.total, 0);
  const responses = await (await app.request("/api/responses?limit=1")).json();
  assert.equal(responses.responses.length, 1);
  const models = await (await app.request("/api/models")).json();
  assert.deepEqual(models, { models: ["smollm2:135m"], default: "smollm2:135m" });
});

Deno.test("a bad limit is a 400 that names the parameter and what was found", async () => {
  const { app } = setup();
  const response = await app.request("/api/responses?limit=9999");
  assert.equal(response.status, 400);
  assert.deepEqual(await response.json(), {
    error: { code: "bad_request", message: 'limit must be an integer from 1 to 500, found "9999"' },
  });
});

Deno.test("POST /api/requests queues a prompt with its parameters and answers 202 with the id", async () => {
  const { app, deps } = setup();
  const response = await app.request(
    "/api/requests",
    postJson({ prompt: "Hi", temperature: 0.2, max_tokens: 32, source: "test" }),
  );
  assert.equal(response.status, 202);
  const body = await response.json();
  assert.match(body.request_id, /^[0-9a-f-]{36}$/);
  assert.deepEqual(deps.submitted[0].params, {
    temperature: 0.2,
    top_p: undefined,
    num_predict: 32,
  });
  assert.equal(deps.submitted[0].source, "test");
});

Deno.test("POST /api/requests refuses bad bodies with clear 400s and oversized ones with 413", async () => {
  const { app, deps } = setup();
  const cases: [unknown, RegExp][] = [
    [{ prompt: "" }, /prompt: must not be empty/],
    [{ prompt: 42 }, /prompt: .*expected string/],
    [{ prompt: "x", temperature: 9 }, /temperature/],
    [{ prompt: "x", max_tokens: 0 }, /max_tokens/],
    [{ prompt: "x", sneaky: true }, /sneaky/],
    [{ prompt: "x".repeat(LIMITS.promptChars + 1) }, /prompt: must be at most 32000 characters/],
    ["{not json", /invalid JSON body/],
  ];
  for (const [body, message] of cases) {
    const response = await app.request("/api/requests", postJson(body));
    assert.equal(response.status, 400, JSON.stringify(body).slice(0, 50));
    const json = await response.json();
    assert.equal(json.error.code, "bad_request");
    assert.match(json.error.message, message);
  }
  const noType = await app.request("/api/requests", { method: "POST", body: "{}" });
  assert.equal(noType.status, 415);
  assert.match((await noType.json()).error.message, /expected a JSON body/);
  const huge = await app.request("/api/requests", postJson({ prompt: "x".repeat(MAX_BODY_BYTES) }));
  assert.equal(huge.status, 413);
  assert.equal((await huge.json()).error.code, "payload_too_large");
  assert.equal(deps.submitted.length, 0);
});

Deno.test("submissions beyond the per-client rate limit get a 429 with Retry-After", async () => {
  const { app } = setup({ perMinute: 60, burst: 2 });
  const statuses = [];
  for (let i = 0; i < 3; i++) {
    statuses.push((await app.request("/api/requests", postJson({ prompt: "Hi" }))).status);
  }
  assert.deepEqual(statuses, [202, 202, 429]);
  const limited = await app.request("/api/requests", postJson({ prompt: "Hi" }));
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers.get("retry-after")) >= 1);
  assert.equal((await limited.json()).error.code, "too_many_requests");
});

Deno.test("GET /api/mlflow/runs flattens runs, links each to the MLflow UI and validates sorting", async () => {
  const { app, deps } = setup();
  const body = await (await app.request(
    "/api/mlflow/runs?max_results=10&order_by=latency_s%20ASC&page_token=abc",
  )).json();
  assert.deepEqual(deps.lastRunsRequest, {
    maxResults: 10,
    pageToken: "abc",
    orderBy: "metrics.latency_s ASC",
  });
  assert.equal(body.experiment_url, "http://m/#/experiments/7");
  assert.equal(body.runs[0].url, "http://m/#/experiments/7/runs/r1");
  assert.equal(body.runs[0].latency_s, 1.5);
  assert.equal(body.runs[0].request_id, "q1");
  assert.equal(body.next_page_token, "next");
  assert.equal(body.summary.total_runs, 1);
  const bad = await app.request("/api/mlflow/runs?order_by=prompt");
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).error.message, /order_by must be one of start_time, latency_s/);
});

Deno.test("GET /api/mlflow/runs answers with the page while the runs are still being counted", async () => {
  const { app, deps } = setup();
  deps.runsSummary = () => Promise.resolve(null);
  const response = await app.request("/api/mlflow/runs");
  assert.equal(response.status, 200);
  const body = await response.json();
  assert.equal(body.summary, null);
  assert.equal(body.runs.length, 1);
});

Deno.test("drift routes return the monitor's state and validate window sizes", async () => {
  const { app, deps } = setup();
  assert.deepEqual(
    await (await app.request("/api/drift")).json(),
    JSON.parse(JSON.stringify(deps.tracker.status())),
  );
  const ok = await app.request(
    "/api/drift/config",
    postJson({ reference_size: 100, current_size: 50 }),
  );
  assert.equal(ok.status, 200);
  assert.deepEqual(deps.driftConfig, { referenceSize: 100, currentSize: 50 });
  const bad = await app.request("/api/drift/config", postJson({ reference_size: 1 }));
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).error.message, /reference_size/);
});

Deno.test("the drift config pins the bundled baseline or the current window, unpins with null, and says why it cannot", async () => {
  const { app, deps } = setup();
  for (const baseline of ["bundled", "current", null]) {
    const res = await app.request("/api/drift/config", postJson({ baseline }));
    assert.equal(res.status, 200, `baseline ${baseline}`);
    assert.deepEqual(deps.driftConfig, {
      referenceSize: undefined,
      currentSize: undefined,
      baseline,
    });
  }
  const unknown = await app.request("/api/drift/config", postJson({ baseline: "mine.csv" }));
  assert.equal(unknown.status, 400);
  assert.match((await unknown.json()).error.message, /baseline/);
  deps.driftError = new RangeError("the bundled baseline baseline_smollm2.csv is missing");
  const missing = await app.request("/api/drift/config", postJson({ baseline: "bundled" }));
  assert.equal(missing.status, 409);
  assert.deepEqual((await missing.json()).error, {
    code: "conflict",
    message: "the bundled baseline baseline_smollm2.csv is missing",
  });
});

Deno.test("stream routes start only known dataset files and report status", async () => {
  const { app, deps } = setup();
  assert.deepEqual(await (await app.request("/api/datasets")).json(), {
    datasets: [{ name: "quick_test.json", count: 10 }],
  });
  const started = await app.request(
    "/api/stream/start",
    postJson({ file: "quick_test.json", delay_s: 3, loop: false }),
  );
  assert.equal(started.status, 200);
  assert.deepEqual(deps.streamStarts, [{ file: "quick_test.json", delayS: 3, loop: false }]);
  const traversal = await app.request("/api/stream/start", postJson({ file: "../../etc/passwd" }));
  assert.equal(traversal.status, 400);
  const unknown = await app.request("/api/stream/start", postJson({ file: "nope.json" }));
  assert.equal(unknown.status, 400);
  assert.match(
    (await unknown.json()).error.message,
    /file must be one of quick_test.json, found "nope.json"/,
  );
  assert.deepEqual(await (await app.request("/api/stream/status")).json(), idleStreamStatus());
  assert.deepEqual(await (await app.request("/api/stream/stop", { method: "POST" })).json(), {
    ...idleStreamStatus(),
    state: "finished",
  });
});

Deno.test("unknown routes are JSON 404s and wrong methods JSON 405s naming the allowed ones", async () => {
  const { app } = setup();
  const missing = await app.request("/api/nothing-here");
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).error.code, "not_found");
  const wrong = await app.request("/api/metrics", { method: "DELETE" });
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get("allow"), "GET");
  assert.match(
    (await wrong.json()).error.message,
    /DELETE is not allowed on \/api\/metrics; use GET/,
  );
  const getOnPost = await app.request("/api/requests");
  assert.equal(getOnPost.status, 405);
});

Deno.test("the event stream starts with the current state and pushes each new response", async () => {
  const { app, deps } = setup();
  const response = await app.request("/api/events");
  assert.equal(response.headers.get("content-type"), "text/event-stream");
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("event: drift")) text += (await reader.read()).value;
  assert.match(text, /event: metrics\ndata: \{"total":0/);
  const event = sampleResponse();
  for (const listener of deps.listeners) listener({ type: "response", data: event });
  while (!text.includes(event.request_id)) text += (await reader.read()).value;
  assert.match(text, /event: response\ndata: /);
  await reader.cancel();
});

Deno.test("a stream may cap its answers with max_tokens, validated like a request's", async () => {
  const { app, deps } = setup();
  const ok = await app.request(
    "/api/stream/start",
    postJson({ file: "quick_test.json", delay_s: 1, loop: true, max_tokens: 16 }),
  );
  assert.equal(ok.status, 200);
  assert.deepEqual(deps.streamStarts, [{
    file: "quick_test.json",
    delayS: 1,
    loop: true,
    maxTokens: 16,
  }]);
  const bad = await app.request(
    "/api/stream/start",
    postJson({ file: "quick_test.json", max_tokens: 0 }),
  );
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).error.message, /max_tokens/);
});

Deno.test("a stream may limit the requests awaiting responses and wait longer for each", async () => {
  const { app, deps } = setup();
  const ok = await app.request(
    "/api/stream/start",
    postJson({ file: "quick_test.json", delay_s: 0, loop: true, concurrency: 2, timeout_s: 900 }),
  );
  assert.equal(ok.status, 200);
  assert.deepEqual(deps.streamStarts, [{
    file: "quick_test.json",
    delayS: 0,
    loop: true,
    concurrency: 2,
    timeoutS: 900,
  }]);
  for (const [field, value] of [["concurrency", 0], ["concurrency", 1.5], ["timeout_s", 0]]) {
    const bad = await app.request(
      "/api/stream/start",
      postJson({ file: "quick_test.json", [field]: value }),
    );
    assert.equal(bad.status, 400, `${field} ${value}`);
    assert.match((await bad.json()).error.message, new RegExp(field as string));
  }
});
