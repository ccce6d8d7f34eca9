/**
 * Measuring a call from Ollama's own chunks as they pass through the gateway: time to first
 * token, the text, Ollama's token counts and durations, the outcome. A {@linkcode StreamMeter}
 * is fed each parsed chunk (of `/api/chat`, `/api/generate` or `/api/embed`, streamed or not)
 * and yields lib/llm's `CallMeasurement`, the response-only fields of `llm.response.v1`.
 * Free of `Deno.*`.
 *
 * @module
 */

import type { LlmErrorType } from "../events/mod.ts";
import type { CallMeasurement } from "../llm/measured_chat.ts";
import { classifyError } from "../llm/errors.ts";

/** The fields of an Ollama chunk the meter reads (every one optional, all checked). */
export interface OllamaChunk {
  model?: string;
  created_at?: string;
  message?: { role?: string; content?: string; thinking?: string };
  response?: string;
  done?: boolean;
  done_reason?: string;
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
  prompt_eval_duration?: number;
  eval_count?: number;
  eval_duration?: number;
  /** `/api/embed`'s vectors. */
  embeddings?: number[][];
  error?: string;
}

/** A classified failure of a call. */
export interface CallFailure {
  type: LlmErrorType;
  message: string;
}

/** Options of {@linkcode StreamMeter}. */
export interface StreamMeterOptions {
  /** Wall clock in epoch ms (default Date.now). */
  now?: () => number;
  /** Monotonic clock in ms (default performance.now). */
  clock?: () => number;
  /** When the call started on `clock` (default: when the meter is made). */
  startedAt?: number;
}

function count(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) && value >= 0
    ? Math.round(value)
    : null;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * The failure of an upstream answer that is not 2xx: a 404 naming a missing model is
 * `model_not_found`, anything else `http_error` with the status and Ollama's message.
 *
 * @example
 * ```ts
 * upstreamFailure(404, '{"error":"model \\"x\\" not found, try pulling it first"}').type;
 * // "model_not_found"
 * ```
 */
export function upstreamFailure(status: number, body: string): CallFailure {
  let message = body.slice(0, 2_000);
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (typeof parsed?.error === "string") message = parsed.error.slice(0, 2_000);
  } catch {
    // keep the raw text
  }
  if (status === 404 && /not found|pull/i.test(message)) {
    return { type: "model_not_found", message };
  }
  return { type: "http_error", message: `HTTP ${status}: ${message}` };
}

/**
 * The failure of a call that never got an answer (fetch threw: refused, reset, timed out,
 * aborted), classified like lib/llm's calls.
 *
 * @example
 * ```ts
 * networkFailure(new TypeError("error sending request: Connection refused (os error 111)")).type;
 * // "connection_refused"
 * ```
 */
export function networkFailure(error: unknown, streamStarted = false): CallFailure {
  return classifyError(error, { streamStarted });
}

/**
 * Measures one Ollama call from its chunks.
 *
 * @example
 * ```ts
 * const meter = new StreamMeter();
 * meter.push({ message: { role: "assistant", content: "Hi" }, done: false });
 * meter.push({ done: true, done_reason: "stop", prompt_eval_count: 3, eval_count: 1 });
 * const m = meter.finish();
 * m.response; // "Hi"
 * m.completion_tokens; // 1
 * ```
 */
export class StreamMeter {
  readonly #now: () => number;
  readonly #clock: () => number;
  readonly #t0: number;
  readonly tsStart: number;
  #firstTokenAt: number | null = null;
  #text = "";
  #final: OllamaChunk | null = null;
  #failure: CallFailure | null = null;
  #chunks = 0;
  #model: string | null = null;
  #embeddings = 0;

  constructor(options: StreamMeterOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#clock = options.clock ?? (() => performance.now());
    this.#t0 = options.startedAt ?? this.#clock();
    this.tsStart = this.#now() - Math.max(0, this.#clock() - this.#t0);
  }

  /**
   * Takes one parsed chunk; returns the text it adds ("" for none). A chunk that is not an
   * object, or carries Ollama's `error`, marks the call failed.
   */
  push(value: unknown): string {
    this.#chunks++;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.fail({ type: "broken_stream", message: "Ollama sent a line that is not an object" });
      return "";
    }
    const chunk = value as OllamaChunk;
    if (typeof chunk.error === "string") {
      this.fail({ type: "http_error", message: `Ollama: ${chunk.error.slice(0, 2_000)}` });
      return "";
    }
    if (typeof chunk.model === "string" && this.#model === null) this.#model = chunk.model;
    const piece = typeof chunk.message?.content === "string"
      ? chunk.message.content
      : typeof chunk.response === "string"
      ? chunk.response
      : "";
    if (piece.length > 0) {
      if (this.#firstTokenAt === null) this.#firstTokenAt = this.#clock();
      this.#text += piece;
    }
    if (Array.isArray(chunk.embeddings)) this.#embeddings = chunk.embeddings.length;
    if (chunk.done === true || Array.isArray(chunk.embeddings)) this.#final = chunk;
    return piece;
  }

  /** Records a failure (the first one wins); later chunks still add to the text. */
  fail(failure: CallFailure): void {
    if (this.#failure === null) this.#failure = failure;
  }

  /** The text so far. */
  get text(): string {
    return this.#text;
  }

  /** True once Ollama's final chunk (done, or an embed answer) arrived. */
  get done(): boolean {
    return this.#final !== null;
  }

  /** Ollama's `done_reason` ("stop", "length"…), once done. */
  get doneReason(): string | null {
    return typeof this.#final?.done_reason === "string" ? this.#final.done_reason : null;
  }

  /** The model Ollama named in its chunks. */
  get model(): string | null {
    return this.#model;
  }

  /** Number of vectors of an embed answer. */
  get embeddings(): number {
    return this.#embeddings;
  }

  /** The failure so far, if any. */
  get failure(): CallFailure | null {
    return this.#failure;
  }

  /** Prompt and completion tokens as Ollama counted them (0 before the final chunk). */
  get usage(): { prompt_tokens: number; completion_tokens: number } {
    return {
      prompt_tokens: count(this.#final?.prompt_eval_count) ?? 0,
      completion_tokens: count(this.#final?.eval_count) ?? 0,
    };
  }

  /**
   * The measurement of the call. A stream that ended without its final chunk (and without
   * another failure) is `broken_stream`.
   */
  finish(): CallMeasurement {
    if (this.#final === null && this.#failure === null) {
      this.fail({
        type: "broken_stream",
        message: this.#chunks === 0
          ? "Ollama's answer ended before its first chunk"
          : "the stream ended without a final chunk",
      });
    }
    const latencyMs = Math.max(0, this.#clock() - this.#t0);
    const final = this.#final;
    const { prompt_tokens, completion_tokens } = this.usage;
    const evalNs = count(final?.eval_duration) ?? 0;
    const failure = this.#failure;
    return {
      ts_start: Math.round(this.tsStart),
      ts_end: Math.max(Math.round(this.tsStart), Math.round(this.#now())),
      status: failure ? "error" : "success",
      ...(failure ? { error: failure } : {}),
      response: this.#text,
      latency_ms: round3(latencyMs),
      ttft_ms: this.#firstTokenAt === null ? null : round3(this.#firstTokenAt - this.#t0),
      prompt_tokens,
      completion_tokens,
      tokens_per_s: evalNs > 0
        ? round3(completion_tokens / (evalNs / 1e9))
        : latencyMs > 0
        ? round3(completion_tokens / (latencyMs / 1000))
        : 0,
      response_chars: this.#text.length,
      total_duration_ns: count(final?.total_duration),
      load_duration_ns: count(final?.load_duration),
      prompt_eval_duration_ns: count(final?.prompt_eval_duration),
      eval_duration_ns: count(final?.eval_duration),
    };
  }
}
