/**
 * When the stream sends its requests, driven by an injected {@linkcode Clock} so tests are exact.
 *
 * Two pacing modes:
 *
 * - **delay** (`delayS`, the default, 1 s): "S seconds between sends". Send i+1 starts S seconds
 *   after send i was accepted by Kafka. When `concurrency` requests are already awaiting
 *   responses, the S seconds count from the moment a slot frees, so `concurrency: 1` gives a
 *   closed loop with S seconds of think time after each response.
 * - **rate** (`rate`, open loop): send i is due at start + i/N seconds, whatever the response
 *   times. A due send waits only when `concurrency` requests are already awaiting responses; it
 *   goes out as soon as one completes, and the schedule does not shift (later sends keep their
 *   due times, so the run catches up).
 *
 * Limits: `count` sends at most; `durationS` sends only those due before start + duration;
 * without `loop` the run ends after the last entry of the file, with `loop` it cycles.
 *
 * @module
 */

/** Time source of the scheduler and the engine: monotonic milliseconds and a cancellable sleep. */
export interface Clock {
  /** Monotonic time in milliseconds (any origin). */
  now(): number;
  /** Resolves after `ms` milliseconds, or early (resolving, not rejecting) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The real clock: `performance.now()` and `setTimeout`.
 *
 * @example
 * ```ts
 * import { systemClock } from "./schedule.ts";
 * const t0 = systemClock.now();
 * await systemClock.sleep(10);
 * ```
 */
export const systemClock: Clock = Object.freeze({
  now: () => performance.now(),
  sleep: (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener("abort", done, { once: true });
    }),
});

/** Pacing and limits of a stream, as given (seconds and counts). */
export interface ScheduleOptions {
  /** Seconds between sends (delay mode). Default 1 when `rate` is not given. */
  delayS?: number;
  /** Sends per second (rate mode, open loop). Excludes `delayS`. */
  rate?: number;
  /** Requests awaiting responses at most. Default {@linkcode SCHEDULE_DEFAULTS}.concurrency. */
  concurrency?: number;
  /** Send at most this many requests. */
  count?: number;
  /** Send only requests due within this many seconds of the start. */
  durationS?: number;
  /** Cycle through the entries instead of stopping after the last one. */
  loop?: boolean;
}

/** Defaults of the schedule. */
export const SCHEDULE_DEFAULTS = Object.freeze({ delayS: 1, concurrency: 32 });

/** A validated schedule, in milliseconds. */
export interface SchedulePlan {
  mode: "delay" | "rate";
  /** Milliseconds between sends (delay mode; 0 in rate mode). */
  delayMs: number;
  /** Sends per second (rate mode), else null. */
  rate: number | null;
  concurrency: number;
  count: number | null;
  durationMs: number | null;
  loop: boolean;
}

/** Why the sending ended. */
export type StopReason = "end_of_file" | "count" | "duration" | "stopped";

function check(
  name: string,
  value: number | undefined,
  ok: (n: number) => boolean,
  expected: string,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || Number.isNaN(value) || !ok(value)) {
    throw new RangeError(`${name} must be ${expected}, found ${value}`);
  }
  return value;
}

/**
 * Validates schedule options and resolves the defaults. Throws a `RangeError` that names the
 * option on bad input (negative delay, delay and rate together, a zero count…).
 *
 * @example
 * ```ts
 * import { planSchedule } from "./schedule.ts";
 * planSchedule({ rate: 2, count: 10 }).mode; // "rate"
 * ```
 */
export function planSchedule(options: ScheduleOptions = {}): SchedulePlan {
  const finite = (n: number) => Number.isFinite(n);
  const delayS = check("delay", options.delayS, (n) => finite(n) && n >= 0, "a number ≥ 0");
  const rate = check("rate", options.rate, (n) => finite(n) && n > 0, "a number > 0");
  if (delayS !== undefined && rate !== undefined) {
    throw new RangeError(
      "give either delay (seconds between sends) or rate (sends per second), not both",
    );
  }
  const concurrency = check(
    "concurrency",
    options.concurrency,
    (n) => Number.isInteger(n) && n >= 1,
    "an integer ≥ 1",
  ) ?? SCHEDULE_DEFAULTS.concurrency;
  const count = check(
    "count",
    options.count,
    (n) => Number.isInteger(n) && n >= 1,
    "an integer ≥ 1",
  );
  const durationS = check("duration", options.durationS, (n) => finite(n) && n > 0, "a number > 0");
  return {
    mode: rate === undefined ? "delay" : "rate",
    delayMs: rate === undefined ? (delayS ?? SCHEDULE_DEFAULTS.delayS) * 1000 : 0,
    rate: rate ?? null,
    concurrency,
    count: count ?? null,
    durationMs: durationS === undefined ? null : durationS * 1000,
    loop: options.loop ?? false,
  };
}

/**
 * How many sends a plan makes over `entries` entries, or null when that depends on time (a
 * duration) or is unbounded (loop without count).
 *
 * @example
 * ```ts
 * import { planSchedule, plannedSends } from "./schedule.ts";
 * plannedSends(planSchedule({ count: 4 }), 10); // 4
 * plannedSends(planSchedule({ loop: true }), 10); // null
 * ```
 */
export function plannedSends(plan: SchedulePlan, entries: number): number | null {
  if (plan.durationMs !== null) return null;
  if (plan.loop) return plan.count;
  return plan.count === null ? entries : Math.min(plan.count, entries);
}

/** One send in progress, as {@linkcode runSchedule} sees it. */
export interface SendHandle {
  /** Settles when the request has been accepted (or refused) by Kafka. */
  submitted: Promise<unknown>;
  /** Settles when the request no longer awaits a response (answered, failed or given up). */
  done: Promise<unknown>;
}

/** What {@linkcode runSchedule} needs besides the plan. */
export interface ScheduleRun {
  clock: Clock;
  /** Number of entries in the file (≥ 1). */
  entries: number;
  /** Aborting stops the sending at once (a sleep in progress ends early). */
  signal?: AbortSignal;
  /** Starts send number `seq` (0-based) of entry `entry`. Must not throw. */
  send(seq: number, entry: number): SendHandle;
}

const noop = () => {};

/**
 * Runs the send loop of a plan: calls `send` at the due times, keeps at most `concurrency` sends
 * awaiting responses, and returns when the sending ends (it does not wait for the responses of
 * the last sends). Complexity: O(sends) plus O(concurrency) per wait for a free slot.
 *
 * @example
 * ```ts
 * import { planSchedule, runSchedule, systemClock } from "./schedule.ts";
 * const result = await runSchedule(planSchedule({ delayS: 0, count: 3 }), {
 *   clock: systemClock,
 *   entries: 5,
 *   send: () => ({ submitted: Promise.resolve(), done: Promise.resolve() }),
 * });
 * result.sent; // 3
 * ```
 */
export async function runSchedule(
  plan: SchedulePlan,
  run: ScheduleRun,
): Promise<{ sent: number; reason: StopReason }> {
  if (!Number.isInteger(run.entries) || run.entries < 1) {
    throw new RangeError(`a schedule needs at least one entry, found ${run.entries}`);
  }
  const { clock, signal } = run;
  const start = clock.now();
  const end = plan.durationMs === null ? Infinity : start + plan.durationMs;
  const inFlight = new Set<Promise<unknown>>();
  const aborted = new Promise<void>((resolve) => {
    if (signal?.aborted) resolve();
    else signal?.addEventListener("abort", () => resolve(), { once: true });
  });
  const stopped = () => signal?.aborted === true;
  const waitForSlot = async () => {
    while (inFlight.size >= plan.concurrency && !stopped()) {
      await Promise.race([...inFlight, aborted]);
    }
  };
  const sleepUntil = async (due: number) => {
    const ms = due - clock.now();
    if (ms > 0) await clock.sleep(ms, signal);
  };

  let seq = 0;
  const result = (reason: StopReason) => ({ sent: seq, reason });
  while (true) {
    if (stopped()) return result("stopped");
    if (plan.count !== null && seq >= plan.count) return result("count");
    if (!plan.loop && seq >= run.entries) return result("end_of_file");
    if (plan.mode === "rate") {
      const due = start + (seq * 1000) / plan.rate!;
      if (due >= end) return result("duration");
      await sleepUntil(due);
      if (stopped()) return result("stopped");
      await waitForSlot();
    } else if (seq > 0) {
      await waitForSlot();
      if (stopped()) return result("stopped");
      const due = clock.now() + plan.delayMs;
      if (due >= end) return result("duration");
      await sleepUntil(due);
    }
    if (stopped()) return result("stopped");
    if (clock.now() >= end) return result("duration");

    const handle = run.send(seq, seq % run.entries);
    seq++;
    const done: Promise<unknown> = handle.done.then(noop, noop).then(() => inFlight.delete(done));
    inFlight.add(done);
    if (plan.mode === "delay") await handle.submitted.then(noop, noop);
  }
}
