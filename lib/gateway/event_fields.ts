/**
 * Turning a gateway call (or an OTLP span) into the fields of `llm.request.v1` and
 * `llm.response.v1`, with `source: "gateway" | "otlp"` and the conversation alongside for a
 * versioned event. Untrusted text is made to fit the contract (control characters replaced by
 * U+FFFD, lengths cut to lib/events' LIMITS); parameters the caller left out get the values the
 * model applies by default and are listed in `defaulted`. Free of `Deno.*`.
 *
 * @module
 */

import {
  LIMITS,
  parseRequestEvent,
  parseResponseEvent,
  type RequestEvent,
  type RequestParams,
  type ResponseEvent,
} from "../events/mod.ts";
import type { CallMeasurement } from "../llm/measured_chat.ts";
import { type AskedParams, type ChatMessage, type ModelCall, promptOf } from "./model_call.ts";
import type { RequestMeta } from "./request_meta.ts";

/** Sources of the events this module builds (lib/events will list them in `SourceSchema`). */
export type GatewaySource = "gateway" | "otlp";

/** `llm.request.v1` with the gateway's sources. */
export type GatewayRequestEvent = Omit<RequestEvent, "source"> & { source: GatewaySource };

/** `llm.response.v1` with the gateway's sources. */
export type GatewayResponseEvent = Omit<ResponseEvent, "source"> & { source: GatewaySource };

/**
 * Values recorded for parameters a caller left out: Ollama's own defaults for temperature and
 * top_p, and the contract's largest `num_predict` for "no limit".
 */
export const UNSET_PARAMS: Readonly<RequestParams> = Object.freeze({
  temperature: 0.8,
  top_p: 0.9,
  num_predict: LIMITS.maxTokens,
});

/** Text marking a prompt an instrumentation did not record (the contract needs one). */
export const PROMPT_NOT_RECORDED = "[prompt not recorded]";

// deno-lint-ignore no-control-regex
const CONTROL_GLOBAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/**
 * Makes untrusted text fit the contract: control characters other than tab, newline and
 * carriage return become U+FFFD, and the text is cut to `maxChars`.
 *
 * @example
 * ```ts
 * fitText("a\u0000b", 10); // "a\uFFFDb"
 * ```
 */
export function fitText(text: string, maxChars: number): string {
  const cut = text.length > maxChars ? text.slice(0, maxChars) : text;
  return cut.replace(CONTROL_GLOBAL, "\uFFFD");
}

/** The parameters an event records, and which of them were filled in or adjusted. */
export interface EventParams {
  params: RequestParams;
  /** Names the caller left out (recorded with {@linkcode UNSET_PARAMS}). */
  defaulted: string[];
  /** Names whose asked value lay outside the contract and was clamped into it. */
  adjusted: string[];
}

/**
 * The contract's parameters for what a caller asked: missing ones from
 * {@linkcode UNSET_PARAMS}, values outside the contract (temperature 0..2, top_p in (0, 1],
 * num_predict 1..8192) clamped into it. The call itself still goes to the model as asked.
 *
 * @example
 * ```ts
 * eventParams({ temperature: 0.2, max_tokens: 20_000 }).params;
 * // { temperature: 0.2, top_p: 0.9, num_predict: 8192 }
 * ```
 */
export function eventParams(asked: AskedParams): EventParams {
  const defaulted: string[] = [];
  const adjusted: string[] = [];
  const pick = (
    name: string,
    value: number | undefined,
    fallback: number,
    lo: number,
    hi: number,
  ) => {
    if (value === undefined || !Number.isFinite(value)) {
      defaulted.push(name);
      return fallback;
    }
    const clamped = Math.min(hi, Math.max(lo, value));
    if (clamped !== value) adjusted.push(name);
    return clamped;
  };
  const params: RequestParams = {
    temperature: pick("temperature", asked.temperature, UNSET_PARAMS.temperature, 0, 2),
    top_p: pick("top_p", asked.top_p, UNSET_PARAMS.top_p, 1e-6, 1),
    num_predict: Math.round(
      pick("num_predict", asked.max_tokens, UNSET_PARAMS.num_predict, 1, LIMITS.maxTokens),
    ),
  };
  if (asked.seed !== undefined && Number.isSafeInteger(asked.seed)) params.seed = asked.seed;
  return { params, defaulted, adjusted };
}

/** The conversation with each message fitted for an event (`maxChars` per message). */
export function fitMessages(messages: readonly ChatMessage[], maxChars: number): ChatMessage[] {
  return messages.map((m) => ({ role: m.role, content: fitText(m.content, maxChars) }));
}

/** What {@linkcode gatewayRequestEvent} needs besides the call. */
export interface GatewayEventContext {
  meta: RequestMeta;
  source: GatewaySource;
  /** Time the call arrived (epoch ms). */
  ts: number;
}

/** A request event, its conversation and the parameter notes. */
export interface BuiltRequest {
  event: GatewayRequestEvent;
  /** The whole conversation (each message fitted to the prompt limit), for a versioned event. */
  messages: ChatMessage[];
  defaulted: string[];
  adjusted: string[];
}

/**
 * Builds the request event of a call. The prompt is the last user message, the system prompt
 * the system messages; an empty prompt (an embeddings call or a chat without text) is recorded
 * as the texts to embed or {@linkcode PROMPT_NOT_RECORDED}.
 *
 * @example
 * ```ts
 * const { event } = gatewayRequestEvent(call, { meta, source: "gateway", ts: Date.now() });
 * event.source; // "gateway"
 * ```
 */
export function gatewayRequestEvent(call: ModelCall, context: GatewayEventContext): BuiltRequest {
  const { prompt, system } = promptOf(call.messages);
  const text = prompt !== "" ? prompt : call.input?.join("\n") ?? "";
  const { params, defaulted, adjusted } = eventParams(call.params);
  const event: GatewayRequestEvent = {
    schema: "llm.request.v1",
    request_id: context.meta.request_id,
    ts: Math.max(0, Math.round(context.ts)),
    prompt: text === "" ? PROMPT_NOT_RECORDED : fitText(text, LIMITS.promptChars),
    ...(system === undefined ? {} : { system: fitText(system, LIMITS.systemChars) }),
    model: call.model,
    params,
    user_id: context.meta.user_id,
    ...(context.meta.session_id === undefined ? {} : { session_id: context.meta.session_id }),
    source: context.source,
    ...(context.meta.tags === undefined ? {} : { tags: context.meta.tags }),
  };
  return {
    event,
    messages: fitMessages(call.messages, LIMITS.promptChars),
    defaulted,
    adjusted,
  };
}

/**
 * Joins a request event with its call's measurement into a response event (the response cut to
 * LIMITS.responseChars, like lib/llm's `toResponseEvent`).
 *
 * @example
 * ```ts
 * const response = gatewayResponseEvent(request.event, meter.finish(), "gateway-1");
 * ```
 */
export function gatewayResponseEvent(
  request: GatewayRequestEvent,
  measurement: CallMeasurement,
  workerId: string,
): GatewayResponseEvent {
  const response = measurement.response.length > LIMITS.responseChars
    ? measurement.response.slice(0, LIMITS.responseChars)
    : measurement.response;
  const error = measurement.error
    ? { type: measurement.error.type, message: measurement.error.message.slice(0, 4_000) }
    : undefined;
  return {
    ...request,
    ...measurement,
    ...(error ? { error } : {}),
    response,
    schema: "llm.response.v1",
    worker_id: workerId,
  };
}

/**
 * Validates a gateway request event against `llm.request.v1` (its source checked separately,
 * until lib/events lists "gateway" and "otlp"); throws lib/events' `EventValidationError`.
 *
 * @example
 * ```ts
 * validateGatewayRequest(request.event); // the same event, or throws
 * ```
 */
export function validateGatewayRequest(event: GatewayRequestEvent): GatewayRequestEvent {
  const parsed = parseRequestEvent({ ...event, source: "api" });
  return { ...parsed, source: checkSource(event.source) };
}

/**
 * Validates a gateway response event against `llm.response.v1` (source checked separately).
 *
 * @example
 * ```ts
 * validateGatewayResponse(responseEvent); // the same event, or throws
 * ```
 */
export function validateGatewayResponse(event: GatewayResponseEvent): GatewayResponseEvent {
  const parsed = parseResponseEvent({ ...event, source: "api" });
  return { ...parsed, source: checkSource(event.source) };
}

function checkSource(source: unknown): GatewaySource {
  if (source !== "gateway" && source !== "otlp") {
    throw new TypeError(`source must be "gateway" or "otlp", found ${String(source)}`);
  }
  return source;
}
