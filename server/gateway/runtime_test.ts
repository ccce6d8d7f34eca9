/** The gateway's settings from the environment: defaults, bounds and errors that say why. */
import assert from "node:assert/strict";
import { DEFAULT_GATEWAY_PORT, gatewaySettings } from "./runtime.ts";
import { GATEWAY_MAX_BODY_BYTES } from "./app.ts";

Deno.test("with nothing set the gateway listens on loopback:11435 with its default bounds", () => {
  const s = gatewaySettings({});
  assert.equal(s.hostname, "127.0.0.1");
  assert.equal(s.port, DEFAULT_GATEWAY_PORT);
  assert.equal(s.port, 11435);
  assert.equal(s.maxBodyBytes, GATEWAY_MAX_BODY_BYTES);
  assert.equal(s.bufferEvents, 50_000);
  assert.equal(s.bufferBytes, 64 * 1024 * 1024);
});

Deno.test("each variable is read and checked", () => {
  const s = gatewaySettings({
    LLMOPS_HOST: "0.0.0.0",
    LLMOPS_GATEWAY_PORT: "9000",
    LLMOPS_GATEWAY_MAX_BODY_BYTES: "2048",
    LLMOPS_GATEWAY_BUFFER_EVENTS: "100",
    LLMOPS_GATEWAY_BUFFER_MB: "2",
  });
  assert.deepEqual(s, {
    hostname: "0.0.0.0",
    port: 9000,
    maxBodyBytes: 2048,
    bufferEvents: 100,
    bufferBytes: 2 * 1024 * 1024,
  });
  assert.throws(
    () => gatewaySettings({ LLMOPS_GATEWAY_PORT: "70000" }),
    /LLMOPS_GATEWAY_PORT must be an integer from 1 to 65535, found "70000"/,
  );
  assert.throws(() => gatewaySettings({ LLMOPS_GATEWAY_BUFFER_EVENTS: "1" }), RangeError);
  assert.throws(() => gatewaySettings({ LLMOPS_GATEWAY_BUFFER_MB: "lots" }), RangeError);
  assert.throws(() => gatewaySettings({ LLMOPS_GATEWAY_MAX_BODY_BYTES: "-5" }), RangeError);
});
