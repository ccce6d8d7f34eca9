import assert from "node:assert/strict";
import { streamProgress } from "./auto_tab.tsx";
import { validateTestInput } from "./test_tab.tsx";
import type { StreamStatus } from "../types.ts";

const status = (over: Partial<StreamStatus>): StreamStatus => ({
  state: "running",
  file: "quick_test.json",
  total_planned: 10,
  sent: 0,
  succeeded: 0,
  failed: 0,
  in_flight: 0,
  elapsed_s: 0,
  rate_per_s: null,
  progress: null,
  ...over,
});

Deno.test("stream progress comes from the server, as a share or a percentage", () => {
  assert.equal(streamProgress(status({ progress: 0.4 })), 0.4);
  assert.equal(streamProgress(status({ progress: 40 })), 0.4);
  assert.equal(streamProgress(status({ progress: 1.5, total_planned: null })), 0.015);
});

Deno.test("without a progress field it is the finished share of the planned requests", () => {
  assert.equal(streamProgress(status({ succeeded: 3, failed: 1 })), 0.4);
  assert.equal(streamProgress(status({ succeeded: 30, failed: 1 })), 1);
});

Deno.test("a looping stream has no progress", () => {
  assert.equal(streamProgress(status({ total_planned: null })), null);
  assert.equal(streamProgress(null), null);
});

Deno.test("the test form refuses an empty prompt and out-of-range parameters", () => {
  assert.equal(validateTestInput("hi", 0.7, 256), null);
  assert.match(validateTestInput("   ", 0.7, 256)!, /prompt/);
  assert.match(validateTestInput("hi", 2.5, 256)!, /Temperature/);
  assert.match(validateTestInput("hi", Number.NaN, 256)!, /Temperature/);
  assert.match(validateTestInput("hi", 0.7, 0)!, /Max tokens/);
  assert.match(validateTestInput("hi", 0.7, 1.5)!, /Max tokens/);
  assert.match(validateTestInput("hi", 0.7, 9000)!, /Max tokens/);
});
