/**
 * Mapping OpenTelemetry GenAI spans (semantic conventions v1.41, and the deprecated names still
 * sent by older instrumentations) onto `llm.response.v2` events with `source: "otlp"` (a
 * multi-turn conversation sent in `messages`). Spans
 * that are not model calls are skipped and counted by reason; GenAI spans that cannot make a
 * valid event are rejected with a reason (the OTLP answer's `partialSuccess`). Free of `Deno.*`.
 *
 * Read: `gen_ai.operation.name`, `gen_ai.provider.name` (or `gen_ai.system`),
 * `gen_ai.request.model|temperature|top_p|max_tokens|seed`, `gen_ai.response.model|
 * finish_reasons`, `gen_ai.usage.input_tokens|output_tokens` (or `prompt_tokens|
 * completion_tokens`), `gen_ai.input.messages`, `gen_ai.output.messages`,
 * `gen_ai.system_instructions` (JSON text or structured values), OpenLLMetry's indexed
 * `gen_ai.prompt.N.*`/`gen_ai.completion.N.*`, the older message events (`gen_ai.user.message`,
 * `gen_ai.choice`…), `error.type`, the span status, `user.id`, `session.id` (or
 * `gen_ai.conversation.id`), `gen_ai.response.time_to_first_chunk` (seconds) and the resource's
 * `service.name`.
 *
 * @module
 */

import { EventValidationError, LIMITS, type LlmErrorType } from "../events/mod.ts";
import {
  eventParams,
  fitMessages,
  fitText,
  type GatewayResponseEvent,
  isMultiTurn,
  PROMPT_NOT_RECORDED,
  validateGatewayResponse,
} from "./event_fields.ts";
import type { ChatMessage, ChatRole } from "./model_call.ts";
import type { AttrMap, AttrValue, OtlpSpan, OtlpTraceRequest } from "./otlp_types.ts";
import { ANONYMOUS_USER } from "./request_meta.ts";

/** Operations that are model calls and become response events by default. */
export const GENAI_INFERENCE_OPERATIONS: ReadonlySet<string> = new Set([
  "chat",
  "text_completion",
  "generate_content",
]);

/** Options of {@linkcode mapGenAiSpans}. */
export interface GenAiMapOptions {
  /** `worker_id` of the events (for example the gateway instance). */
  workerId: string;
  /** Operations mapped to events (default {@linkcode GENAI_INFERENCE_OPERATIONS}). */
  operations?: ReadonlySet<string>;
  /** Validate every event against the contract (default true). */
  validate?: boolean;
}

/** One span mapped to an event. */
export interface MappedSpan {
  event: GatewayResponseEvent;
  /** The conversation, input then output (for a versioned event). */
  messages: ChatMessage[];
  /** `gen_ai.provider.name` (or `gen_ai.system`), "unknown" when absent. */
  provider: string;
  operation: string;
  /** Parameters the span did not carry (recorded with defaults). */
  defaulted: string[];
}

/** The outcome of mapping one request. */
export interface GenAiMapResult {
  mapped: MappedSpan[];
  /** Spans that are not model calls, by reason ("not GenAI", "operation execute_tool"…). */
  skipped: Record<string, number>;
  skippedCount: number;
  /** GenAI spans refused. */
  rejectedCount: number;
  /** The first reasons for refusals (at most 5), for `partialSuccess.errorMessage`. */
  rejectedReasons: string[];
}

/** A span refused with a reason. */
export class SpanRejection extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SpanRejection";
  }
}

function attrString(attrs: AttrMap, key: string): string | undefined {
  const v = attrs[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  throw new SpanRejection(`${key} must be a string, found ${describe(v)}`);
}

function describe(v: AttrValue): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (v instanceof Uint8Array) return "bytes";
  return typeof v;
}

function attrNumber(attrs: AttrMap, key: string): number | undefined {
  const v = attrs[key];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  if (!Number.isFinite(n)) {
    throw new SpanRejection(`${key} must be a finite number, found ${describe(v)}`);
  }
  return n;
}

function attrCount(attrs: AttrMap, key: string): number | undefined {
  const n = attrNumber(attrs, key);
  if (n === undefined) return undefined;
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new SpanRejection(`${key} must be a non-negative integer, found ${n}`);
  }
  return n;
}

function firstDefined<T>(...values: (T | undefined)[]): T | undefined {
  for (const v of values) if (v !== undefined) return v;
  return undefined;
}

const ROLE_OF: Record<string, ChatRole> = {
  system: "system",
  developer: "system",
  user: "user",
  human: "user",
  assistant: "assistant",
  ai: "assistant",
  model: "assistant",
  tool: "tool",
  function: "tool",
};

/** A structured attribute value as plain JSON-like data. */
function plain(v: AttrValue): unknown {
  if (v instanceof Uint8Array) return null;
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      Object.defineProperty(out, k, { value: plain(v[k]), enumerable: true });
    }
    return out;
  }
  return v;
}

/** A messages attribute (JSON text or structured) as data, or undefined when absent. */
function messagesData(attrs: AttrMap, key: string): unknown[] | undefined {
  const v = attrs[key];
  if (v === undefined || v === null) return undefined;
  let data: unknown;
  if (typeof v === "string") {
    try {
      data = JSON.parse(v);
    } catch {
      throw new SpanRejection(`${key} is not valid JSON`);
    }
  } else data = plain(v);
  if (!Array.isArray(data)) throw new SpanRejection(`${key} must be an array of messages`);
  return data;
}

/** The text of one message in any of the shapes in use: `parts`, `content` text or parts. */
function messageText(m: Record<string, unknown>): string {
  const fromParts = (parts: unknown[]): string => {
    let text = "";
    for (const p of parts) {
      if (typeof p === "string") text += p;
      else if (typeof p === "object" && p !== null) {
        const part = p as Record<string, unknown>;
        if (
          (part.type === "text" || part.type === undefined) && typeof part.content === "string"
        ) text += part.content;
        else if (part.type === "text" && typeof part.text === "string") text += part.text;
      }
    }
    return text;
  };
  if (Array.isArray(m.parts)) return fromParts(m.parts);
  if (typeof m.content === "string") return m.content;
  if (Array.isArray(m.content)) return fromParts(m.content);
  if (typeof m.message === "object" && m.message !== null) {
    return messageText(m.message as Record<string, unknown>);
  }
  return "";
}

function toMessages(data: unknown[], defaultRole: ChatRole): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const item of data) {
    if (typeof item !== "object" || item === null || Array.isArray(item)) continue;
    const m = item as Record<string, unknown>;
    const role = typeof m.role === "string" && Object.hasOwn(ROLE_OF, m.role)
      ? ROLE_OF[m.role]
      : defaultRole;
    out.push({ role, content: messageText(m) });
  }
  return out;
}

/** OpenLLMetry's `gen_ai.prompt.N.role|content` (or completion) attributes. */
function indexedMessages(attrs: AttrMap, prefix: string, defaultRole: ChatRole): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (let i = 0; i < 1_000; i++) {
    const content = attrs[`${prefix}.${i}.content`];
    const role = attrs[`${prefix}.${i}.role`];
    if (content === undefined && role === undefined) break;
    out.push({
      role: typeof role === "string" && Object.hasOwn(ROLE_OF, role) ? ROLE_OF[role] : defaultRole,
      content: typeof content === "string" ? content : "",
    });
  }
  return out;
}

/** The deprecated per-message events (`gen_ai.user.message`, `gen_ai.choice`…). */
function eventMessages(span: OtlpSpan): { input: ChatMessage[]; output: ChatMessage[] } {
  const input: ChatMessage[] = [];
  const output: ChatMessage[] = [];
  for (const e of span.events) {
    const roleName = /^gen_ai\.(system|user|assistant|tool)\.message$/.exec(e.name)?.[1];
    const content = e.attributes.content;
    if (roleName) {
      input.push({
        role: roleName as ChatRole,
        content: typeof content === "string" ? content : "",
      });
    } else if (e.name === "gen_ai.choice") {
      const message = plain(e.attributes.message ?? null) as Record<string, unknown> | null;
      const text = typeof content === "string"
        ? content
        : message && typeof message === "object"
        ? messageText(message)
        : "";
      output.push({ role: "assistant", content: text });
    }
  }
  return { input, output };
}

function conversation(span: OtlpSpan): { input: ChatMessage[]; output: ChatMessage[] } {
  const attrs = span.attributes;
  let inputData = messagesData(attrs, "gen_ai.input.messages");
  let outputData = messagesData(attrs, "gen_ai.output.messages");
  // v1.37+ may carry them on an operation-details event instead of the span.
  for (const e of span.events) {
    if (inputData === undefined) inputData = messagesData(e.attributes, "gen_ai.input.messages");
    if (outputData === undefined) {
      outputData = messagesData(e.attributes, "gen_ai.output.messages");
    }
  }
  let input = inputData
    ? toMessages(inputData, "user")
    : indexedMessages(attrs, "gen_ai.prompt", "user");
  let output = outputData
    ? toMessages(outputData, "assistant")
    : indexedMessages(attrs, "gen_ai.completion", "assistant");
  if (input.length === 0 || output.length === 0) {
    const fromEvents = eventMessages(span);
    if (input.length === 0) input = fromEvents.input;
    if (output.length === 0) output = fromEvents.output;
  }
  const instructions = messagesData(attrs, "gen_ai.system_instructions");
  if (instructions && instructions.length > 0) {
    const text = messageText({ parts: instructions });
    if (text !== "") input = [{ role: "system", content: text }, ...input];
  }
  return { input, output };
}

/**
 * The event's error type for an `error.type` value and status message.
 *
 * @example
 * ```ts
 * errorTypeOf("timeout", ""); // "timeout"
 * errorTypeOf("404", "model not found"); // "model_not_found"
 * ```
 */
export function errorTypeOf(errorType: string, message: string): LlmErrorType {
  const text = `${errorType} ${message}`;
  if (/time(d)?\s?out|deadline/i.test(text)) return "timeout";
  if (/refused|unreachable|connect(ion)?error|ECONNREFUSED|connection/i.test(text)) {
    return "connection_refused";
  }
  if (/^404$|notfound|not[ _]found/i.test(errorType) || /model.*not found/i.test(message)) {
    return "model_not_found";
  }
  if (/cancel|abort/i.test(text)) return "aborted";
  if (/^[45]\d\d$|http|APIError|status/i.test(errorType)) return "http_error";
  return "unknown";
}

const NS_PER_MS = 1e6;

/**
 * A request id (UUID, version 8) made from a span's trace and span ids, so a span sent again
 * (an exporter's retry) gets the same id and consumers drop the duplicate.
 *
 * @example
 * ```ts
 * spanRequestId("5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174");
 * // "5b8efff7-9803-8103-9269-b633813fc60c" xor-mixed with the span id
 * ```
 */
export function spanRequestId(traceId: string, spanId: string): string {
  const hex = traceId.split("");
  for (let i = 0; i < 16; i++) {
    hex[16 + i] = (parseInt(hex[16 + i], 16) ^ parseInt(spanId[i], 16)).toString(16);
  }
  hex[12] = "8";
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const h = hex.join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function isGenAi(attrs: AttrMap): boolean {
  for (const key in attrs) if (key.startsWith("gen_ai.")) return true;
  return false;
}

function idText(value: string | undefined, fallback?: string): string | undefined {
  if (value === undefined) return fallback;
  const text = fitText(value.trim(), LIMITS.idChars);
  return text === "" ? fallback : text;
}

function tagValue(value: string): string {
  return fitText(value, LIMITS.idChars);
}

/**
 * Maps one GenAI span. Returns the mapped span, or throws {@linkcode SpanRejection} with the
 * reason it cannot make a valid event.
 *
 * @example
 * ```ts
 * const mapped = mapGenAiSpan(span, resourceAttributes, { workerId: "otlp-1" });
 * mapped.event.source; // "otlp"
 * ```
 */
export function mapGenAiSpan(
  span: OtlpSpan,
  resource: AttrMap,
  options: GenAiMapOptions,
): MappedSpan {
  const attrs = span.attributes;
  if (span.traceId === "" || span.spanId === "") {
    throw new SpanRejection("a span needs a 16-byte trace id and an 8-byte span id");
  }
  if (span.startTimeUnixNano <= 0) throw new SpanRejection("a span needs a start time");
  if (span.endTimeUnixNano < span.startTimeUnixNano) {
    throw new SpanRejection("a span must not end before it starts");
  }
  const operation = attrString(attrs, "gen_ai.operation.name") ??
    attrString(attrs, "llm.request.type") ?? "chat";
  const provider = attrString(attrs, "gen_ai.provider.name") ??
    attrString(attrs, "gen_ai.system") ?? "unknown";
  const model = attrString(attrs, "gen_ai.request.model") ??
    attrString(attrs, "gen_ai.response.model");
  if (model === undefined || model.trim() === "") {
    throw new SpanRejection("a GenAI span needs gen_ai.request.model or gen_ai.response.model");
  }
  if (model.length > LIMITS.idChars) {
    throw new SpanRejection(`gen_ai.request.model must be at most ${LIMITS.idChars} characters`);
  }
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001F\u007F]/.test(model)) {
    throw new SpanRejection("gen_ai.request.model must not contain control characters");
  }
  const inputTokens = firstDefined(
    attrCount(attrs, "gen_ai.usage.input_tokens"),
    attrCount(attrs, "gen_ai.usage.prompt_tokens"),
  ) ?? 0;
  const outputTokens = firstDefined(
    attrCount(attrs, "gen_ai.usage.output_tokens"),
    attrCount(attrs, "gen_ai.usage.completion_tokens"),
  ) ?? 0;
  const ttftS = firstDefined(
    attrNumber(attrs, "gen_ai.response.time_to_first_chunk"),
    attrNumber(attrs, "gen_ai.response.time_to_first_token"),
  );
  if (ttftS !== undefined && ttftS < 0) {
    throw new SpanRejection("gen_ai.response.time_to_first_chunk must not be negative");
  }
  const seed = attrNumber(attrs, "gen_ai.request.seed");
  const maxTokens = attrNumber(attrs, "gen_ai.request.max_tokens");
  const { params, defaulted } = eventParams({
    temperature: attrNumber(attrs, "gen_ai.request.temperature"),
    top_p: attrNumber(attrs, "gen_ai.request.top_p"),
    max_tokens: maxTokens,
    seed: seed !== undefined && Number.isSafeInteger(seed) ? seed : undefined,
  });
  const { input, output } = conversation(span);
  const userIdx = input.findLastIndex((m) => m.role === "user");
  const promptText = userIdx >= 0
    ? input[userIdx].content
    : input.findLast((m) => m.role !== "system")?.content ?? "";
  const system = input.filter((m) => m.role === "system").map((m) => m.content).join("\n\n");
  const responseText = output.map((m) => m.content).join("\n");

  const errorType = attrString(attrs, "error.type");
  const failed = span.status.code === 2 || errorType !== undefined;
  const statusMessage = span.status.message;

  const latencyMs = (span.endTimeUnixNano - span.startTimeUnixNano) / NS_PER_MS;
  const tsStart = Math.floor(span.startTimeUnixNano / NS_PER_MS);
  const tsEnd = Math.max(tsStart, Math.ceil(span.endTimeUnixNano / NS_PER_MS));
  const finishReasons = attrs["gen_ai.response.finish_reasons"];
  const finish = Array.isArray(finishReasons) && typeof finishReasons[0] === "string"
    ? finishReasons[0]
    : typeof finishReasons === "string"
    ? finishReasons
    : undefined;
  const service = attrString(resource, "service.name");
  const responseModel = attrString(attrs, "gen_ai.response.model");

  const tags: Record<string, string> = {
    provider: tagValue(provider),
    operation: tagValue(operation),
    trace_id: span.traceId,
    span_id: span.spanId,
  };
  if (service !== undefined) tags.service = tagValue(service);
  if (finish !== undefined) tags.finish_reason = tagValue(finish);
  if (responseModel !== undefined && responseModel !== model) {
    tags.response_model = tagValue(responseModel);
  }

  const user = idText(
    attrString(attrs, "user.id") ?? attrString(attrs, "enduser.id"),
    ANONYMOUS_USER,
  )!;
  const session = idText(
    attrString(attrs, "session.id") ?? attrString(attrs, "gen_ai.conversation.id"),
  );
  const latency = Math.round(latencyMs * 1000) / 1000;
  const response = fitText(responseText, LIMITS.responseChars);
  const sent = isMultiTurn(input) ? fitMessages(input, LIMITS.promptChars) : [];
  const event: GatewayResponseEvent = {
    schema: "llm.response.v2",
    request_id: spanRequestId(span.traceId, span.spanId),
    ts: tsStart,
    prompt: promptText === "" ? PROMPT_NOT_RECORDED : fitText(promptText, LIMITS.promptChars),
    ...(system === "" ? {} : { system: fitText(system, LIMITS.systemChars) }),
    model,
    params,
    user_id: user,
    ...(session === undefined ? {} : { session_id: session }),
    source: "otlp",
    tags,
    ...(sent.length > 0 ? { messages: sent } : {}),
    ts_start: tsStart,
    ts_end: tsEnd,
    status: failed ? "error" : "success",
    ...(failed
      ? {
        error: {
          type: errorTypeOf(errorType ?? "", statusMessage),
          message: fitText(
            [errorType, statusMessage].filter((s) => s !== undefined && s !== "").join(": ") ||
              "the span's status is ERROR",
            4_000,
          ),
        },
      }
      : {}),
    response,
    latency_ms: latency,
    ttft_ms: ttftS === undefined ? null : Math.round(ttftS * 1e6) / 1000,
    prompt_tokens: inputTokens,
    completion_tokens: outputTokens,
    tokens_per_s: latencyMs > 0 ? Math.round(outputTokens / (latencyMs / 1000) * 1000) / 1000 : 0,
    response_chars: response.length,
    total_duration_ns: null,
    load_duration_ns: null,
    prompt_eval_duration_ns: null,
    eval_duration_ns: null,
    worker_id: options.workerId,
  };
  let checked = event;
  if (options.validate !== false) {
    try {
      checked = validateGatewayResponse(event);
    } catch (error) {
      if (error instanceof EventValidationError) throw new SpanRejection(error.message);
      throw error;
    }
  }
  const messages = [...input, ...output].map((m) => ({
    role: m.role,
    content: fitText(m.content, LIMITS.promptChars),
  }));
  return { event: checked, messages, provider, operation, defaulted };
}

/**
 * Maps every span of a decoded request: GenAI model calls become events, other spans are
 * skipped by reason, GenAI spans that cannot be mapped are rejected with their reason.
 *
 * @example
 * ```ts
 * const result = mapGenAiSpans(decodeOtlpJson(body), { workerId: "gateway-1" });
 * result.mapped.length; // model calls in the request
 * ```
 */
export function mapGenAiSpans(request: OtlpTraceRequest, options: GenAiMapOptions): GenAiMapResult {
  const operations = options.operations ?? GENAI_INFERENCE_OPERATIONS;
  const result: GenAiMapResult = {
    mapped: [],
    skipped: {},
    skippedCount: 0,
    rejectedCount: 0,
    rejectedReasons: [],
  };
  const skip = (reason: string) => {
    result.skipped[reason] = (result.skipped[reason] ?? 0) + 1;
    result.skippedCount++;
  };
  for (const rs of request.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      for (const span of ss.spans) {
        if (!isGenAi(span.attributes)) {
          skip("not a GenAI span");
          continue;
        }
        const op = span.attributes["gen_ai.operation.name"];
        if (typeof op === "string" && !operations.has(op)) {
          skip(`operation ${op.slice(0, 40)}`);
          continue;
        }
        try {
          result.mapped.push(mapGenAiSpan(span, rs.resource, options));
        } catch (error) {
          if (!(error instanceof SpanRejection)) throw error;
          result.rejectedCount++;
          if (result.rejectedReasons.length < 5) {
            result.rejectedReasons.push(`span ${span.spanId || "?"}: ${error.message}`);
          }
        }
      }
    }
  }
  return result;
}
