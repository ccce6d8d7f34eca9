/**
 * Test doubles for the stream: a virtual clock and an in-memory LLM client. Unit tests only;
 * the integration tests use the real Kafka, worker and model.
 *
 * @module
 */

import type { RequestInput, ResponseEvent } from "../events/mod.ts";
import { sampleResponse } from "../events/testing.ts";
import type { Clock } from "./schedule.ts";
import type { StreamClient, SubmittedRequest } from "./engine.ts";

interface Timer {
  at: number;
  order: number;
  resolve: () => void;
}

/** One macrotask turn: every pending microtask runs before it ends. */
const turn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * A virtual clock (test double): time moves only when the test drives it, jumping from one
 * sleeper to the next, so schedules are exact to the millisecond.
 *
 * @example
 * ```ts
 * import { FakeClock } from "./testing.ts";
 * const clock = new FakeClock();
 * const slept = clock.sleep(500).then(() => clock.now());
 * await clock.run(slept); // 500
 * ```
 */
export class FakeClock implements Clock {
  #now: number;
  #timers: Timer[] = [];
  #order = 0;

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer: Timer = { at: this.#now + Math.max(0, ms), order: this.#order++, resolve };
      this.#timers.push(timer);
      signal?.addEventListener("abort", () => {
        this.#timers = this.#timers.filter((t) => t !== timer);
        resolve();
      }, { once: true });
    });
  }

  /** Sleepers not yet woken. */
  get pending(): number {
    return this.#timers.length;
  }

  #next(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.#timers) {
      if (!best || t.at < best.at || (t.at === best.at && t.order < best.order)) best = t;
    }
    return best;
  }

  #fire(timer: Timer): void {
    this.#timers = this.#timers.filter((t) => t !== timer);
    this.#now = timer.at;
    timer.resolve();
  }

  /**
   * Moves time forward until `promise` settles, waking sleepers in time order. Throws when
   * nothing sleeps and the promise is still pending (it would never settle).
   */
  async run<T>(promise: Promise<T>): Promise<T> {
    let settled = false;
    promise.then(() => settled = true, () => settled = true);
    while (true) {
      await turn();
      if (settled) return await promise;
      const timer = this.#next();
      if (!timer) {
        throw new Error(`FakeClock: the promise cannot settle, nothing sleeps (t=${this.#now})`);
      }
      this.#fire(timer);
    }
  }

  /** Moves time forward to `t`, waking every sleeper due until then, in order. */
  async advanceTo(t: number): Promise<void> {
    while (true) {
      await turn();
      const timer = this.#next();
      if (!timer || timer.at > t) break;
      this.#fire(timer);
    }
    this.#now = Math.max(this.#now, t);
    await turn();
  }
}

/** How the {@linkcode InMemoryLlmClientDouble} answers one request. */
export type DoubleAnswer =
  | { kind: "success"; afterMs: number; overrides?: Partial<ResponseEvent> }
  | { kind: "error"; afterMs: number; type: NonNullable<ResponseEvent["error"]>["type"] }
  | { kind: "never" }
  | { kind: "reject_submit"; message: string };

/**
 * An in-memory stand-in for `LlmClient` (test double): records what is submitted and answers
 * after delays on the given clock (virtual with a {@linkcode FakeClock}), or never (then `awaitResponse` rejects with a
 * `ResponseTimeoutError`-named error after its timeout, as the real client does).
 *
 * @example
 * ```ts
 * import { FakeClock, InMemoryLlmClientDouble } from "./testing.ts";
 * const client = new InMemoryLlmClientDouble(new FakeClock(), () => ({ kind: "success", afterMs: 100 }));
 * ```
 */
export class InMemoryLlmClientDouble implements StreamClient {
  /** Every submitted input, in order, with its virtual submit time. */
  readonly submitted: Array<{ input: RequestInput; request_id: string; at: number }> = [];
  readonly #clock: Clock;
  readonly #answer: (input: RequestInput, seq: number) => DoubleAnswer;
  readonly #answers = new Map<string, { answer: DoubleAnswer; input: RequestInput; at: number }>();
  #rejected = 0;
  readonly #closing = new AbortController();

  /** Closed by `close()`. */
  closed = false;

  constructor(clock: Clock, answer: (input: RequestInput, seq: number) => DoubleAnswer) {
    this.#clock = clock;
    this.#answer = answer;
  }

  submit(input: RequestInput): Promise<SubmittedRequest> {
    const seq = this.submitted.length + this.#rejected;
    const answer = this.#answer(input, seq);
    if (answer.kind === "reject_submit") {
      this.#rejected++;
      return Promise.reject(new Error(answer.message));
    }
    const request_id = crypto.randomUUID();
    const at = this.#clock.now();
    this.submitted.push({ input, request_id, at });
    this.#answers.set(request_id, { answer, input, at });
    return Promise.resolve({ request_id });
  }

  async awaitResponse(requestId: string, options: { timeoutMs?: number } = {}) {
    const entry = this.#answers.get(requestId);
    if (!entry) throw new Error(`unknown request ${requestId}`);
    const timeoutMs = options.timeoutMs ?? 120_000;
    const { answer, input, at } = entry;
    if (
      answer.kind === "never" || (answer.kind !== "reject_submit" && answer.afterMs > timeoutMs)
    ) {
      await this.#sleep(timeoutMs);
      const error = new Error(`no response for request ${requestId} within ${timeoutMs} ms`);
      error.name = "ResponseTimeoutError";
      throw error;
    }
    if (answer.kind === "reject_submit") throw new Error("unreachable");
    await this.#sleep(answer.afterMs);
    const base = {
      request_id: requestId,
      prompt: input.prompt,
      ts_start: Math.round(at),
      ts_end: Math.round(at + answer.afterMs),
      latency_ms: answer.afterMs,
    };
    if (answer.kind === "error") {
      return sampleResponse({
        ...base,
        status: "error",
        error: { type: answer.type, message: `double says ${answer.type}` },
        response: "",
        ttft_ms: null,
        completion_tokens: 0,
        tokens_per_s: 0,
      });
    }
    return sampleResponse({ ...base, ...answer.overrides });
  }

  async #sleep(ms: number): Promise<void> {
    await this.#clock.sleep(ms, this.#closing.signal);
    if (this.closed) throw new Error("client closed while waiting");
  }

  /** Rejects the pending waits (as `LlmClient.close` does) and marks the double closed. */
  close(): Promise<void> {
    this.closed = true;
    this.#closing.abort();
    return Promise.resolve();
  }
}
