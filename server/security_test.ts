/**
 * The findings of the adversarial probe, each against the app through `app.request()` over the
 * pipeline double: cross-site requests (text/plain bodies, foreign Origin and Sec-Fetch-Site,
 * foreign Host), prototype names in order_by, MLflow's 4xx relayed, loose numbers, control
 * characters in identifiers, a second stream start, and the cap on event streams. The race of
 * concurrent starts is in stream_supervisor_test.ts and stream_api_test.ts, the connection limits
 * in connection_guard_test.ts, the auth limits in auth_test.ts.
 */
import assert from "node:assert/strict";
import { createApp } from "./app.ts";
import { MlflowError } from "../lib/mlflow/mod.ts";
import { idleStreamStatus } from "../lib/stream/mod.ts";
import { PipelineDouble } from "./_pipeline_double.ts";
import { StreamBusyError } from "./stream_supervisor.ts";

const assets = {
  script: () => Promise.resolve("console.log(1)"),
  styles: () => Promise.resolve("body{}"),
};
const setup = (options: { maxStreams?: number; allowedHosts?: string[] } = {}) => {
  const deps = new PipelineDouble();
  return { deps, app: createApp(deps, { assets, ...options }) };
};
const URL_BASE = "http://127.0.0.1:8000";

/** Every state-changing route, with a valid JSON body. */
const WRITES: [string, unknown][] = [
  ["/api/requests", { prompt: "Say OK." }],
  ["/api/drift/config", { reference_size: 100 }],
  ["/api/stream/start", { file: "quick_test.json", delay_s: 1, loop: false }],
  ["/api/stream/stop", undefined],
  ["/api/feedback", { request_id: crypto.randomUUID(), score: 1 }],
];

Deno.test("a text/plain body (a simple cross-site request) gets 415 and reaches nothing", async () => {
  const { app, deps } = setup();
  for (const [path, body] of WRITES.filter(([, b]) => b !== undefined)) {
    for (
      const type of ["text/plain; charset=application/json", "text/plain", "application/json5"]
    ) {
      const response = await app.request(`${URL_BASE}${path}`, {
        method: "POST",
        headers: { "content-type": type },
        body: JSON.stringify(body),
      });
      assert.equal(response.status, 415, `${path} with ${type}`);
      assert.equal((await response.json()).error.code, "unsupported_media_type");
    }
  }
  assert.equal(deps.submitted.length + deps.streamStarts.length + deps.feedbackSent.length, 0);
  assert.equal(deps.driftConfig, null);
});

Deno.test("browser requests from another origin or site get 403; same-origin and non-browser ones pass", async () => {
  const { app, deps } = setup();
  const foreign: Record<string, string>[] = [
    { origin: "http://evil.example" },
    { origin: "http://127.0.0.1:9999" }, // another port of this host: same site, other origin
    { origin: "null" },
    { "sec-fetch-site": "cross-site" },
    { "sec-fetch-site": "same-site" },
  ];
  for (const [path, body] of WRITES) {
    for (const headers of foreign) {
      const response = await app.request(`${URL_BASE}${path}`, {
        method: "POST",
        headers: { ...headers, ...(body ? { "content-type": "application/json" } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      assert.equal(response.status, 403, `${path} with ${JSON.stringify(headers)}`);
      assert.equal((await response.json()).error.code, "forbidden");
    }
  }
  assert.equal(deps.submitted.length + deps.streamStarts.length + deps.feedbackSent.length, 0);
  const own = await app.request(`${URL_BASE}/api/requests`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      origin: URL_BASE,
      "sec-fetch-site": "same-origin",
    },
    body: JSON.stringify({ prompt: "Say OK." }),
  });
  assert.equal(own.status, 202);
  const curl = await app.request(`${URL_BASE}/api/requests`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ prompt: "Say OK." }),
  });
  assert.equal(curl.status, 202, "a client that is not a browser sends no Origin and passes");
  // reading stays open to the page's own scripts and to tools
  assert.equal(
    (await app.request(`${URL_BASE}/api/metrics`, { headers: { origin: "http://evil.example" } }))
      .status,
    200,
  );
});

Deno.test("a foreign Host header (DNS rebinding) gets 421; loopback names and allowed hosts pass", async () => {
  const { app } = setup({ allowedHosts: ["127.0.0.1", "localhost", "::1", "dash.example.org"] });
  const ask = (host: string) => app.request(`${URL_BASE}/api/metrics`, { headers: { host } });
  for (
    const host of [
      "evil.example",
      "evil.example:8000",
      "127.0.0.2:8000",
      "dash.example.org.evil.example",
    ]
  ) {
    const response = await ask(host);
    assert.equal(response.status, 421, host);
    assert.equal((await response.json()).error.code, "misdirected_request");
  }
  for (const host of ["127.0.0.1:8000", "localhost:8000", "[::1]:8000", "DASH.example.org"]) {
    assert.equal((await ask(host)).status, 200, host);
  }
});

Deno.test("order_by with prototype names is a 400, and MLflow's own refusals are our 400, not a 503", async () => {
  const { app, deps } = setup();
  for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"]) {
    const response = await app.request(`/api/mlflow/runs?order_by=${name}%20DESC`);
    assert.equal(response.status, 400, name);
    assert.match((await response.json()).error.message, /order_by must be one of start_time/);
  }
  assert.equal(deps.lastRunsRequest, null, "nothing reached MLflow");
  deps.searchFailure = new MlflowError(
    400,
    '{"error_code": "INVALID_PARAMETER_VALUE", "message": "Invalid page token, internal detail"}',
    "/api/2.0/mlflow/runs/search",
  );
  const badToken = await app.request("/api/mlflow/runs?page_token=bm9wZQ%3D%3D");
  assert.equal(badToken.status, 400);
  const message = (await badToken.json()).error.message;
  assert.match(message, /page_token is not a page of these runs/);
  assert.doesNotMatch(message, /internal detail|INVALID_PARAMETER_VALUE/);
  const control = await app.request("/api/mlflow/runs?page_token=%00abc");
  assert.equal(control.status, 400);
  deps.searchFailure = new MlflowError(0, "connection refused (os error 111)", "/runs/search");
  const down = await app.request("/api/mlflow/runs");
  assert.equal(down.status, 503);
  assert.doesNotMatch((await down.json()).error.message, /os error/);
});

Deno.test("query numbers are whole decimal numbers only", async () => {
  const { app } = setup();
  for (const limit of ["0x10", "1e2", "+5", " 5", "5.0", "05a", "-1", "99999999999"]) {
    const response = await app.request(`/api/responses?limit=${encodeURIComponent(limit)}`);
    assert.equal(response.status, 400, limit);
    assert.match((await response.json()).error.message, /limit must be an integer from 1 to 500/);
  }
  assert.equal((await app.request("/api/responses?limit=10")).status, 200);
});

Deno.test("control characters in identifiers (user_id, model) get 400 naming the field", async () => {
  const { app, deps } = setup();
  for (
    const body of [
      { prompt: "x", user_id: "alice\u0000" },
      { prompt: "x", user_id: "\u001b[31mred" },
      { prompt: "x", user_id: "a\nb" },
      { prompt: "x", model: "smollm2\u0007" },
      { prompt: "x", user_id: "c1\u009b" },
    ]
  ) {
    const response = await app.request("/api/requests", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    assert.equal(response.status, 400, JSON.stringify(body));
    assert.match((await response.json()).error.message, /(user_id|model).*control characters/);
  }
  assert.equal(deps.submitted.length, 5, "refused at validation, after the double recorded them");
});

Deno.test("a start while a stream runs is a 409 naming the running job", async () => {
  const { app, deps } = setup();
  deps.startFailure = new StreamBusyError({
    ...idleStreamStatus(),
    job_id: "job-1",
    state: "running",
    file: "coding.json",
    sent: 12,
  });
  const response = await app.request("/api/stream/start", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ file: "quick_test.json", delay_s: 1, loop: false }),
  });
  assert.equal(response.status, 409);
  const error = (await response.json()).error;
  assert.equal(error.code, "conflict");
  assert.match(error.message, /already running: job job-1 \(coding.json\), 12 sent/);
});

Deno.test("event streams beyond the cap get 503 with Retry-After, and a closed one frees its slot", async () => {
  const { app } = setup({ maxStreams: 2 });
  const open = [await app.request("/api/events"), await app.request("/api/events")];
  assert.deepEqual(open.map((r) => r.status), [200, 200]);
  const refused = await app.request("/api/events");
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.get("retry-after"), "5");
  await open[0].body!.cancel();
  let again: Response | null = null;
  for (let i = 0; i < 50 && again?.status !== 200; i++) {
    await again?.body?.cancel();
    await new Promise((r) => setTimeout(r, 20));
    again = await app.request("/api/events");
  }
  assert.equal(again!.status, 200);
  await again!.body!.cancel();
  await open[1].body!.cancel();
});

Deno.test("the browser's own form posts pass even when privacy settings send Origin: null", async () => {
  const { app, deps } = setup();
  const own = await app.request(
    new Request("http+unix://127.0.0.1:8000/api/requests", {
      method: "POST",
      headers: {
        host: "127.0.0.1:8000",
        "content-type": "application/json",
        origin: "null",
        "sec-fetch-site": "same-origin",
      },
      body: JSON.stringify({ prompt: "Say OK." }),
    }),
  );
  assert.equal(own.status, 202);
  const guarded = await app.request(
    new Request("http+unix://127.0.0.1:8000/api/requests", {
      method: "POST",
      headers: {
        host: "127.0.0.1:8000",
        "content-type": "application/json",
        origin: "http://127.0.0.1:8000",
      },
      body: JSON.stringify({ prompt: "Say OK." }),
    }),
  );
  assert.equal(guarded.status, 202, "behind the guard the app's URL is http+unix, the origin http");
  assert.equal(deps.submitted.length, 2);
});
