/**
 * Token authentication through `app.request()` (no server running), over a small in-memory
 * double of the pipeline: with LLMOPS_TOKEN every route of the app (enumerated from
 * `app.routes`, so a route added later is covered too) refuses a missing or wrong token with 401
 * and answers with the right Bearer header or the session cookie set by the sign-in form; failed
 * attempts are limited per client while the right token always passes; signing out ends the
 * session; without a token nothing changes; the server refuses a non-loopback address without a
 * token.
 */
import assert from "node:assert/strict";
import { createApp } from "./app.ts";
import {
  checkToken,
  constantTimeEqual,
  MIN_TOKEN_LENGTH,
  PUBLIC_PATHS,
  SESSION_COOKIE,
} from "./auth.ts";
import { FailureLimiter } from "./auth_failures.ts";
import type { AppDeps, HealthReport, LiveEvent } from "./deps.ts";
import { serverSettings } from "./main.ts";
import { CONTENT_SECURITY_POLICY } from "./page.ts";
import { createRequestEvent, type RequestInput } from "../lib/events/mod.ts";
import { sampleResponse } from "../lib/events/testing.ts";
import { MetricsAggregator } from "../lib/metrics/mod.ts";
import { DriftTracker } from "../lib/drift/mod.ts";
import { idleStreamStatus } from "../lib/stream/mod.ts";
import {
  AlertConfigStore,
  type AlertsApi,
  AlertService,
  parseChannel,
  parseRule,
} from "../lib/alerts/mod.ts";

const TOKEN = "s3cret-token-for-tests-0123456789";

/** Records every call that reached the pipeline, so a refused request is seen to do nothing. */
class RecordingDouble implements AppDeps {
  timezone = "Asia/Kolkata";
  defaultModel = "smollm2:135m";
  calls: string[] = [];
  #metrics = new MetricsAggregator();
  #alerts = new AlertService({
    store: AlertConfigStore.inMemory(),
    publish: () => Promise.resolve(),
  });
  /** Reads from an empty service; every change is recorded and answered with a canned value. */
  alerts: AlertsApi = (() => {
    const rule = parseRule({ id: "r1", name: "n", kind: "health", check: "no_data", window_s: 60 });
    const channel = parseChannel({ name: "c", type: "slack", url: "https://x.test/h" });
    const silence = {
      schema: "llm.alert.v1" as const,
      kind: "silence" as const,
      ts: 1,
      silence_id: "s1",
      rule_id: "r1",
      until: 2,
    };
    const alerts = this.#alerts;
    return {
      get rules() {
        return alerts.rules;
      },
      view: (limit?: number) => alerts.view(limit),
      channels: () => alerts.channels(),
      createRule: () => Promise.resolve(this.#record("createRule", rule)),
      replaceRule: () => Promise.resolve(this.#record("replaceRule", rule)),
      deleteRule: () => Promise.resolve(this.#record("deleteRule", rule)),
      upsertChannel: () =>
        Promise.resolve(this.#record("upsertChannel", { channel, created: true })),
      deleteChannel: () => Promise.resolve(this.#record("deleteChannel", channel)),
      testChannel: () => Promise.resolve(this.#record("testChannel", { ok: true, attempts: 1 })),
      silence: () => Promise.resolve(this.#record("silence", silence)),
      unsilence: () => Promise.resolve(this.#record("unsilence", silence)),
    };
  })();
  #record<T>(name: string, value: T): T {
    this.calls.push(name);
    return value;
  }
  health(): Promise<HealthReport> {
    const service = { healthy: true, url: "x", version: "1" };
    return Promise.resolve(this.#record("health", {
      kafka: service,
      mlflow: { ...service, experiment: "e", experiment_url: null },
      ollama: { ...service, models: [], model: "m", model_present: true },
      workers: [],
      workers_reason: null,
      consumers: [],
      timezone: this.timezone,
    }));
  }
  metrics() {
    return this.#record("metrics", this.#metrics.snapshot());
  }
  recentResponses() {
    return this.#record("recentResponses", [sampleResponse()]);
  }
  models() {
    return Promise.resolve(this.#record("models", ["smollm2:135m"]));
  }
  submit(input: RequestInput) {
    return Promise.resolve(
      this.#record("submit", createRequestEvent(input, { model: this.defaultModel })),
    );
  }
  searchRuns() {
    return Promise.resolve(this.#record("searchRuns", { experiment_id: "1", runs: [] }));
  }
  runsSummary() {
    return Promise.resolve(this.#record("runsSummary", {
      total_runs: 0,
      avg_latency_s: null,
      avg_tokens: null,
      successful_runs: 0,
      counted_at: "2026-01-01T00:00:00.000Z",
    }));
  }
  mlflowUiUrl(experimentId: string) {
    return `http://m/#/experiments/${experimentId}`;
  }
  drift() {
    return this.#record("drift", new DriftTracker().status());
  }
  configureDrift() {
    return Promise.resolve(this.#record("configureDrift", new DriftTracker().status()));
  }
  datasets() {
    return Promise.resolve(this.#record("datasets", [{ name: "quick_test.json", count: 10 }]));
  }
  startStream() {
    return Promise.resolve(
      this.#record("startStream", { ...idleStreamStatus(), state: "running" as const }),
    );
  }
  stopStream() {
    return Promise.resolve(
      this.#record("stopStream", { ...idleStreamStatus(), state: "finished" as const }),
    );
  }
  streamStatus() {
    return this.#record("streamStatus", idleStreamStatus());
  }
  subscribe(_listener: (e: LiveEvent) => void) {
    this.calls.push("subscribe");
    return () => {};
  }
  knownRequest(_requestId: string) {
    return Promise.resolve(this.#record("knownRequest", true));
  }
  submitFeedback(_event: unknown) {
    return Promise.resolve(this.#record("submitFeedback", undefined));
  }
  userFeedback(_userId: string, _limit: number) {
    return this.#record("userFeedback", []);
  }
  comparisonWindow() {
    return this.#record("comparisonWindow", { rows: [], capacity: 0 });
  }
}

const assets = {
  script: () => Promise.resolve("console.log(1)"),
  styles: () => Promise.resolve("body{}"),
};

/** Valid bodies of the routes that need one; a new POST route needs an entry here. */
const BODIES: Record<string, unknown> = {
  "POST /api/requests": { prompt: "Say OK." },
  "POST /api/drift/config": { reference_size: 100, current_size: 50 },
  "POST /api/stream/start": { file: "quick_test.json", delay_s: 1, loop: false },
  "POST /api/alerts/rules": { name: "n", kind: "health", check: "no_data", window_s: 60 },
  "PUT /api/alerts/rules/:id": { name: "n", kind: "health", check: "no_data", window_s: 60 },
  "POST /api/alerts/channels": { name: "c", type: "slack", url: "https://x.test/h" },
  "POST /api/alerts/silences": { rule_id: "r1", duration_s: 60 },
  "POST /api/feedback": { request_id: "0b9f0e1c-6d3a-4c51-9a52-2f4b6a0f5e11", score: 1 },
};

/** Query strings of the routes that need one. */
const QUERIES: Record<string, string> = {
  "GET /api/compare": "?by=model&a=m1&b=m2",
};

function routesOf(app: ReturnType<typeof createApp>): { method: string; path: string }[] {
  const seen = new Set<string>();
  const routes = [];
  for (const { method, path } of app.routes) {
    if (method === "ALL" || PUBLIC_PATHS.has(path) || seen.has(`${method} ${path}`)) continue;
    seen.add(`${method} ${path}`);
    routes.push({ method, path });
  }
  return routes;
}

function requestOf(method: string, path: string, headers: Record<string, string> = {}) {
  const body = BODIES[`${method} ${path}`];
  return new Request(`http://127.0.0.1:8000${path}${QUERIES[`${method} ${path}`] ?? ""}`, {
    method,
    headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Status of a response, closing its body (the event stream never ends on its own). */
async function statusOf(response: Response): Promise<number> {
  await response.body?.cancel();
  return response.status;
}

async function signIn(app: ReturnType<typeof createApp>, token: string): Promise<Response> {
  return await app.request("/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token }).toString(),
  });
}

/** A failure limiter that never runs dry, for tests that send many wrong tokens on purpose. */
const generous = () => new FailureLimiter({ burst: 1e9, perMinute: 1e9 });

Deno.test("with LLMOPS_TOKEN every route of the app refuses a missing or wrong token with 401", async () => {
  const deps = new RecordingDouble();
  const app = createApp(deps, { assets, token: TOKEN, authFailures: generous() });
  const validCookie = (await signIn(app, TOKEN)).headers.get("set-cookie")!.split(";")[0];
  const routes = routesOf(app);
  // The enumeration really covers the API, the event stream and the page.
  for (
    const expected of [
      "GET /",
      "GET /static/app.js",
      "GET /api/health",
      "GET /api/events",
      "POST /api/requests",
      "POST /api/stream/start",
    ]
  ) {
    assert.ok(routes.some((r) => `${r.method} ${r.path}` === expected), expected);
  }
  assert.ok(routes.length >= 15, `only ${routes.length} routes found`);
  const wrong: Record<string, string>[] = [
    {},
    { authorization: `Bearer ${TOKEN}x` },
    { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
    { authorization: "Bearer " },
    { authorization: `Basic ${btoa(`user:${TOKEN}`)}` },
    { authorization: TOKEN },
    { cookie: `${SESSION_COOKIE}=${TOKEN}` },
    { cookie: `${SESSION_COOKIE}=${"ab".repeat(32)}` },
    // a wrong header is refused even when a valid cookie comes with it
    { authorization: "Bearer nope", cookie: validCookie },
  ];
  for (const { method, path } of routes) {
    for (const headers of wrong) {
      const response = await app.request(requestOf(method, path, headers));
      const label = `${method} ${path} with ${JSON.stringify(headers)}`;
      assert.equal(response.status, 401, label);
      assert.equal(response.headers.get("www-authenticate"), 'Bearer realm="llmops"', label);
      assert.equal(response.headers.get("content-security-policy"), CONTENT_SECURITY_POLICY);
      if (path === "/" && method === "GET") {
        // the page itself answers with the sign-in form
        assert.match(await response.text(), /<form method="post" action="\/login">/, label);
      } else {
        assert.equal((await response.json()).error.code, "unauthorized", label);
      }
    }
  }
  assert.deepEqual(deps.calls, [], "no refused request reached the pipeline");
  // unknown paths and wrong methods reveal nothing either
  assert.equal(await statusOf(await app.request("/api/nothing-here")), 401);
  assert.equal(await statusOf(await app.request("/api/metrics", { method: "DELETE" })), 401);
});

Deno.test("with LLMOPS_TOKEN every route answers with the right Bearer header", async () => {
  const deps = new RecordingDouble();
  const app = createApp(deps, { assets, token: TOKEN });
  for (const { method, path } of routesOf(app)) {
    for (const scheme of ["Bearer", "bearer"]) {
      const response = await app.request(
        requestOf(method, path, { authorization: `${scheme} ${TOKEN}` }),
      );
      const status = await statusOf(response);
      assert.ok(status >= 200 && status < 300, `${method} ${path}: ${status}`);
    }
  }
  for (const call of ["health", "submit", "configureDrift", "startStream", "subscribe"]) {
    assert.ok(deps.calls.includes(call), call);
  }
  // with the token, the usual 404/405 come back
  const auth = { authorization: `Bearer ${TOKEN}` };
  assert.equal(await statusOf(await app.request("/api/nothing-here", { headers: auth })), 404);
  assert.equal(
    await statusOf(await app.request("/api/metrics", { method: "DELETE", headers: auth })),
    405,
  );
});

Deno.test("the sign-in form sets an HttpOnly SameSite=Strict cookie that opens every route", async () => {
  const app = createApp(new RecordingDouble(), { assets, token: TOKEN });
  const form = await app.request("/login");
  assert.equal(form.status, 200);
  const html = await form.text();
  assert.match(html, /<form method="post" action="\/login">/);
  assert.match(html, /<input id="token" name="token" type="password"/);
  assert.doesNotMatch(
    html,
    /<script|\sstyle=|\son[a-z]+=/i,
    "no script, no inline style or handler",
  );
  assert.equal(form.headers.get("content-security-policy"), CONTENT_SECURITY_POLICY);
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-inline/);
  const css = await app.request("/login.css");
  assert.equal(css.status, 200);
  assert.equal(css.headers.get("content-type"), "text/css; charset=utf-8");

  const refused = await signIn(app, `${TOKEN}-wrong`);
  assert.equal(refused.status, 401);
  assert.equal(refused.headers.get("set-cookie"), null);
  assert.match(await refused.text(), /not the one this server was started with/);

  const accepted = await signIn(app, TOKEN);
  assert.equal(accepted.status, 303);
  assert.equal(accepted.headers.get("location"), "/");
  const setCookie = accepted.headers.get("set-cookie")!;
  assert.match(setCookie, new RegExp(`^${SESSION_COOKIE}=[0-9a-f]{64}; `));
  assert.match(setCookie, /; HttpOnly/);
  assert.match(setCookie, /; SameSite=Strict/);
  assert.match(setCookie, /; Path=\//);
  assert.match(setCookie, /; Max-Age=43200/, "a session lasts 12 hours");
  assert.doesNotMatch(setCookie, /Secure/, "plain HTTP without a trusted proxy");
  assert.ok(!setCookie.includes(TOKEN), "the cookie does not carry the token");
  const cookie = setCookie.split(";")[0];

  for (const { method, path } of routesOf(app)) {
    const status = await statusOf(await app.request(requestOf(method, path, { cookie })));
    assert.ok(status >= 200 && status < 300, `${method} ${path} with the cookie: ${status}`);
  }
  // the page behind the cookie is the dashboard shell, not the form
  const page = await app.request("/", { headers: { cookie } });
  assert.match(await page.text(), /<script type="module" src="\/static\/app.js">/);
});

Deno.test("failed sign-ins and bearer guesses are limited per client; the right token always passes", async () => {
  let now = 0;
  const failures = new FailureLimiter({ burst: 5, perMinute: 10, now: () => now });
  const app = createApp(new RecordingDouble(), { assets, token: TOKEN, authFailures: failures });
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push((await signIn(app, `guess-number-${i}-xxxxxx`)).status);
  for (let i = 0; i < 3; i++) {
    const guess = await app.request("/api/health", {
      headers: { authorization: `Bearer guess-${i}-xxxxxxxxxxxxxxxx` },
    });
    statuses.push(guess.status);
    if (guess.status === 429) assert.equal(guess.headers.get("retry-after"), "6");
  }
  assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429], "5 failures, then 429");
  assert.equal(
    (await app.request("/api/health", {
      headers: { cookie: `${SESSION_COOKIE}=${"0".repeat(64)}` },
    }))
      .status,
    429,
    "a forged cookie is a failed attempt too",
  );
  // the right token still passes, by header and by the sign-in form
  const auth = { authorization: `Bearer ${TOKEN}` };
  assert.equal(await statusOf(await app.request("/api/health", { headers: auth })), 200);
  assert.equal((await signIn(app, TOKEN)).status, 303);
  // another client is not affected, and the bucket refills with time
  const other = await createApp(new RecordingDouble(), {
    assets,
    token: TOKEN,
    authFailures: failures,
  })
    .request("/api/health", {}, {
      remoteAddr: { hostname: "10.0.0.2", port: 1, transport: "tcp" },
    });
  assert.equal(other.status, 401);
  now += 6_000;
  assert.equal((await signIn(app, "still-guessing-xxxxxxxxxx")).status, 401);
});

Deno.test("signing out ends the session on the server and clears the cookie", async () => {
  const app = createApp(new RecordingDouble(), {
    assets,
    token: TOKEN,
    cookieName: `${SESSION_COOKIE}_8123`,
  });
  const setCookie = (await signIn(app, TOKEN)).headers.get("set-cookie")!;
  assert.match(setCookie, /^llmops_session_8123=/, "the cookie is named after the server's port");
  const cookie = setCookie.split(";")[0];
  assert.equal(await statusOf(await app.request("/api/health", { headers: { cookie } })), 200);
  const out = await app.request("/logout", { method: "POST", headers: { cookie } });
  assert.equal(out.status, 303);
  assert.equal(out.headers.get("location"), "/login");
  assert.match(out.headers.get("set-cookie")!, /^llmops_session_8123=; .*Max-Age=0/);
  assert.equal(
    await statusOf(await app.request("/api/health", { headers: { cookie } })),
    401,
    "the old cookie no longer opens anything",
  );
  // a cookie of another server (another port) opens nothing here
  const foreign = `${SESSION_COOKIE}_9999=${cookie.split("=")[1]}`;
  assert.equal(
    await statusOf(await app.request("/api/health", { headers: { cookie: foreign } })),
    401,
  );
});

Deno.test("behind a trusted TLS proxy the session cookie is Secure", async () => {
  const app = createApp(new RecordingDouble(), { assets, token: TOKEN, trustProxy: true });
  const response = await app.request("/login", {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-forwarded-proto": "https",
    },
    body: new URLSearchParams({ token: TOKEN }).toString(),
  });
  assert.match(response.headers.get("set-cookie")!, /; Secure$/);
  const untrusted = createApp(new RecordingDouble(), { assets, token: TOKEN });
  const plain = await untrusted.request("/login", {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-forwarded-proto": "https",
    },
    body: new URLSearchParams({ token: TOKEN }).toString(),
  });
  assert.doesNotMatch(plain.headers.get("set-cookie")!, /Secure/, "an untrusted header is ignored");
});

Deno.test("without LLMOPS_TOKEN nothing is guarded and there is no sign-in route", async () => {
  const deps = new RecordingDouble();
  const app = createApp(deps, { assets });
  for (const { method, path } of routesOf(app)) {
    const status = await statusOf(await app.request(requestOf(method, path)));
    assert.ok(status >= 200 && status < 300, `${method} ${path}: ${status}`);
  }
  assert.equal(await statusOf(await app.request("/login")), 404);
  assert.ok(!app.routes.some((r) => r.path === "/login"));
});

Deno.test("tokens compare in constant time over digests and must be long printable ASCII", () => {
  assert.equal(constantTimeEqual(TOKEN, TOKEN), true);
  assert.equal(constantTimeEqual(TOKEN, `${TOKEN} `), false);
  assert.equal(constantTimeEqual("", TOKEN), false);
  assert.equal(constantTimeEqual("a".repeat(10_000), TOKEN), false);
  assert.equal(checkToken(TOKEN), TOKEN);
  assert.throws(
    () => checkToken("short"),
    new RangeError(`LLMOPS_TOKEN must be at least ${MIN_TOKEN_LENGTH} characters, found 5`),
  );
  assert.throws(() => checkToken("has a space in the middle"), /printable ASCII without spaces/);
  assert.throws(() => checkToken("tökén-with-umlauts-1234"), /printable ASCII/);
  assert.throws(() => createApp(new RecordingDouble(), { assets, token: "short" }), RangeError);
});

Deno.test("the server refuses a non-loopback address without LLMOPS_TOKEN and checks the token", () => {
  for (const host of ["0.0.0.0", "192.168.1.20", "::", "example.org"]) {
    assert.throws(
      () => serverSettings({ LLMOPS_HOST: host }),
      new RegExp(`refusing to listen on ${host.replace(/[.]/g, "\\.")}: without LLMOPS_TOKEN`),
    );
    const settings = serverSettings({ LLMOPS_HOST: host, LLMOPS_TOKEN: TOKEN });
    assert.equal(settings.hostname, host);
    assert.equal(settings.token, TOKEN);
    assert.throws(() => serverSettings({ LLMOPS_HOST: host, LLMOPS_TOKEN: "short" }), RangeError);
  }
  for (const host of ["127.0.0.1", "localhost", "::1"]) {
    const settings = serverSettings({ LLMOPS_HOST: host });
    assert.equal(settings.hostname, host);
    assert.equal(settings.token, undefined);
  }
  assert.equal(serverSettings({}).hostname, "127.0.0.1");
  assert.equal(serverSettings({ LLMOPS_TOKEN: TOKEN }).token, TOKEN);
});
