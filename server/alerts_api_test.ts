/**
 * The alerting API through `app.request()` over the pipeline double (a real AlertService on an
 * in-memory store, a sender double): rules and channels round-trip, secrets never come back,
 * invalid bodies are 400 naming the field, what was expected and what was found, unknown ids 404,
 * conflicts 409, silences and test notifications work, and the cross-site, media-type and token
 * protections cover every alerts route.
 */
import assert from "node:assert/strict";
import { createApp } from "./app.ts";
import { PipelineDouble } from "./_pipeline_double.ts";

const assets = {
  script: () => Promise.resolve("console.log(1)"),
  styles: () => Promise.resolve("body{}"),
};
const BASE = "http://127.0.0.1:8000";
const SECRET = "s3cret-webhook-key-0123";
const TOKEN = "a-token-of-at-least-16-chars";

function setup(token?: string) {
  const deps = new PipelineDouble();
  const app = createApp(deps, { assets, token });
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await app.request(`${BASE}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null, text };
  };
  return { deps, app, call };
}

const CHANNEL = {
  name: "oncall",
  type: "webhook",
  url: "https://hooks.example.test/a",
  secret: SECRET,
};
const RULE = {
  name: "slow p95",
  kind: "metric",
  metric: "latency_p95_s",
  op: ">",
  threshold: 2,
  window_s: 300,
  for_s: 60,
  channels: ["oncall"],
};

Deno.test("rules and channels round-trip through the API and the channel secret never comes back", async () => {
  const { call } = setup();
  const created = await call("POST", "/api/alerts/channels", CHANNEL);
  assert.equal(created.status, 201);
  assert.equal(created.body.secret, "********");
  assert.ok(!created.text.includes(SECRET));
  const again = await call("POST", "/api/alerts/channels", {
    ...created.body,
    description: "pager",
  });
  assert.equal(again.status, 200, "the same name replaces");
  const listed = await call("GET", "/api/alerts/channels");
  assert.equal(listed.body.channels.length, 1);
  assert.equal(listed.body.channels[0].description, "pager");
  assert.ok(!listed.text.includes(SECRET), "GET never returns the secret");

  const rule = await call("POST", "/api/alerts/rules", RULE);
  assert.equal(rule.status, 201);
  assert.equal(rule.body.name, "slow p95");
  assert.equal(rule.body.keep_firing_s, 0);
  const id = rule.body.id;
  const put = await call("PUT", `/api/alerts/rules/${id}`, { ...RULE, threshold: 3 });
  assert.equal(put.status, 200);
  assert.equal(put.body.threshold, 3);
  assert.deepEqual(
    (await call("GET", "/api/alerts/rules")).body.rules.map((r: { id: string }) => r.id),
    [id],
  );
  const inUse = await call("DELETE", "/api/alerts/channels/oncall");
  assert.equal(inUse.status, 409);
  assert.match(inUse.body.error.message, /used by rule "slow p95"/);
  assert.equal((await call("DELETE", `/api/alerts/rules/${id}`)).status, 200);
  assert.equal((await call("DELETE", `/api/alerts/rules/${id}`)).status, 404);
  assert.equal((await call("PUT", "/api/alerts/rules/nope", RULE)).status, 404);
  assert.equal((await call("DELETE", "/api/alerts/channels/oncall")).status, 200);
  assert.equal((await call("DELETE", "/api/alerts/channels/oncall")).status, 404);
});

Deno.test("invalid rules and channels get 400 naming the field, what was expected and what was found", async () => {
  const { call } = setup();
  const cases: [string, unknown, RegExp, string][] = [
    [
      "/api/alerts/rules",
      { ...RULE, metric: "latency_p42_s" },
      /metric: expected one of "latency_p50_s".*found "latency_p42_s"/,
      "metric",
    ],
    [
      "/api/alerts/rules",
      RULE,
      /channels\.0: expected the name of a defined channel \(none is defined yet\), found "oncall"/,
      "channels.0",
    ],
    [
      "/api/alerts/rules",
      { ...RULE, channels: [], kind: "latency" },
      /kind: expected one of "metric", "drift", "health", found "latency"/,
      "kind",
    ],
    [
      "/api/alerts/rules",
      { ...RULE, channels: [], treshold: 2 },
      /treshold: unknown field/,
      "treshold",
    ],
    [
      "/api/alerts/rules",
      { ...RULE, channels: [], threshold: "2" },
      /threshold: expected a number, found "2"/,
      "threshold",
    ],
    [
      "/api/alerts/rules",
      { name: "lag", kind: "health", check: "consumer_lag", threshold: 5 },
      /group: expected a consumer group for check "consumer_lag", found nothing/,
      "group",
    ],
    [
      "/api/alerts/channels",
      { ...CHANNEL, url: "not a url" },
      /url: expected an absolute http:\/\/ or https:\/\/ URL, found "not a url"/,
      "url",
    ],
    [
      "/api/alerts/channels",
      { ...CHANNEL, type: "pager" },
      /type: expected one of "webhook", "slack", "email", "alertmanager", found "pager"/,
      "type",
    ],
    [
      "/api/alerts/channels",
      { ...CHANNEL, secret: "short" },
      /secret: expected at least 16 characters, found "short"/,
      "secret",
    ],
    [
      "/api/alerts/silences",
      { rule_id: "nope", duration_s: 60 },
      /rule_id: expected the id of a defined rule, found "nope"/,
      "rule_id",
    ],
  ];
  for (const [path, body, message, field] of cases) {
    const answer = await call("POST", path, body);
    assert.equal(answer.status, 400, `${path} ${JSON.stringify(body)}`);
    assert.equal(answer.body.error.code, "bad_request");
    assert.match(answer.body.error.message, message);
    assert.ok(
      answer.body.error.issues.some((i: { path: string }) => i.path === field),
      `issues name ${field}: ${JSON.stringify(answer.body.error.issues)}`,
    );
  }
  const text = await call("POST", "/api/alerts/rules", undefined);
  assert.equal(text.status, 415, "a body that is not JSON is refused before validation");
});

Deno.test("GET /api/alerts shows a silence in force; it can be lifted; a test notification is sent", async () => {
  const { call, deps } = setup();
  await call("POST", "/api/alerts/channels", CHANNEL);
  const rule = (await call("POST", "/api/alerts/rules", { ...RULE, id: "p95" })).body;
  const silence = await call("POST", "/api/alerts/silences", {
    rule_id: rule.id,
    duration_s: 3600,
    comment: "deploy window",
  });
  assert.equal(silence.status, 201);
  assert.equal(deps.alertRecords.at(-1)?.kind, "silence", "the silence is written as a record");
  const view = (await call("GET", "/api/alerts")).body;
  assert.deepEqual(view.silences.map((s: { silence_id: string }) => s.silence_id), [
    silence.body.silence_id,
  ]);
  for (
    const key of [
      "active",
      "firing",
      "pending",
      "history",
      "readings",
      "evaluator",
      "config_version",
    ]
  ) {
    assert.ok(key in view, `GET /api/alerts has ${key}`);
  }
  assert.equal(
    (await call("DELETE", `/api/alerts/silences/${silence.body.silence_id}`)).status,
    200,
  );
  assert.deepEqual((await call("GET", "/api/alerts")).body.silences, []);
  assert.equal(
    (await call("DELETE", `/api/alerts/silences/${silence.body.silence_id}`)).status,
    404,
  );

  const test = await call("POST", "/api/alerts/channels/oncall/test");
  assert.equal(test.status, 200);
  assert.deepEqual(test.body, { ok: true, attempts: 1 });
  assert.equal(deps.alertsSent[0].channel, "oncall");
  assert.equal(deps.alertsSent[0].notification.test, true);
  assert.equal((await call("POST", "/api/alerts/channels/nope/test")).status, 404);
});

Deno.test("every alerts write refuses cross-site browsers and text bodies, and every route needs the token", async () => {
  const { app, call } = setup(TOKEN);
  await call("POST", "/api/alerts/channels", CHANNEL);
  const writes: [string, string][] = [
    ["POST", "/api/alerts/rules"],
    ["PUT", "/api/alerts/rules/x"],
    ["DELETE", "/api/alerts/rules/x"],
    ["POST", "/api/alerts/channels"],
    ["DELETE", "/api/alerts/channels/oncall"],
    ["POST", "/api/alerts/channels/oncall/test"],
    ["POST", "/api/alerts/silences"],
    ["DELETE", "/api/alerts/silences/x"],
  ];
  for (const [method, path] of writes) {
    const crossSite = await app.request(`${BASE}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        origin: "https://evil.example",
        "sec-fetch-site": "cross-site",
        "content-type": "application/json",
      },
      body: method === "DELETE" ? undefined : JSON.stringify(RULE),
    });
    assert.equal(crossSite.status, 403, `${method} ${path} from another site`);
    const anonymous = await app.request(`${BASE}${path}`, { method });
    assert.equal(anonymous.status, 401, `${method} ${path} without the token`);
  }
  for (const path of ["/api/alerts", "/api/alerts/rules", "/api/alerts/channels"]) {
    assert.equal(
      (await app.request(`${BASE}${path}`)).status,
      401,
      `GET ${path} without the token`,
    );
  }
  const plain = await app.request(`${BASE}/api/alerts/rules`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "text/plain" },
    body: JSON.stringify(RULE),
  });
  assert.equal(plain.status, 415);
  assert.equal(
    (await call("GET", "/api/alerts/channels")).body.channels.length,
    1,
    "nothing changed",
  );
});
