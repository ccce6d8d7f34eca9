/**
 * One streamed chat call through npm:ollama, measured: latency, time to first token, Ollama's
 * token counts and raw durations, tokens per second, response length, and the outcome. It never
 * throws: a failure is returned with its classified type, so no call goes unrecorded.
 *
 * @module
 */

import { Ollama } from "ollama";
import type { LlmErrorType, RequestEvent } from "../events/mod.ts";
import { BrokenStreamError, CallTimeoutError, classifyError } from "./errors.ts";

/** Everything measured about one call (the response-only fields of `llm.response.v1`). */
export interface CallMeasurement {
  ts_start: number;
  ts_end: number;
  status: "success" | "error";
  error?: { type: LlmErrorType; message: string };
  response: string;
  latency_ms: number;
  ttft_ms: number | null;
  prompt_tokens: number;
  completion_tokens: number;
  tokens_per_s: number;
  response_chars: number;
  total_duration_ns: number | null;
  load_duration_ns: number | null;
  prompt_eval_duration_ns: number | null;
  eval_duration_ns: number | null;
}

/** Options of {@linkcode measuredChat}. */
export interface MeasuredChatOptions {
  /** Ollama's base URL. */
  host: string;
  /** Abort the call after this long. Default 120 s. */
  timeoutMs?: number;
  /** Aborts the call from outside (recorded as `aborted`). */
  signal?: AbortSignal;
  /** Called with each piece of text as it is generated. */
  onToken?: (text: string) => void;
  /** Wall clock for timestamps (default Date.now). */
  now?: () => number;
}

/** The part of a request the call needs. */
export type ChatRequest = Pick<RequestEvent, "prompt" | "system" | "model" | "params">;

/**
 * Calls the model with streaming and measures the call.
 *
 * @example
 * ```ts
 * const m = await measuredChat(
 *   { prompt: "Hi", model: "smollm2:135m", params: { temperature: 0, top_p: 1, num_predict: 16 } },
 *   { host: "http://127.0.0.1:11434" },
 * );
 * m.status; // "success"
 * ```
 */
export async function measuredChat(
  request: ChatRequest,
  options: MeasuredChatOptions,
): Promise<CallMeasurement> {
  const now = options.now ?? Date.now;
  const controller = new AbortController();
  const timeoutMs = options.timeoutMs ?? 120_000;
  const timer = setTimeout(() => controller.abort(new CallTimeoutError(timeoutMs)), timeoutMs);
  const onOuterAbort = () => controller.abort(options.signal?.reason ?? "aborted by caller");
  if (options.signal?.aborted) onOuterAbort();
  options.signal?.addEventListener("abort", onOuterAbort, { once: true });
  const client = new Ollama({
    host: options.host,
    fetch: (input: RequestInfo | URL, init?: RequestInit) =>
      fetch(input, {
        ...init,
        signal: init?.signal
          ? AbortSignal.any([init.signal, controller.signal])
          : controller.signal,
      }),
  });

  const tsStart = now();
  const t0 = performance.now();
  let firstTokenAt: number | null = null;
  let text = "";
  let streamStarted = false;
  let final: {
    prompt_eval_count?: number;
    eval_count?: number;
    total_duration?: number;
    load_duration?: number;
    prompt_eval_duration?: number;
    eval_duration?: number;
  } | null = null;
  let failure: { type: LlmErrorType; message: string } | undefined;

  try {
    const messages = request.system
      ? [{ role: "system", content: request.system }, { role: "user", content: request.prompt }]
      : [{ role: "user", content: request.prompt }];
    const stream = await client.chat({
      model: request.model,
      messages,
      stream: true,
      options: {
        temperature: request.params.temperature,
        top_p: request.params.top_p,
        num_predict: request.params.num_predict,
        ...(request.params.seed === undefined ? {} : { seed: request.params.seed }),
      },
    });
    streamStarted = true;
    // Aborting fetch's signal does not always end a body that is being read (seen with Deno's
    // fetch mid-stream: a 300 ms timeout let a 30 s answer finish), so every wait for the next
    // chunk also races the abort, and an abort cancels the stream itself.
    const abortedWait = new Promise<never>((_, reject) => {
      const fail = () => reject(controller.signal.reason);
      if (controller.signal.aborted) fail();
      else controller.signal.addEventListener("abort", fail, { once: true });
    });
    abortedWait.catch(() => {});
    const chunks = stream[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = await Promise.race([chunks.next(), abortedWait]);
        if (next.done) break;
        const chunk = next.value;
        const piece = chunk.message?.content ?? "";
        if (piece.length > 0) {
          if (firstTokenAt === null) firstTokenAt = performance.now();
          text += piece;
          options.onToken?.(piece);
        }
        if (chunk.done) final = chunk;
      }
    } finally {
      if (controller.signal.aborted) stream.abort();
    }
    if (final === null) throw new BrokenStreamError("the stream ended without a final chunk");
  } catch (error) {
    failure = classifyError(error, {
      streamStarted,
      abortReason: controller.signal.aborted ? controller.signal.reason : undefined,
    });
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onOuterAbort);
  }

  const latencyMs = performance.now() - t0;
  const completion = final?.eval_count ?? 0;
  const evalNs = final?.eval_duration ?? 0;
  return {
    ts_start: tsStart,
    ts_end: Math.max(tsStart, now()),
    status: failure ? "error" : "success",
    ...(failure ? { error: failure } : {}),
    response: text,
    latency_ms: round3(latencyMs),
    ttft_ms: firstTokenAt === null ? null : round3(firstTokenAt - t0),
    prompt_tokens: final?.prompt_eval_count ?? 0,
    completion_tokens: completion,
    tokens_per_s: evalNs > 0
      ? round3(completion / (evalNs / 1e9))
      : (latencyMs > 0 ? round3(completion / (latencyMs / 1000)) : 0),
    response_chars: text.length,
    total_duration_ns: final?.total_duration ?? null,
    load_duration_ns: final?.load_duration ?? null,
    prompt_eval_duration_ns: final?.prompt_eval_duration ?? null,
    eval_duration_ns: final?.eval_duration ?? null,
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
