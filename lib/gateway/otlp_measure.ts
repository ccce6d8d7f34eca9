/**
 * A micro-measurement of the OTLP intake's CPU cost: GenAI spans per second decoded from OTLP
 * JSON text and mapped to validated response events (no HTTP, no Kafka). For the gateway's
 * benchmark (`otlp.spans_per_s`, target 10,000 into Kafka); not a test.
 *
 * Run: `deno run lib/gateway/otlp_measure.ts [spans per request] [requests]`
 *
 * @module
 */

import { LIMITS } from "../events/mod.ts";
import { responsesToOtlpJson, type TraceExportItem } from "./mlflow_trace.ts";
import { decodeOtlpJson } from "./otlp_json.ts";
import { mapGenAiSpans } from "./otlp_genai.ts";

/** The outcome of {@linkcode measureOtlpJsonIntake}. */
export interface OtlpIntakeMeasurement {
  spansPerRequest: number;
  requests: number;
  /** Bytes of one request's JSON text. */
  requestBytes: number;
  /** Spans per second of the fastest request, decode + map with contract validation. */
  spansPerS: number;
  /** Spans per second, decode + map without validation. */
  spansPerSUnvalidated: number;
}

/** One OTLP JSON request of `n` chat spans shaped like an instrumented application's. */
export function sampleOtlpJson(n: number): string {
  const items: TraceExportItem[] = Array.from({ length: n }, (_, i) => ({
    event: {
      request_id: crypto.randomUUID(),
      model: "smollm2:135m",
      prompt: `Question ${i}: what does Kafka keep, and for how long?`,
      system: "Answer in one sentence.",
      params: { temperature: 0.7, top_p: 0.9, num_predict: 128 },
      user_id: `user-${i % 50}`,
      session_id: `session-${i % 200}`,
      source: "otlp",
      tags: { provider: "openai", operation: "chat" },
      ts_start: 1_760_000_000_000 + i,
      status: "success",
      response: "Kafka keeps an ordered, replicated log of records for a configured retention time."
        .slice(0, LIMITS.responseChars),
      latency_ms: 800 + (i % 400),
      ttft_ms: 90 + (i % 60),
      prompt_tokens: 40 + (i % 30),
      completion_tokens: 20 + (i % 40),
      tokens_per_s: 25,
      total_duration_ns: null,
      load_duration_ns: null,
      prompt_eval_duration_ns: null,
      eval_duration_ns: null,
    },
  }));
  return JSON.stringify(responsesToOtlpJson(items));
}

/** Spans per second of the fastest request (the machine's other load inflates the rest). */
function run(text: string, requests: number, validate: boolean): number {
  let best = Infinity;
  let mapped = 0;
  for (let r = 0; r < requests; r++) {
    const started = performance.now();
    const result = mapGenAiSpans(decodeOtlpJson(JSON.parse(text)), {
      workerId: "measure",
      validate,
    });
    best = Math.min(best, performance.now() - started);
    mapped = result.mapped.length;
  }
  return mapped / (best / 1000);
}

/**
 * Measures decode + map throughput on `requests` requests of `spansPerRequest` spans (after a
 * warm-up of a few requests).
 *
 * @example
 * ```ts ignore
 * const m = measureOtlpJsonIntake(512, 20);
 * console.log(Math.round(m.spansPerS));
 * ```
 */
export function measureOtlpJsonIntake(spansPerRequest = 512, requests = 20): OtlpIntakeMeasurement {
  const text = sampleOtlpJson(spansPerRequest);
  run(text, 3, true);
  run(text, 3, false);
  return {
    spansPerRequest,
    requests,
    requestBytes: new TextEncoder().encode(text).length,
    spansPerS: run(text, requests, true),
    spansPerSUnvalidated: run(text, requests, false),
  };
}

if (import.meta.main) {
  const spans = Number(Deno.args[0] ?? 512);
  const requests = Number(Deno.args[1] ?? 20);
  const m = measureOtlpJsonIntake(spans, requests);
  console.log(
    `OTLP JSON intake: ${m.requests} requests of ${m.spansPerRequest} GenAI spans ` +
      `(${Math.round(m.requestBytes / 1024)} KiB each): ` +
      `${Math.round(m.spansPerS)} spans/s decoded, mapped and validated; ` +
      `${Math.round(m.spansPerSUnvalidated)} spans/s without contract validation`,
  );
}
