import assert from "node:assert/strict";
import { plannedSends, planSchedule, runSchedule, type ScheduleOptions } from "./schedule.ts";
import { FakeClock } from "./testing.ts";

/** Runs a schedule on a virtual clock; each send is accepted at once and answered after `responseMs`. */
async function simulate(options: ScheduleOptions, entries: number, responseMs: number) {
  const clock = new FakeClock();
  const sends: Array<{ at: number; seq: number; entry: number }> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const controller = new AbortController();
  const result = await clock.run(runSchedule(planSchedule(options), {
    clock,
    entries,
    signal: controller.signal,
    send: (seq, entry) => {
      sends.push({ at: clock.now(), seq, entry });
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      return {
        submitted: Promise.resolve(),
        done: clock.sleep(responseMs).then(() => inFlight--),
      };
    },
  }));
  return { result, sends, endedAt: clock.now(), maxInFlight, clock };
}

Deno.test("rate mode is open loop: sends are due at 0, 500, 1000 ms whatever the 10 s responses", async () => {
  const { sends, result, maxInFlight } = await simulate({ rate: 2 }, 12, 10_000);
  assert.deepEqual(sends.map((s) => s.at), [
    0,
    500,
    1000,
    1500,
    2000,
    2500,
    3000,
    3500,
    4000,
    4500,
    5000,
    5500,
  ]);
  assert.deepEqual(result, { sent: 12, reason: "end_of_file" });
  assert.equal(maxInFlight, 12);
});

Deno.test("delay mode puts 3000 ms between consecutive sends", async () => {
  const { sends, result } = await simulate({ delayS: 3 }, 5, 10_000);
  assert.deepEqual(sends.map((s) => s.at), [0, 3000, 6000, 9000, 12000]);
  assert.equal(result.reason, "end_of_file");
});

Deno.test("loop with duration 10 s at rate 1 sends exactly the ones due in [0, 10) and stops at 10 s", async () => {
  const { sends, result, endedAt } = await simulate({ loop: true, durationS: 10, rate: 1 }, 3, 200);
  assert.deepEqual(sends.map((s) => s.at), [
    0,
    1000,
    2000,
    3000,
    4000,
    5000,
    6000,
    7000,
    8000,
    9000,
  ]);
  assert.deepEqual(sends.map((s) => s.entry), [0, 1, 2, 0, 1, 2, 0, 1, 2, 0]);
  assert.deepEqual(result, { sent: 10, reason: "duration" });
  assert.ok(endedAt <= 10_000, `the sending ended at ${endedAt} ms`);
});

Deno.test("count stops the sending, also when looping", async () => {
  const { sends, result } = await simulate({ loop: true, count: 7, delayS: 0.5 }, 3, 100);
  assert.equal(sends.length, 7);
  assert.deepEqual(sends.map((s) => s.at), [0, 500, 1000, 1500, 2000, 2500, 3000]);
  assert.deepEqual(result, { sent: 7, reason: "count" });
});

Deno.test("without loop the sending stops at the end of the file even when count is larger", async () => {
  const { result } = await simulate({ count: 50, delayS: 0 }, 4, 100);
  assert.deepEqual(result, { sent: 4, reason: "end_of_file" });
});

Deno.test("with rate, a due send waits only while concurrency is exhausted, then the schedule catches up", async () => {
  // rate 2 → due at 0, 500, 1000, 1500, 2000; two slots, responses take 1200 ms.
  const { sends, maxInFlight } = await simulate({ rate: 2, concurrency: 2 }, 5, 1200);
  assert.deepEqual(sends.map((s) => s.at), [0, 500, 1200, 1700, 2400]);
  assert.equal(maxInFlight, 2);
});

Deno.test("with delay and concurrency 1, the delay counts from the previous response (think time)", async () => {
  const { sends } = await simulate({ delayS: 3, concurrency: 1 }, 3, 10_000);
  assert.deepEqual(sends.map((s) => s.at), [0, 13_000, 26_000]);
});

Deno.test("a send due after the duration is not made even when it had waited for a slot", async () => {
  const { sends, result } = await simulate(
    { rate: 1, concurrency: 1, durationS: 3, loop: true },
    2,
    2500,
  );
  // due 0 → sent at 0; due 1000 waits for the slot until 2500; due 2000 waits until 5000 ≥ 3000.
  assert.deepEqual(sends.map((s) => s.at), [0, 2500]);
  assert.equal(result.reason, "duration");
});

Deno.test("aborting ends a sleep at once and stops the sending", async () => {
  const clock = new FakeClock();
  const controller = new AbortController();
  const sends: number[] = [];
  const run = runSchedule(planSchedule({ delayS: 60 }), {
    clock,
    entries: 5,
    signal: controller.signal,
    send: () => {
      sends.push(clock.now());
      return { submitted: Promise.resolve(), done: Promise.resolve() };
    },
  });
  await clock.advanceTo(61_000);
  controller.abort();
  const result = await clock.run(run);
  assert.deepEqual(sends, [0, 60_000]);
  assert.deepEqual(result, { sent: 2, reason: "stopped" });
  assert.equal(clock.now(), 61_000);
  assert.equal(clock.pending, 0);
});

Deno.test("planSchedule rejects bad options with the option's name", () => {
  const cases: Array<[ScheduleOptions, RegExp]> = [
    [{ delayS: -1 }, /delay must be a number ≥ 0, found -1/],
    [{ delayS: 1, rate: 2 }, /either delay .* or rate .* not both/],
    [{ rate: 0 }, /rate must be a number > 0/],
    [{ concurrency: 1.5 }, /concurrency must be an integer ≥ 1/],
    [{ count: 0 }, /count must be an integer ≥ 1/],
    [{ durationS: Number.NaN }, /duration must be a number > 0/],
  ];
  for (const [options, message] of cases) {
    assert.throws(
      () => planSchedule(options),
      (e: unknown) => e instanceof RangeError && message.test(e.message),
    );
  }
});

Deno.test("plannedSends is the file length, the count, or null for durations and endless loops", () => {
  assert.equal(plannedSends(planSchedule({}), 10), 10);
  assert.equal(plannedSends(planSchedule({ count: 3 }), 10), 3);
  assert.equal(plannedSends(planSchedule({ count: 30 }), 10), 10);
  assert.equal(plannedSends(planSchedule({ count: 30, loop: true }), 10), 30);
  assert.equal(plannedSends(planSchedule({ loop: true }), 10), null);
  assert.equal(plannedSends(planSchedule({ durationS: 5 }), 10), null);
});
