import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { sampleNotification, startReceiver } from "../_testing.ts";
import { parseChannel } from "./config.ts";
import { DeliveryError } from "./types.ts";
import { sendWebhook, signBody, verifySignature } from "./webhook.ts";

const SECRET = "a-shared-secret-of-32-characters";

Deno.test("a local receiver gets the webhook body with every documented field and a valid signature", async () => {
  const receiver = startReceiver();
  try {
    const channel = parseChannel({
      name: "oncall",
      type: "webhook",
      url: `${receiver.url}/hooks/alerts`,
      secret: SECRET,
    });
    assert.ok(channel.type === "webhook");
    const n = sampleNotification();
    await sendWebhook(channel, n, { dashboardUrl: "http://127.0.0.1:8000/" });
    assert.equal(receiver.requests.length, 1);
    const [request] = receiver.requests;
    assert.equal(request.method, "POST");
    assert.equal(request.path, "/hooks/alerts");
    assert.equal(request.headers.get("content-type"), "application/json");
    assert.equal(request.headers.get("idempotency-key"), n.key);
    // The receiver's side, with Node's HMAC (not the code under test): hex HMAC-SHA256 of the
    // exact bytes received.
    const expected = `sha256=${createHmac("sha256", SECRET).update(request.body).digest("hex")}`;
    assert.equal(request.headers.get("x-llmops-signature"), expected);
    assert.equal(await verifySignature(SECRET, request.body, expected), true);
    const body = JSON.parse(new TextDecoder().decode(request.body));
    assert.equal(body.rule, "slow p95");
    assert.equal(body.state, "firing");
    assert.equal(body.value, 2.345);
    assert.equal(body.threshold, 2);
    assert.equal(body.severity, "warning");
    assert.deepEqual(body.labels, n.labels);
    assert.equal(body.started_at, new Date(n.started_at).toISOString());
    assert.equal(body.fingerprint, n.fingerprint);
    assert.equal(body.dashboard_url, `http://127.0.0.1:8000/#alerts/${n.fingerprint}`);
    assert.equal(body.idempotency_key, n.key);
  } finally {
    await receiver.stop();
  }
});

Deno.test("a tampered body or a wrong secret does not verify", async () => {
  const body = new TextEncoder().encode('{"state":"firing"}');
  const signature = await signBody(SECRET, body);
  assert.equal(await verifySignature(SECRET, body, signature), true);
  const tampered = new TextEncoder().encode('{"state":"resolved"}');
  assert.equal(await verifySignature(SECRET, tampered, signature), false);
  assert.equal(await verifySignature(`${SECRET}x`, body, signature), false);
  assert.equal(await verifySignature(SECRET, body, null), false);
});

Deno.test("without a secret no signature header is sent", async () => {
  const receiver = startReceiver();
  try {
    const channel = parseChannel({ name: "plain", type: "webhook", url: receiver.url });
    assert.ok(channel.type === "webhook");
    await sendWebhook(channel, sampleNotification(), {});
    assert.equal(receiver.requests[0].headers.get("x-llmops-signature"), null);
    assert.equal(
      JSON.parse(new TextDecoder().decode(receiver.requests[0].body)).dashboard_url,
      null,
    );
  } finally {
    await receiver.stop();
  }
});

Deno.test("5xx and 429 answers are retryable failures, 4xx answers final ones", async () => {
  let status = 503;
  const receiver = startReceiver({ respond: () => new Response("busy", { status }) });
  try {
    const channel = parseChannel({ name: "w", type: "webhook", url: receiver.url });
    assert.ok(channel.type === "webhook");
    for (
      const [code, retryable] of [[503, true], [429, true], [404, false], [400, false]] as const
    ) {
      status = code;
      await assert.rejects(sendWebhook(channel, sampleNotification(), {}), (error) => {
        assert.ok(error instanceof DeliveryError);
        assert.equal(error.status, code);
        assert.equal(error.retryable, retryable, `HTTP ${code}`);
        return true;
      });
    }
  } finally {
    await receiver.stop();
  }
});
