/**
 * Spans made by the real OpenTelemetry JS SDK for the OTLP tests: a tracer whose finished spans
 * are collected in memory, and the SDK's own OTLP serializers (protobuf and JSON). Test-only.
 *
 * @module
 */

import { type Attributes, SpanKind } from "@opentelemetry/api";
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { JsonTraceSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";

/** What one SDK span is made of. */
export interface SpanSpec {
  name: string;
  attributes?: Attributes;
  /** Milliseconds since the epoch (default: now). */
  startMs?: number;
  durationMs?: number;
  error?: string;
  events?: { name: string; attributes?: Attributes }[];
}

/**
 * Finished spans recorded by the SDK for the given specs (one resource, one scope).
 *
 * @example
 * ```ts
 * const spans = await sdkSpans([{ name: "chat m", attributes: { "gen_ai.operation.name": "chat" } }]);
 * ```
 */
export async function sdkSpans(
  specs: readonly SpanSpec[],
  resource: Attributes = { "service.name": "sdk-test-app" },
): Promise<ReadableSpan[]> {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes(resource),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer("gateway-tests", "1.0.0");
  for (const spec of specs) {
    const start = spec.startMs ?? Date.now();
    const span = tracer.startSpan(spec.name, {
      kind: SpanKind.CLIENT,
      attributes: spec.attributes,
      startTime: start,
    });
    for (const e of spec.events ?? []) span.addEvent(e.name, e.attributes);
    if (spec.error) span.setStatus({ code: 2, message: spec.error });
    span.end(start + (spec.durationMs ?? 250));
  }
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  await provider.shutdown();
  return spans;
}

/** The SDK's protobuf `ExportTraceServiceRequest` of spans. */
export function sdkProtobuf(spans: ReadableSpan[]): Uint8Array {
  const bytes = ProtobufTraceSerializer.serializeRequest(spans);
  if (!bytes) throw new Error("the SDK serialized nothing");
  return bytes;
}

/** The SDK's OTLP JSON `ExportTraceServiceRequest` of spans, as text. */
export function sdkJson(spans: ReadableSpan[]): string {
  const bytes = JsonTraceSerializer.serializeRequest(spans);
  if (!bytes) throw new Error("the SDK serialized nothing");
  return new TextDecoder().decode(bytes);
}

/** A chat span with the v1.41 GenAI attributes. */
export function chatSpanSpec(
  overrides: Partial<SpanSpec> & { attributes?: Attributes } = {},
): SpanSpec {
  return {
    name: "chat smollm2:135m",
    durationMs: 1_500,
    ...overrides,
    attributes: {
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openai",
      "gen_ai.request.model": "smollm2:135m",
      "gen_ai.request.temperature": 0.2,
      "gen_ai.request.top_p": 0.9,
      "gen_ai.request.max_tokens": 64,
      "gen_ai.request.seed": 11,
      "gen_ai.response.model": "smollm2:135m-q4",
      "gen_ai.response.finish_reasons": ["stop"],
      "gen_ai.usage.input_tokens": 21,
      "gen_ai.usage.output_tokens": 9,
      "gen_ai.response.time_to_first_chunk": 0.125,
      "gen_ai.input.messages": JSON.stringify([
        { role: "system", parts: [{ type: "text", content: "Be brief." }] },
        { role: "user", parts: [{ type: "text", content: "Hi" }] },
        { role: "assistant", parts: [{ type: "text", content: "Hello" }] },
        { role: "user", parts: [{ type: "text", content: "What is Kafka?" }] },
      ]),
      "gen_ai.output.messages": JSON.stringify([
        {
          role: "assistant",
          parts: [{ type: "text", content: "A distributed log." }],
          finish_reason: "stop",
        },
      ]),
      "user.id": "ada",
      "session.id": "chat-7",
      ...overrides.attributes,
    },
  };
}
