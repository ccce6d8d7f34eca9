/**
 * A fix for kafkajs 2.2.4's request queue, applied once when this module is first imported
 * (`client.ts` and `lib/stack/kafka.ts` import it, so every kafkajs client of the project has it).
 *
 * The cause: `RequestQueue.scheduleCheckPendingRequests` computes `throttledUntil - Date.now()`,
 * and `throttledUntil` is -1 while the broker has not throttled the client. With no request
 * pending, that negative delay goes to `setTimeout` as it is. Node (and Deno's Node layer) then
 * prints `(node:…) TimeoutNegativeWarning: -1796182812765 is a negative number. Timeout duration
 * was set to 1.`, and since the timer's callback schedules the next one, every open broker
 * connection polls its empty queue about every millisecond for as long as it is open (measured:
 * about 400 calls a second on one idle admin connection). kafkajs 2.2.4 is its last release and
 * the reports (tulios/kafkajs issues 1751 and 1704) are open, so the fix lives here.
 *
 * The replacement keeps what the check is for: while requests are pending, the queue is checked
 * when the broker's throttle ends, or after kafkajs' own 10 ms when no throttle is in effect;
 * while the broker throttles with nothing pending, a check still runs when the throttle ends.
 * With nothing pending and no throttle it schedules nothing: a new request (`push`), a response
 * (`fulfillRequest`) and a timed-out request each check the queue themselves.
 *
 * @module
 */

// kafkajs ships no types for its internals; the method is replaced on the one class kafkajs uses.
// @ts-types="./_request_queue.d.ts"
import RequestQueue from "kafkajs/src/network/requestQueue/index.js";

/** kafkajs' interval for re-checking pending requests when no throttle is in effect (ms). */
export const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

const FIXED = Symbol.for("llmops.kafkajs.requestQueueFix");

/** The part of kafkajs' request queue that the fix reads and writes. */
interface QueueState {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  checkPendingRequests(): void;
}

/**
 * The delay of the next check of a request queue, in ms, or null when no check is needed (no
 * request pending and no throttle in effect). Never negative. O(1).
 *
 * @example
 * ```ts
 * import { nextCheckDelay } from "./request_queue_fix.ts";
 * nextCheckDelay({ pending: 0, throttledUntil: -1, now: 1_000 }); // null
 * nextCheckDelay({ pending: 2, throttledUntil: -1, now: 1_000 }); // 10
 * nextCheckDelay({ pending: 0, throttledUntil: 1_250, now: 1_000 }); // 250
 * ```
 */
export function nextCheckDelay(
  state: { pending: number; throttledUntil: number; now: number },
): number | null {
  const untilUnthrottled = state.throttledUntil - state.now;
  if (state.pending > 0) {
    return untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_INTERVAL_MS;
  }
  return untilUnthrottled > 0 ? untilUnthrottled : null;
}

function scheduleCheckPendingRequests(this: QueueState): void {
  // one scheduled check at a time, as kafkajs does: it re-schedules if needed when it runs
  if (this.throttleCheckTimeoutId) return;
  const delay = nextCheckDelay({
    pending: this.pending.length,
    throttledUntil: this.throttledUntil,
    now: Date.now(),
  });
  if (delay === null) return;
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, delay);
}

/**
 * Replaces kafkajs' `RequestQueue.prototype.scheduleCheckPendingRequests` with the fixed one.
 * Idempotent; returns true when this call installed it. Runs when the module is imported.
 *
 * @example
 * ```ts
 * import { applyRequestQueueFix } from "./request_queue_fix.ts";
 * applyRequestQueueFix(); // false: importing the module already installed it
 * ```
 */
export function applyRequestQueueFix(): boolean {
  const proto = RequestQueue.prototype as unknown as Record<string | symbol, unknown>;
  if (proto[FIXED]) return false;
  if (typeof proto.scheduleCheckPendingRequests !== "function") {
    throw new TypeError(
      "Expected kafkajs' RequestQueue to have scheduleCheckPendingRequests, found none: " +
        "the kafkajs version changed, review lib/kafka/request_queue_fix.ts",
    );
  }
  proto.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
  Object.defineProperty(proto, FIXED, { value: true });
  return true;
}

applyRequestQueueFix();
