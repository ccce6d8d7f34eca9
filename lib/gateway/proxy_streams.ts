/**
 * The streams a gateway handler returns, built from Ollama's response body and a
 * {@linkcode StreamMeter}: Ollama's NDJSON passed through byte for byte (Ollama dialect), or
 * re-written as OpenAI server-sent events (OpenAI dialect), or read whole for a non-streamed
 * answer. Each calls `onFinish` exactly once with the call's measurement, whether the stream
 * ended, Ollama failed mid-way or the caller went away (recorded as `aborted`), so no call goes
 * unrecorded. Web streams only; free of `Deno.*`.
 *
 * @module
 */

import type { CallMeasurement } from "../llm/measured_chat.ts";
import { NdjsonSplitter } from "./ndjson.ts";
import { StreamMeter } from "./ollama_stream.ts";
import { gatewayErrorForFailure, openAiErrorEvent } from "./openai_errors.ts";
import { ChatCompletionSse, finishReason, TextCompletionSse, usageOf } from "./openai_response.ts";

/** Called once when a metered call is over. */
export type FinishHandler = (measurement: CallMeasurement, meter: StreamMeter) => void;

function once(meter: StreamMeter, onFinish: FinishHandler): (failure?: string) => void {
  let done = false;
  return (failure?: string) => {
    if (done) return;
    done = true;
    if (failure !== undefined) meter.fail({ type: "aborted", message: failure });
    try {
      onFinish(meter.finish(), meter);
    } catch {
      // A failing recorder must not break the caller's stream.
    }
  };
}

function readFailure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Ollama's body passed through unchanged while the meter sees every chunk.
 *
 * @example
 * ```ts ignore
 * const meter = new StreamMeter();
 * const body = meteredPassThrough(upstream.body!, meter, (m) => publish(m));
 * return new Response(body, { headers: { "content-type": "application/x-ndjson" } });
 * ```
 */
export function meteredPassThrough(
  body: ReadableStream<Uint8Array>,
  meter: StreamMeter,
  onFinish: FinishHandler,
): ReadableStream<Uint8Array> {
  const splitter = new NdjsonSplitter();
  const finish = once(meter, onFinish);
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          for (const v of splitter.end()) meter.push(v);
          controller.close();
          finish();
          return;
        }
        controller.enqueue(value);
        for (const v of splitter.push(value)) meter.push(v);
        // Recorded as soon as Ollama's final chunk passes, before the caller reads it.
        if (meter.done) finish();
      } catch (error) {
        meter.fail({
          type: "broken_stream",
          message: `Ollama's stream failed: ${readFailure(error)}`,
        });
        finish();
        controller.error(error);
      }
    },
    async cancel(reason) {
      finish(`the caller closed the connection${reason ? `: ${readFailure(reason)}` : ""}`);
      await reader.cancel(reason).catch(() => {});
    },
  });
}

const encoder = new TextEncoder();

/**
 * Ollama's `/api/chat` or `/api/generate` stream re-written as OpenAI's server-sent events
 * (role chunk, deltas, finish, usage when asked, `[DONE]`; an OpenAI error event when Ollama
 * fails mid-way).
 *
 * @example
 * ```ts ignore
 * const sse = new ChatCompletionSse({ id: chatCompletionId(meta.request_id), model, created }, includeUsage);
 * const body = ollamaToOpenAiSse(upstream.body!, meter, sse, (m) => publish(m));
 * return new Response(body, { headers: SSE_HEADERS });
 * ```
 */
export function ollamaToOpenAiSse(
  body: ReadableStream<Uint8Array>,
  meter: StreamMeter,
  sse: ChatCompletionSse | TextCompletionSse,
  onFinish: FinishHandler,
): ReadableStream<Uint8Array> {
  const splitter = new NdjsonSplitter();
  const finish = once(meter, onFinish);
  const reader = body.getReader();
  let started = false;
  let ended = false;
  const endWith = (controller: ReadableStreamDefaultController<Uint8Array>, text: string) => {
    ended = true;
    if (text !== "") controller.enqueue(encoder.encode(text));
    controller.close();
    finish();
  };
  const closing = (): string => {
    if (meter.failure === null && meter.done) {
      return sse.finish({
        finishReason: finishReason(meter.doneReason),
        usage: usageOf(meter.usage),
      });
    }
    if (meter.failure === null) {
      meter.fail({ type: "broken_stream", message: "the stream ended without a final chunk" });
    }
    return openAiErrorEvent(gatewayErrorForFailure(meter.failure!));
  };
  return new ReadableStream<Uint8Array>({
    // Loops until it has something to send: a pull that enqueues nothing is not called again.
    async pull(controller) {
      if (ended) return;
      let out = "";
      if (!started) {
        started = true;
        out += sse.start();
      }
      try {
        while (true) {
          const { done, value } = await reader.read();
          const values = done ? splitter.end() : splitter.push(value);
          for (const v of values) {
            out += sse.delta(meter.push(v));
            if (meter.failure !== null || meter.done) {
              await reader.cancel().catch(() => {});
              return endWith(controller, out + closing());
            }
          }
          if (done) return endWith(controller, out + closing());
          if (out !== "") {
            controller.enqueue(encoder.encode(out));
            return;
          }
        }
      } catch (error) {
        meter.fail({
          type: "broken_stream",
          message: `Ollama's stream failed: ${readFailure(error)}`,
        });
        endWith(controller, out + closing());
      }
    },
    async cancel(reason) {
      ended = true;
      finish(`the caller closed the connection${reason ? `: ${readFailure(reason)}` : ""}`);
      await reader.cancel(reason).catch(() => {});
    },
  });
}

/**
 * Reads an Ollama answer to its end through the meter (for OpenAI answers that are not
 * streamed, and for `/api/embed`); returns the measurement (also given to `onFinish`).
 *
 * @example
 * ```ts ignore
 * const m = await drainOllama(upstream.body!, meter);
 * return Response.json(chatCompletion(identity, { text: m.response, ... }));
 * ```
 */
export async function drainOllama(
  body: ReadableStream<Uint8Array>,
  meter: StreamMeter,
  onFinish: FinishHandler = () => {},
): Promise<CallMeasurement> {
  const splitter = new NdjsonSplitter();
  let measurement: CallMeasurement | null = null;
  const finish = once(meter, (m, mt) => {
    measurement = m;
    onFinish(m, mt);
  });
  try {
    for await (const chunk of body) {
      for (const v of splitter.push(chunk)) meter.push(v);
    }
    for (const v of splitter.end()) meter.push(v);
  } catch (error) {
    meter.fail({ type: "broken_stream", message: `Ollama's answer failed: ${readFailure(error)}` });
  }
  finish();
  return measurement!;
}
