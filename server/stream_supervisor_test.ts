/** One stream at a time, with small in-memory job doubles. */
import assert from "node:assert/strict";
import { idleStreamStatus, type StreamState } from "../lib/stream/mod.ts";
import { StreamBusyError, StreamSupervisor, type SupervisedJob } from "./stream_supervisor.ts";

/** A job double that runs until stopped. */
class JobDouble implements SupervisedJob {
  state: StreamState = "idle";
  started = 0;
  #finish: () => void = () => {};
  constructor(readonly id: string) {}
  start() {
    this.started++;
    this.state = "running";
    return new Promise<void>((resolve) => (this.#finish = resolve));
  }
  stop() {
    if (this.state === "running") this.state = "finished";
    this.#finish();
    return Promise.resolve();
  }
  status() {
    return { ...idleStreamStatus(), job_id: this.id, state: this.state, file: "quick_test.json" };
  }
}

Deno.test("concurrent starts create exactly one job; the others are refused naming it", async () => {
  const streams = new StreamSupervisor();
  const jobs: JobDouble[] = [];
  const create = async () => {
    await new Promise((r) => setTimeout(r, 20)); // loading the dataset
    const job = new JobDouble(`job-${jobs.length}`);
    jobs.push(job);
    return job;
  };
  const results = await Promise.allSettled([0, 1, 2, 3, 4].map(() => streams.start(create)));
  assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
  assert.equal(jobs.length, 1, "one job was ever created");
  for (const r of results) {
    if (r.status === "rejected") assert.ok(r.reason instanceof StreamBusyError);
  }
  await assert.rejects(streams.start(create), /already running: job job-0 \(quick_test.json\)/);
  const stopped = await streams.stop();
  assert.equal(stopped.state, "finished");
  assert.equal(jobs[0].state, "finished", "stop stopped the one job that ran");
  const again = await streams.start(create);
  assert.equal(again.state, "running", "after a stop a new stream may start");
  await streams.stop();
});

Deno.test("a stop while a job is being created means it never starts", async () => {
  const streams = new StreamSupervisor();
  let job: JobDouble | null = null;
  const starting = streams.start(async () => {
    await new Promise((r) => setTimeout(r, 30));
    return (job = new JobDouble("slow"));
  });
  const stopped = await streams.stop();
  await starting;
  assert.equal(job!.started, 0);
  assert.notEqual(stopped.state, "running");
  assert.equal(streams.status().state, "idle");
});
