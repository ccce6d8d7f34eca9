/** The settings of a long-lived group member. */
import assert from "node:assert/strict";
import { memberConfig } from "./member_config.ts";

Deno.test("a member retries the broker without end and restarts after a crash", async () => {
  const config = memberConfig("mlflow-feedback");
  assert.equal(config.groupId, "mlflow-feedback");
  assert.equal(config.allowAutoTopicCreation, false);
  assert.equal(config.sessionTimeout, 30_000);
  assert.equal(config.heartbeatInterval, 3_000);
  assert.equal(config.retry?.retries, Number.MAX_SAFE_INTEGER);
  assert.equal(config.retry?.initialRetryTime, 300);
  assert.equal(config.retry?.maxRetryTime, 5_000);
  assert.equal(await config.retry?.restartOnFailure?.(new Error("crashed")), true);
});

Deno.test("extra settings are added, and replace the defaults they name", () => {
  const assigner = () => ({}) as never;
  const config = memberConfig("g", { sessionTimeout: 60_000, partitionAssigners: [assigner] });
  assert.equal(config.sessionTimeout, 60_000);
  assert.deepEqual(config.partitionAssigners, [assigner]);
  assert.equal(config.heartbeatInterval, 3_000);
  assert.equal(memberConfig("g").sessionTimeout, 30_000, "one member's extras leak into no other");
});
