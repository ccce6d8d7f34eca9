/** The fix of kafkajs' request queue timer: unit checks and a real broker connection. */
import assert from "node:assert/strict";
// @ts-types="./_request_queue.d.ts"
import RequestQueue from "kafkajs/src/network/requestQueue/index.js";
import { INTEGRATION, integrationConfig } from "../stack/testing.ts";
import { createKafka } from "./client.ts";
import {
  applyRequestQueueFix,
  CHECK_PENDING_REQUESTS_INTERVAL_MS,
  nextCheckDelay,
} from "./request_queue_fix.ts";

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const queue = () =>
  new RequestQueue({
    maxInFlightRequests: null,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: "test",
    broker: "127.0.0.1:0",
    logger: silent,
    isConnected: () => true,
  });

Deno.test("the next check is never negative and is skipped with nothing pending and no throttle", () => {
  const now = 1_796_182_812_764;
  assert.equal(nextCheckDelay({ pending: 0, throttledUntil: -1, now }), null);
  assert.equal(
    nextCheckDelay({ pending: 3, throttledUntil: -1, now }),
    CHECK_PENDING_REQUESTS_INTERVAL_MS,
  );
  assert.equal(nextCheckDelay({ pending: 3, throttledUntil: now + 40, now }), 40);
  assert.equal(nextCheckDelay({ pending: 0, throttledUntil: now + 40, now }), 40);
  assert.equal(nextCheckDelay({ pending: 1, throttledUntil: now, now }), 10, "marginal throttle");
});

Deno.test("the patched queue schedules no timer when idle, one for a throttle, and installs once", () => {
  assert.equal(applyRequestQueueFix(), false, "importing the module installed the fix already");
  const idle = queue();
  idle.scheduleCheckPendingRequests();
  assert.equal(idle.throttleCheckTimeoutId, null, "an idle queue keeps no timer");

  const throttled = queue();
  let checks = 0;
  throttled.checkPendingRequests = () => checks++;
  throttled.maybeThrottle(5_000);
  throttled.scheduleCheckPendingRequests();
  assert.notEqual(throttled.throttleCheckTimeoutId, null, "a throttle end is still checked");
  const first = throttled.throttleCheckTimeoutId;
  throttled.scheduleCheckPendingRequests();
  assert.equal(throttled.throttleCheckTimeoutId, first, "one scheduled check at a time");
  throttled.destroy();
  assert.equal(checks, 0);
});

Deno.test({
  name: "an idle admin connection to the real broker no longer polls its queue every millisecond",
  ...INTEGRATION,
  async fn() {
    const config = integrationConfig();
    const proto = RequestQueue.prototype;
    const fixed = proto.scheduleCheckPendingRequests;
    let calls = 0;
    proto.scheduleCheckPendingRequests = function (this: RequestQueue) {
      calls++;
      return fixed.call(this);
    };
    const admin = createKafka(config.kafka.brokers, "request-queue-fix-test").admin();
    try {
      await admin.connect();
      await admin.listTopics();
      calls = 0;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      // kafkajs' own method is called about 400 times in this second (a 1 ms loop); the fixed
      // one only when a request completes, which an idle connection does not do
      assert.ok(
        calls <= 5,
        `expected an idle queue to be left alone, found ${calls} checks in 1 s`,
      );
    } finally {
      proto.scheduleCheckPendingRequests = fixed;
      await admin.disconnect();
    }
  },
});
