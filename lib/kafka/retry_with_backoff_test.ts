/** Retrying with backoff, driven by a fake clock and a unit of work that fails on demand. */
import assert from "node:assert/strict";
import { backoffMs, type RetryStatus, retryWithBackoff } from "./retry_with_backoff.ts";

/** A clock whose sleeps return at once and move time on by what was asked. */
class FakeClock {
  time = 0;
  sleeps: number[] = [];
  now = () => this.time;
  sleep = (ms: number) => {
    this.sleeps.push(ms);
    this.time += ms;
    return Promise.resolve();
  };
}

/** Work that throws the errors it is given, one per call, then answers `result`. */
class FlakyWork<T> {
  calls = 0;
  constructor(readonly failures: Error[], readonly result: T) {}
  run = () => {
    const error = this.failures[this.calls++];
    return error ? Promise.reject(error) : Promise.resolve(this.result);
  };
}

const freshStatus = (): RetryStatus => ({ retrying: false, lastError: null });

Deno.test("the wait doubles from 500 ms after each failure, stops doubling after the tenth and never passes the cap", () => {
  assert.deepEqual([1, 2, 3, 4].map((a) => backoffMs(a, 10_000)), [500, 1_000, 2_000, 4_000]);
  assert.equal(backoffMs(6, 10_000), 10_000);
  assert.equal(backoffMs(10, Infinity), 256_000);
  assert.equal(backoffMs(25, Infinity), 256_000);
});

Deno.test("failures are retried with backoff, heartbeating every second of the wait, until the work succeeds", async () => {
  const clock = new FakeClock();
  const work = new FlakyWork([new Error("down 1"), new Error("down 2"), new Error("down 3")], 42);
  const status = freshStatus();
  const seen: { attempt: number; message: string; status: RetryStatus }[] = [];
  let heartbeats = 0;
  const result = await retryWithBackoff(work.run, {
    status,
    live: () => true,
    heartbeat: () => {
      heartbeats++;
      return Promise.reject(new Error("a failed heartbeat is ignored"));
    },
    onError: (error, attempt) =>
      seen.push({ attempt, message: error.message, status: { ...status } }),
    maxBackoffMs: 1_500,
    now: clock.now,
    sleep: clock.sleep,
  });
  assert.equal(result, 42);
  assert.equal(work.calls, 4);
  assert.deepEqual(seen, [
    { attempt: 1, message: "down 1", status: { retrying: true, lastError: "down 1" } },
    { attempt: 2, message: "down 2", status: { retrying: true, lastError: "down 2" } },
    { attempt: 3, message: "down 3", status: { retrying: true, lastError: "down 3" } },
  ]);
  // 500, 1000, then 2000 capped at 1500 (a second, then the rest)
  assert.deepEqual(clock.sleeps, [500, 1_000, 1_000, 500]);
  assert.equal(heartbeats, 4);
  // success ends `retrying`; the last error stays for the health report
  assert.deepEqual(status, { retrying: false, lastError: "down 3" });
});

Deno.test("a member that stops in the middle of a wait gets null and the work is not tried again", async () => {
  const clock = new FakeClock();
  const work = new FlakyWork(Array.from({ length: 5 }, () => new Error("down")), "never");
  let heartbeats = 0;
  const status = freshStatus();
  const result = await retryWithBackoff(work.run, {
    status,
    live: () => heartbeats < 3,
    heartbeat: () => {
      heartbeats++;
      return Promise.resolve();
    },
    now: clock.now,
    sleep: clock.sleep,
  });
  assert.equal(result, null);
  // waits of 500 ms and 1 s, then the first second of the 2 s wait: the member stopped there
  assert.deepEqual(clock.sleeps, [500, 1_000, 1_000]);
  assert.equal(work.calls, 3);
  assert.deepEqual(status, { retrying: true, lastError: "down" });
});

Deno.test("a permanent error is thrown at once: no further wait, listener call or status change", async () => {
  const clock = new FakeClock();
  const refused = new RangeError("refused for good");
  const work = new FlakyWork([new Error("down"), refused], 1);
  const status = freshStatus();
  const attempts: number[] = [];
  await assert.rejects(
    retryWithBackoff(work.run, {
      status,
      live: () => true,
      heartbeat: () => Promise.resolve(),
      onError: (_, attempt) => attempts.push(attempt),
      isPermanent: (error) => error instanceof RangeError,
      now: clock.now,
      sleep: clock.sleep,
    }),
    (error) => error === refused,
  );
  assert.equal(work.calls, 2);
  assert.deepEqual(attempts, [1]);
  assert.deepEqual(clock.sleeps, [500]);
  assert.deepEqual(status, { retrying: true, lastError: "down" });
});

Deno.test("with heartbeatEveryMs the member also heartbeats while the work runs, and stops once it is done", async () => {
  let heartbeats = 0;
  const result = await retryWithBackoff(
    () => new Promise<string>((resolve) => setTimeout(() => resolve("slow"), 60)),
    {
      status: freshStatus(),
      live: () => true,
      heartbeat: () => {
        heartbeats++;
        return Promise.resolve();
      },
      heartbeatEveryMs: 10,
    },
  );
  assert.equal(result, "slow");
  assert.ok(
    heartbeats >= 2,
    `expected heartbeats during 60 ms of work every 10 ms, got ${heartbeats}`,
  );
  const after = heartbeats;
  await new Promise((resolve) => setTimeout(resolve, 40));
  assert.equal(heartbeats, after, "the heartbeat timer must end with the work");
});
