/**
 * Every call as an MLflow trace: a response event becomes one OTLP span (OTLP JSON) with the
 * GenAI attributes MLflow's OTLP intake reads (`gen_ai.*`, `user.id`, `session.id`,
 * `mlflow.traceTag.*`), posted to MLflow's `POST /v1/traces` (MLflow ≥ 3.6).
 *
 * What MLflow 3.17's endpoint requires (read from its server, mlflow/server/otel_api.py, and
 * checked against a running server): the header `x-mlflow-experiment-id` (required; 422
 * without it), optionally `x-mlflow-run-id` to link the trace to a run; `Content-Type`
 * `application/x-protobuf` or `application/json` (OTLP JSON with hex ids), optional gzip; the
 * answer is an empty protobuf `ExportTraceServiceResponse` with 200. The MLflow trace id is
 * `tr-<32 hex of the OTLP trace id>`; the trace id here is the request id's hex, so a replayed
 * event writes the same trace again (MLflow keeps one) and a trace is found from its request
 * id. MLflow turns `gen_ai.input.messages`/`gen_ai.output.messages` into the trace's request
 * and response previews, the usage attributes into `mlflow.trace.tokenUsage`, `user.id` and
 * `session.id` into `mlflow.trace.user`/`mlflow.trace.session`, `mlflow.traceTag.<k>` on a root
 * span into trace tags. No `mlflow.*` span attribute is needed for the experiment link.
 *
 * @module
 */

import { MlflowError } from "../mlflow/client.ts";
import type { ChatMessage } from "./model_call.ts";

/** The part of a response event a trace is made from (`llm.response.v1`, any source). */
export interface TracedResponse {
  request_id: string;
  model: string;
  prompt: string;
  system?: string;
  params: { temperature: number; top_p: number; num_predict: number; seed?: number };
  user_id: string;
  session_id?: string;
  source: string;
  tags?: Readonly<Record<string, string>>;
  ts_start: number;
  status: "success" | "error";
  error?: { type: string; message: string };
  response: string;
  latency_ms: number;
  ttft_ms: number | null;
  prompt_tokens: number;
  completion_tokens: number;
  tokens_per_s: number;
  total_duration_ns: number | null;
  load_duration_ns: number | null;
  prompt_eval_duration_ns: number | null;
  eval_duration_ns: number | null;
}

/** One call to export: its event and, for a multi-turn chat, the conversation sent. */
export interface TraceExportItem {
  event: TracedResponse;
  /** The messages sent to the model (without the answer); default: system + prompt. */
  messages?: readonly ChatMessage[];
}

/** The service name on the exported traces' resource. */
export const TRACE_SERVICE_NAME = "llmops-workbench";

/**
 * The OTLP trace id (32 hex) of a request id.
 *
 * @example
 * ```ts
 * otlpTraceIdOf("0b9f8c1e-2a3d-4e5f-8a7b-1c2d3e4f5a6b"); // "0b9f8c1e2a3d4e5f8a7b1c2d3e4f5a6b"
 * ```
 */
export function otlpTraceIdOf(requestId: string): string {
  const hex = requestId.replace(/-/g, "").toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex) || /^0+$/.test(hex)) {
    throw new TypeError(`a request id must be a non-zero UUID, found "${requestId.slice(0, 60)}"`);
  }
  return hex;
}

/**
 * MLflow's trace id of a request id (`tr-` and the OTLP trace id).
 *
 * @example
 * ```ts
 * mlflowTraceIdOf("0b9f8c1e-2a3d-4e5f-8a7b-1c2d3e4f5a6b"); // "tr-0b9f8c1e2a3d4e5f8a7b1c2d3e4f5a6b"
 * ```
 */
export function mlflowTraceIdOf(requestId: string): string {
  return `tr-${otlpTraceIdOf(requestId)}`;
}

type JsonAny =
  | { stringValue: string }
  | { intValue: string }
  | { doubleValue: number }
  | { boolValue: boolean }
  | { arrayValue: { values: JsonAny[] } };

function kv(key: string, value: JsonAny) {
  return { key, value };
}

const str = (v: string): JsonAny => ({ stringValue: v });
const int = (v: number): JsonAny => ({ intValue: String(Math.round(v)) });
const dbl = (v: number): JsonAny => ({ doubleValue: v });

function textMessages(messages: readonly ChatMessage[]) {
  return messages.map((m) => ({ role: m.role, parts: [{ type: "text", content: m.content }] }));
}

/**
 * The OTLP JSON span of one call.
 *
 * @example
 * ```ts
 * const span = responseSpan({ event });
 * span.name; // "chat smollm2:135m"
 * ```
 */
export function responseSpan(item: TraceExportItem) {
  const e = item.event;
  const traceId = otlpTraceIdOf(e.request_id);
  const spanId = /^0+$/.test(traceId.slice(16)) ? "0000000000000001" : traceId.slice(16);
  const operation = e.tags?.operation ?? "chat";
  const start = BigInt(Math.max(0, Math.round(e.ts_start))) * 1_000_000n;
  const end = start + BigInt(Math.max(0, Math.round(e.latency_ms * 1e6)));
  const input = item.messages ??
    [
      ...(e.system ? [{ role: "system" as const, content: e.system }] : []),
      { role: "user" as const, content: e.prompt },
    ];
  const finish = e.tags?.finish_reason;
  const attributes = [
    kv("gen_ai.operation.name", str(operation)),
    kv("gen_ai.provider.name", str(e.tags?.provider ?? "ollama")),
    kv("gen_ai.request.model", str(e.model)),
    kv("gen_ai.response.model", str(e.tags?.response_model ?? e.model)),
    kv("gen_ai.request.temperature", dbl(e.params.temperature)),
    kv("gen_ai.request.top_p", dbl(e.params.top_p)),
    kv("gen_ai.request.max_tokens", int(e.params.num_predict)),
    ...(e.params.seed === undefined ? [] : [kv("gen_ai.request.seed", int(e.params.seed))]),
    kv("gen_ai.usage.input_tokens", int(e.prompt_tokens)),
    kv("gen_ai.usage.output_tokens", int(e.completion_tokens)),
    kv("gen_ai.input.messages", str(JSON.stringify(textMessages(input)))),
    kv(
      "gen_ai.output.messages",
      str(JSON.stringify([{
        role: "assistant",
        parts: [{ type: "text", content: e.response }],
        ...(finish ? { finish_reason: finish } : {}),
      }])),
    ),
    ...(finish
      ? [kv("gen_ai.response.finish_reasons", { arrayValue: { values: [str(finish)] } })]
      : []),
    ...(e.ttft_ms === null
      ? []
      : [kv("gen_ai.response.time_to_first_chunk", dbl(e.ttft_ms / 1000))]),
    ...(e.status === "error" ? [kv("error.type", str(e.error?.type ?? "unknown"))] : []),
    kv("user.id", str(e.user_id)),
    ...(e.session_id === undefined ? [] : [kv("session.id", str(e.session_id))]),
    kv("llmops.request_id", str(e.request_id)),
    kv("llmops.source", str(e.source)),
    kv("llmops.latency_ms", dbl(e.latency_ms)),
    kv("llmops.tokens_per_s", dbl(e.tokens_per_s)),
    ...([
      ["llmops.ollama.total_duration_ns", e.total_duration_ns],
      ["llmops.ollama.load_duration_ns", e.load_duration_ns],
      ["llmops.ollama.prompt_eval_duration_ns", e.prompt_eval_duration_ns],
      ["llmops.ollama.eval_duration_ns", e.eval_duration_ns],
    ] as const).filter(([, v]) => v !== null).map(([k, v]) => kv(k, int(v!))),
    kv("mlflow.traceTag.request_id", str(e.request_id)),
    kv("mlflow.traceTag.source", str(e.source)),
    ...Object.entries(e.tags ?? {})
      .filter(([k]) => /^[\w.\-: /]{1,200}$/.test(k) && k !== "request_id" && k !== "source")
      .map(([k, v]) => kv(`mlflow.traceTag.${k}`, str(v))),
  ];
  return {
    traceId,
    spanId,
    name: `${operation} ${e.model}`,
    kind: 3, // CLIENT
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: end.toString(),
    attributes,
    status: e.status === "error"
      ? { code: 2, message: (e.error?.message ?? "error").slice(0, 4_000) }
      : { code: 1 },
  };
}

/**
 * An OTLP JSON `ExportTraceServiceRequest` with one span (one trace) per call.
 *
 * @example
 * ```ts
 * const body = JSON.stringify(responsesToOtlpJson([{ event }]));
 * ```
 */
export function responsesToOtlpJson(items: readonly TraceExportItem[]) {
  return {
    resourceSpans: [{
      resource: { attributes: [kv("service.name", str(TRACE_SERVICE_NAME))] },
      scopeSpans: [{
        scope: { name: "llmops-workbench/gateway", version: "1" },
        spans: items.map(responseSpan),
      }],
    }],
  };
}

/** Where and how to export traces. */
export interface MlflowTraceExportOptions {
  /** MLflow's base URL, for example http://127.0.0.1:5000. */
  trackingUri: string;
  experimentId: string;
  /** Links the traces to this run (MLflow's `x-mlflow-run-id`; one run per request). */
  runId?: string;
  /** Extra headers (for example Authorization). */
  headers?: Record<string, string>;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

/**
 * Posts calls to MLflow's OTLP endpoint as traces. Throws lib/mlflow's `MlflowError` (status 0
 * when unreachable; `transient` for 429/5xx) so a sink can retry like its run writes.
 *
 * @example
 * ```ts ignore
 * await exportTracesToMlflow([{ event }], {
 *   trackingUri: "http://127.0.0.1:5000",
 *   experimentId: "1",
 * });
 * ```
 */
export async function exportTracesToMlflow(
  items: readonly TraceExportItem[],
  options: MlflowTraceExportOptions,
): Promise<void> {
  if (items.length === 0) return;
  const url = `${options.trackingUri.replace(/\/+$/, "")}/v1/traces`;
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-mlflow-experiment-id": options.experimentId,
        ...(options.runId ? { "x-mlflow-run-id": options.runId } : {}),
        ...options.headers,
      },
      body: JSON.stringify(responsesToOtlpJson(items)),
      signal: options.signal,
    });
  } catch (error) {
    throw new MlflowError(0, (error as Error).message, "/v1/traces");
  }
  const text = await response.text();
  if (!response.ok) throw new MlflowError(response.status, text, "/v1/traces");
}
