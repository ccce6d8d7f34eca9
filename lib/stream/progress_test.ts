import assert from "node:assert/strict";
import type { StreamStatus, StreamSummary } from "./engine.ts";
import {
  formatProgressBar,
  formatProgressLine,
  formatSummary,
  ProgressReporter,
} from "./progress.ts";

/** Waits (real time) until `check` holds, at most 5 s. */
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}

function status(overrides: Partial<StreamStatus> = {}): StreamStatus {
  return {
    job_id: "j",
    state: "running",
    file: "datasets/quick_test.json",
    total_planned: 10,
    sent: 5,
    succeeded: 4,
    failed: 1,
    failed_by_type: { timeout: 1 },
    in_flight: 0,
    abandoned: 0,
    elapsed_s: 64.2,
    rate_per_s: 1.25,
    progress: 0.5,
    stop_reason: null,
    ...overrides,
  };
}

Deno.test("the progress bar shows the share done, counts, rate and elapsed time", () => {
  assert.equal(
    formatProgressBar(status()),
    "[############------------]  50% sent 5/10 ok 4 failed 1 in flight 0 1.25/s 01:04",
  );
  assert.equal(
    formatProgressBar(status({ total_planned: null, progress: null, sent: 7, state: "stopping" })),
    "sent 7 ok 4 failed 1 in flight 0 1.25/s 01:04 (stopping)",
  );
});

Deno.test("the plain progress line names every counter", () => {
  assert.equal(
    formatProgressLine(status({ in_flight: 2 })),
    "progress: sent 5/10, succeeded 4, failed 1, in flight 2, 1.25 sends/s, elapsed 64.2 s",
  );
});

Deno.test("the summary block lists counts, failure types, percentiles and the stop reason", () => {
  const summary: StreamSummary = {
    job_id: "j",
    file: "datasets/quick_test.json",
    stop_reason: "end_of_file",
    sent: 10,
    succeeded: 8,
    failed: 2,
    abandoned: 0,
    failed_by_type: { timeout: 1, response_timeout: 1 },
    throughput_per_s: 0.5,
    latency_s: { p50: 1.2, p95: 2.5, p99: 2.9 },
    end_to_end_s: { p50: 1.4, p95: 3, p99: 3.2 },
    ttft_s: { p50: 0.15, p95: null },
    tokens_per_s: { avg: 21.25 },
    completion_tokens: 190,
    elapsed_s: 16,
    request_ids: [],
    failures: [{ request_id: "r1", type: "response_timeout", message: "no response" }],
    failure_reason: null,
  };
  const text = formatSummary(summary);
  assert.match(text, /^Stream summary \(datasets\/quick_test\.json\)$/m);
  assert.match(text, /^ {2}failed {8}2 \(response_timeout: 1, timeout: 1\)$/m);
  assert.match(text, /^ {2}elapsed {7}16\.0 s \(end of file\)$/m);
  assert.match(text, /latency {7}p50 1\.200 s {2}p95 2\.500 s {2}p99 2\.900 s/);
  assert.match(text, /TTFT {10}p50 0\.150 s {2}p95 -/);
  assert.match(text, /tokens\/s {6}avg 21\.3 {2}\(190 completion tokens\)/);
  assert.match(text, /failure {7}response_timeout r1: no response/);
  assert.doesNotMatch(text, /abandoned/);
  assert.doesNotMatch(text, /reason/);
  const why = formatSummary({ ...summary, failure_reason: "no LLM worker is consuming x" });
  assert.match(why, /^ {2}reason {8}no LLM worker is consuming x$/m);
});

Deno.test("on a terminal the reporter redraws one line with \\r and ends it on stop", async () => {
  const out: string[] = [];
  let sent = 0;
  const reporter = new ProgressReporter({
    status: () => status({ sent: ++sent }),
    write: (t) => out.push(t),
    terminal: true,
    redrawMs: 10,
  });
  reporter.start();
  await until(() => out.length >= 3);
  reporter.stop();
  assert.ok(out.length >= 4, `drawn ${out.length} times`);
  assert.ok(out.slice(0, -1).every((t) => t.startsWith("\r") && !t.includes("\n")));
  assert.equal(out.at(-1), "\n");
});

Deno.test("off a terminal the reporter writes one plain line per period", async () => {
  const out: string[] = [];
  const reporter = new ProgressReporter({
    status: () => status(),
    write: (t) => out.push(t),
    terminal: false,
    intervalMs: 20,
  });
  reporter.start();
  assert.equal(out.length, 0, "nothing is written before the first period");
  await until(() => out.length >= 2);
  reporter.stop();
  assert.ok(out.length >= 2, `wrote ${out.length} lines`);
  assert.ok(out.every((t) => t.startsWith("progress: ") && t.endsWith("\n")));
});
