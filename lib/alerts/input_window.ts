/**
 * What the evaluator has seen, kept just long enough: the compact fields of recent responses,
 * feedback and dead-letter times (pruned to the rules' longest window), the drift monitor's
 * latest report and the latest health readings. The consumer loop feeds it; each tick turns it
 * into {@linkcode AlertInputs}. Free of `Deno.*`.
 *
 * @module
 */

import type {
  AlertInputs,
  DriftInput,
  FeedbackLike,
  HealthInput,
  ResponseLike,
} from "./evaluate.ts";

/** Options of {@linkcode AlertInputWindow}. */
export interface AlertInputWindowOptions {
  /** At most this many responses (and as many feedback items) are kept (default 200,000). */
  maxItems?: number;
  /** When the window was created (the start of `no_data`'s count), epoch ms. */
  startedAt?: number;
}

/**
 * The evaluator's memory.
 *
 * @example
 * ```ts
 * import { AlertInputWindow } from "./input_window.ts";
 * const window = new AlertInputWindow({ startedAt: 0 });
 * window.addResponse({ ts_end: 1_000, latency_ms: 5, ttft_ms: null, status: "success",
 *   model: "m", source: "test", tokens_per_s: 1 });
 * window.inputs(2_000, 60_000).responses?.length; // 1
 * ```
 */
export class AlertInputWindow {
  #responses: ResponseLike[] = [];
  #feedback: FeedbackLike[] = [];
  #dlq: number[] = [];
  #drift: DriftInput | null = null;
  #health: Omit<HealthInput, "dlq_ts" | "last_response_ts" | "watching_since"> = {};
  #lastResponse: number | null = null;
  readonly #max: number;
  readonly #startedAt: number;

  constructor(options: AlertInputWindowOptions = {}) {
    this.#max = options.maxItems ?? 200_000;
    this.#startedAt = options.startedAt ?? Date.now();
  }

  /** Adds a response event (only the fields rules read are kept). */
  addResponse(event: ResponseLike): void {
    this.#responses.push({
      ts_end: event.ts_end,
      latency_ms: event.latency_ms,
      ttft_ms: event.ttft_ms,
      status: event.status,
      model: event.model,
      source: event.source,
      tokens_per_s: event.tokens_per_s,
      ...(event.request_id !== undefined ? { request_id: event.request_id } : {}),
      ...(typeof event.cost_usd === "number" ? { cost_usd: event.cost_usd } : {}),
    });
    if (this.#responses.length > this.#max) this.#responses.shift();
    if (this.#lastResponse === null || event.ts_end > this.#lastResponse) {
      this.#lastResponse = event.ts_end;
    }
  }

  /** Adds a feedback event (`llm.feedback.v1`). */
  addFeedback(feedback: FeedbackLike): void {
    this.#feedback.push(feedback);
    if (this.#feedback.length > this.#max) this.#feedback.shift();
  }

  /** Records that a message went to the dead-letter topic at `ts`. */
  addDeadLetter(ts: number): void {
    this.#dlq.push(ts);
    if (this.#dlq.length > this.#max) this.#dlq.shift();
  }

  /** Sets the drift monitor's latest report. */
  setDrift(drift: DriftInput | null): void {
    this.#drift = drift;
  }

  /** Sets the latest health readings (services by name, lag by consumer group). */
  setHealth(health: Pick<HealthInput, "services" | "consumer_lag">): void {
    this.#health = { ...this.#health, ...health };
  }

  /**
   * The inputs at `now`, after dropping what is older than `horizonMs` (use
   * `inputHorizonMs(rules)`).
   */
  inputs(now: number, horizonMs: number): AlertInputs {
    const from = now - horizonMs;
    const keep = <T>(items: T[], ts: (item: T) => number) => {
      let drop = 0;
      while (drop < items.length && ts(items[drop]) <= from) drop++;
      if (drop > 0) items.splice(0, drop);
    };
    // Events arrive roughly in time order; a late one behind the cut stays until it is first.
    keep(this.#responses, (r) => r.ts_end);
    keep(this.#feedback, (f) => f.ts);
    keep(this.#dlq, (t) => t);
    return {
      responses: this.#responses,
      feedback: this.#feedback,
      drift: this.#drift,
      health: {
        ...this.#health,
        dlq_ts: this.#dlq,
        last_response_ts: this.#lastResponse,
        watching_since: this.#startedAt,
      },
    };
  }
}
