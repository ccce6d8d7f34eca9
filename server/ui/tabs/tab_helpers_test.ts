import assert from "node:assert/strict";
import { streamProgress } from "./auto_tab.tsx";
import { validateTestInput } from "./test_tab.tsx";
import { matches, SOURCES } from "./stream_tab.tsx";
import { sampleResponse } from "../../../lib/events/testing.ts";
import { LIMITS } from "../../../lib/events/limits.ts";
import { idleStreamStatus } from "../../../lib/stream/idle_status.ts";
import type { StreamStatus } from "../types.ts";

const status = (over: Partial<StreamStatus>): StreamStatus => ({
  ...idleStreamStatus(),
  state: "running",
  file: "quick_test.json",
  total_planned: 10,
  ...over,
});

Deno.test("stream progress is the engine's completed share of the plan, within [0, 1]", () => {
  assert.equal(streamProgress(status({ progress: 0.4 })), 0.4);
  assert.equal(streamProgress(status({ progress: 1 })), 1);
  assert.equal(streamProgress(status({ progress: 1.5 })), 1);
  assert.equal(streamProgress(status({ progress: -0.1 })), 0);
});

Deno.test("a looping stream, or no status yet, has no progress", () => {
  assert.equal(streamProgress(status({ total_planned: null, progress: null })), null);
  assert.equal(streamProgress(status({ progress: Number.NaN })), null);
  assert.equal(streamProgress(null), null);
});

Deno.test("the test form refuses an empty prompt and out-of-range parameters", () => {
  assert.equal(validateTestInput("hi", 0.7, 256), null);
  assert.match(validateTestInput("   ", 0.7, 256)!, /prompt/);
  assert.match(validateTestInput("hi", 2.5, 256)!, /Temperature/);
  assert.match(validateTestInput("hi", Number.NaN, 256)!, /Temperature/);
  assert.match(validateTestInput("hi", 0.7, 0)!, /Max tokens/);
  assert.match(validateTestInput("hi", 0.7, 1.5)!, /Max tokens/);
  assert.equal(validateTestInput("hi", 0.7, LIMITS.maxTokens), null);
  assert.match(validateTestInput("hi", 0.7, LIMITS.maxTokens + 1)!, /Max tokens/);
  assert.match(
    validateTestInput("hi", 0.7, LIMITS.maxTokens + 1)!,
    new RegExp(`${LIMITS.maxTokens}`),
  );
});

Deno.test("the Response Stream's source filter keeps one source's responses, with the others", () => {
  const gateway = sampleResponse({ source: "gateway", prompt: "What is Kafka?" });
  const test = sampleResponse({
    source: "test",
    status: "error",
    error: { type: "timeout", message: "slow" },
  });
  const all = [gateway, test];
  assert.deepEqual(all.filter((e) => matches(e, "all", "gateway", "")), [gateway]);
  assert.deepEqual(all.filter((e) => matches(e, "all", "all", "")), all);
  assert.deepEqual(all.filter((e) => matches(e, "error", "gateway", "")), []);
  assert.deepEqual(all.filter((e) => matches(e, "all", "gateway", "kafka")), [gateway]);
  assert.deepEqual(all.filter((e) => matches(e, "all", "otlp", "")), []);
  assert.deepEqual([...SOURCES], ["test", "stream", "api", "notebook", "gateway", "otlp"]);
});
