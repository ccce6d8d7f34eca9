import assert from "node:assert/strict";
import { DatasetError } from "./dataset.ts";
import { StreamJob, type StreamStatus } from "./engine.ts";
import { type DoubleAnswer, FakeClock, InMemoryLlmClientDouble } from "./testing.ts";

const PROMPTS = ["one", "two", "three", "four", "five"];

function setup(answer: (seq: number) => DoubleAnswer) {
  const clock = new FakeClock();
  const client = new InMemoryLlmClientDouble(clock, (_input, seq) => answer(seq));
  return { clock, client };
}

Deno.test("a job counts successes, error responses by type, and timed-out responses", async () => {
  const { clock, client } = setup((seq) => {
    if (seq === 1) return { kind: "error", afterMs: 300, type: "model_not_found" };
    if (seq === 3) return { kind: "never" };
    return { kind: "success", afterMs: 1000 + seq * 100, overrides: { ttft_ms: 100 * (seq + 1) } };
  });
  const job = new StreamJob({
    client,
    clock,
    entries: PROMPTS,
    file: "datasets/five.json",
    delayS: 1,
    timeoutS: 30,
  });
  const summary = await clock.run(job.start());
  assert.equal(summary.sent, 5);
  assert.equal(summary.succeeded, 3);
  assert.equal(summary.failed, 2);
  assert.deepEqual(summary.failed_by_type, { model_not_found: 1, response_timeout: 1 });
  assert.equal(summary.abandoned, 0);
  assert.equal(summary.stop_reason, "end_of_file");
  assert.deepEqual(summary.request_ids, client.submitted.map((s) => s.request_id));
  const timeout = summary.failures.find((f) => f.type === "response_timeout")!;
  assert.equal(timeout.request_id, client.submitted[3].request_id);
  assert.match(timeout.message, /within 30000 ms/);
  // sends at 0..4000; the timed-out one (sent at 3000) settles at 33000, the last event.
  assert.equal(summary.elapsed_s, 33);
  // latencies of the successes: 1.0, 1.2, 1.4 s (seq 0, 2, 4)
  assert.equal(summary.latency_s.p50, 1.2);
  assert.ok(Math.abs(summary.latency_s.p95! - 1.38) < 1e-9);
  assert.deepEqual(summary.end_to_end_s.p50, 1.2);
  assert.equal(summary.ttft_s.p50, 0.3);
  assert.equal(summary.throughput_per_s, 3 / 33);
  assert.equal(summary.tokens_per_s.avg, 10.5);
  assert.equal(job.status().state, "finished");
  assert.equal(job.status().progress, 1);
});

Deno.test("a job tags each request and applies its overrides over the entries' params", async () => {
  const { clock, client } = setup(() => ({ kind: "success", afterMs: 10 }));
  const job = new StreamJob({
    client,
    clock,
    entries: [
      { prompt: "a", params: { temperature: 1.5, top_p: 0.5 }, user_id: "alice", tags: { k: "v" } },
      { prompt: "b", model: "other" },
    ],
    file: "/x/quick_test.json",
    delayS: 0,
    maxTokens: 24,
    temperature: 0.1,
    userId: "loadtest",
    jobId: "job-1",
  });
  await clock.run(job.start());
  const [a, b] = client.submitted.map((s) => s.input);
  assert.deepEqual(a.params, { temperature: 0.1, top_p: 0.5, num_predict: 24 });
  assert.equal(a.user_id, "alice");
  assert.equal(b.user_id, "loadtest");
  assert.equal(b.model, "other");
  assert.equal(a.source, "stream");
  assert.equal(a.dataset, "quick_test");
  assert.deepEqual(a.tags, { k: "v", stream_job: "job-1", dataset_index: "0" });
  assert.deepEqual(b.tags, { stream_job: "job-1", dataset_index: "1" });
});

Deno.test("a refused submit counts as a submit_error failure and the job goes on", async () => {
  const { clock, client } = setup((seq) =>
    seq === 0 ? { kind: "reject_submit", message: "broker down" } : { kind: "success", afterMs: 50 }
  );
  const job = new StreamJob({ client, clock, entries: PROMPTS.slice(0, 3), delayS: 0 });
  const summary = await clock.run(job.start());
  assert.equal(summary.sent, 3);
  assert.equal(summary.succeeded, 2);
  assert.deepEqual(summary.failed_by_type, { submit_error: 1 });
  assert.deepEqual(summary.failures, [{
    request_id: null,
    type: "submit_error",
    message: "broker down",
  }]);
  assert.equal(summary.request_ids.length, 2);
});

Deno.test("stop() stops sending and waits for the responses already sent", async () => {
  const { clock, client } = setup(() => ({ kind: "success", afterMs: 5000 }));
  const job = new StreamJob({ client, clock, entries: PROMPTS, loop: true, rate: 1 });
  const done = job.start();
  await clock.advanceTo(2500); // sends at 0, 1000, 2000
  assert.equal(job.status().in_flight, 3);
  const stopped = job.stop();
  assert.equal(job.status().state, "stopping");
  const summary = await clock.run(stopped);
  assert.equal(await done, summary);
  assert.equal(summary.sent, 3);
  assert.equal(summary.succeeded, 3);
  assert.equal(summary.stop_reason, "stopped");
  assert.equal(summary.elapsed_s, 7); // the last response, sent at 2000, came at 7000
});

Deno.test("stop({abandon: true}) finishes at once and counts the outstanding requests as abandoned", async () => {
  const { clock, client } = setup(() => ({ kind: "success", afterMs: 5000 }));
  const job = new StreamJob({ client, clock, entries: PROMPTS, loop: true, rate: 1 });
  job.start();
  await clock.advanceTo(5500); // 0..5000 sent; the first response came at 5000
  const summary = await clock.run(job.stop({ abandon: true }));
  assert.equal(summary.sent, 6);
  assert.equal(summary.succeeded, 1);
  assert.equal(summary.abandoned, 5);
  assert.equal(summary.elapsed_s, 5.5);
  await clock.advanceTo(20_000); // late responses change nothing
  assert.equal(job.summary().succeeded, 1);
  assert.equal(job.status().in_flight, 0);
});

Deno.test("status reports planned total, in-flight and progress while a job runs", async () => {
  const { clock, client } = setup(() => ({ kind: "success", afterMs: 1500 }));
  const seen: StreamStatus[] = [];
  const job = new StreamJob({ client, clock, entries: PROMPTS, count: 4, delayS: 1 });
  job.onProgress((s) => seen.push(s));
  assert.equal(job.status().state, "idle");
  job.start();
  await clock.advanceTo(2000); // sends at 0, 1000, 2000; first response at 1500
  const status = job.status();
  assert.equal(status.state, "running");
  assert.equal(status.total_planned, 4);
  assert.equal(status.sent, 3);
  assert.equal(status.succeeded, 1);
  assert.equal(status.in_flight, 2);
  assert.equal(status.progress, 0.25);
  assert.equal(status.elapsed_s, 2);
  assert.equal(status.rate_per_s, 1.5);
  await clock.run(job.finished());
  assert.equal(seen.at(-1)!.state, "finished");
  assert.equal(seen.at(-1)!.succeeded, 4);
  assert.ok(seen.some((s) => s.in_flight === 2));
});

Deno.test("a duration job reports progress against time and a null planned total", async () => {
  const { clock, client } = setup(() => ({ kind: "success", afterMs: 200 }));
  const job = new StreamJob({
    client,
    clock,
    entries: PROMPTS,
    loop: true,
    durationS: 10,
    rate: 1,
  });
  job.start();
  await clock.advanceTo(5000);
  assert.equal(job.status().total_planned, null);
  assert.equal(job.status().progress, 0.5);
  const summary = await clock.run(job.finished());
  assert.equal(summary.sent, 10);
  assert.equal(summary.stop_reason, "duration");
  assert.equal(summary.elapsed_s, 9.2);
});

Deno.test("a job rejects bad options and bad entries before sending anything", () => {
  const clock = new FakeClock();
  const client = new InMemoryLlmClientDouble(clock, () => ({ kind: "success", afterMs: 1 }));
  assert.throws(
    () => new StreamJob({ client, entries: ["a"], delayS: -2 }),
    /delay must be a number ≥ 0/,
  );
  assert.throws(
    () => new StreamJob({ client, entries: ["a"], maxTokens: 0 }),
    /max-tokens must be/,
  );
  assert.throws(
    () => new StreamJob({ client, entries: ["a"], temperature: 3 }),
    /temperature must be in \[0, 2\]/,
  );
  assert.throws(
    () => new StreamJob({ client, entries: ["a"], timeoutS: 0 }),
    /timeout must be > 0/,
  );
  assert.throws(() => new StreamJob({ client, entries: [] }), /at least one prompt/);
  assert.throws(
    () => new StreamJob({ client, entries: ["ok", ""], file: "mine.json" }),
    (e: unknown) =>
      e instanceof DatasetError && e.index === 1 && /mine\.json: entry 1/.test(e.message),
  );
  assert.equal(client.submitted.length, 0);
});

Deno.test("start() twice is an error", async () => {
  const { clock, client } = setup(() => ({ kind: "success", afterMs: 1 }));
  const job = new StreamJob({ client, clock, entries: ["a"] });
  const done = job.start();
  assert.throws(() => job.start(), /already started/);
  await clock.run(done);
});
