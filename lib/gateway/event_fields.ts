/**
 * Turning a gateway call (or an OTLP span) into `llm.request.v2` and `llm.response.v2` events
 * with `source: "gateway" | "otlp"` and the conversation in `messages`. Untrusted text is made
 * to fit the contract (control characters replaced by U+FFFD, lengths cut to lib/events'
 * LIMITS, the conversation kept within {@linkcode MESSAGES_BUDGET_CHARS}); parameters the caller
 * left out get the values the model applies by default and are listed in `defaulted`.
 * Free of `Deno.*`.
 *
 * @module
 */

import {
  LIMITS,
  MAX_MESSAGES,
  parseRequestEvent,
  parseResponseEvent,
  type RequestEvent,
  type RequestParams,
  type ResponseEvent,
} from "../events/mod.ts";
import type { CallMeasurement } from "../llm/measured_chat.ts";
import { type AskedParams, type ChatMessage, type ModelCall, promptOf } from "./model_call.ts";
import type { RequestMeta } from "./request_meta.ts";

/** Sources of the events this module builds. */
export type GatewaySource = "gateway" | "otlp";

/** `llm.request.v2` with the gateway's sources. */
export type GatewayRequestEvent = Omit<RequestEvent, "source" | "schema"> & {
  schema: "llm.request.v2";
  source: GatewaySource;
};

/** `llm.response.v2` with the gateway's sources. */
export type GatewayResponseEvent = Omit<ResponseEvent, "source" | "schema"> & {
  schema: "llm.response.v2";
  source: GatewaySource;
};

/**
 * Characters of the whole conversation an event keeps (its newest messages, in order): with the
 * prompt, system prompt and response at their caps, an event stays well under Kafka's 1 MB.
 */
export const MESSAGES_BUDGET_CHARS = 64_000;

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

/**
 * The conversation fitted for an event: each message's text fitted to `maxChars`, and only the
 * newest messages kept that fit {@linkcode MAX_MESSAGES} and `budgetChars` in all (oldest
 * dropped first; the newest message is always kept, cut to the budget if need be).
 *
 * @example
 * ```ts
 * fitMessages([{ role: "user", content: "a\u0000b" }], 10); // [{ role: "user", content: "a\uFFFDb" }]
 * ```
 */
export function fitMessages(
  messages: readonly ChatMessage[],
  maxChars: number,
  budgetChars: number = MESSAGES_BUDGET_CHARS,
): ChatMessage[] {
  const kept: ChatMessage[] = [];
  let left = budgetChars;
  for (let i = messages.length - 1; i >= 0 && kept.length < MAX_MESSAGES; i--) {
    const m = messages[i];
    const size = Math.min(m.content.length, maxChars);
    if (size > left && kept.length > 0) break;
    const content = fitText(m.content, Math.min(maxChars, Math.max(0, left)));
    kept.push({ role: m.role, content });
    left -= content.length;
  }
  return kept.reverse();
}

/**
 * True when a conversation holds more than its system prompt and one turn, so `prompt` and
 * `system` alone would lose part of it: only then does an event carry `messages`.
 *
 * @example
 * ```ts
 * isMultiTurn([{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }]); // false
 * ```
 */
export function isMultiTurn(messages: readonly ChatMessage[]): boolean {
  let turns = 0;
  for (const m of messages) if (m.role !== "system" && ++turns > 1) return true;
  return false;
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
  /** The conversation as the event keeps it (in `event.messages` when multi-turn). */
  messages: ChatMessage[];
  defaulted: string[];
  adjusted: string[];
}

/**
 * Builds the `llm.request.v2` event of a call. The prompt is the last user message, the system
 * prompt the system messages, and a multi-turn chat's conversation goes into `messages` (fitted
 * by {@linkcode fitMessages}; a single turn is all in `prompt` and `system`); an empty prompt (an embeddings call or a chat without text) is
 * recorded as the texts to embed or {@linkcode PROMPT_NOT_RECORDED}.
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
  const messages = fitMessages(call.messages, LIMITS.promptChars);
  const event: GatewayRequestEvent = {
    schema: "llm.request.v2",
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
    ...(isMultiTurn(call.messages) ? { messages } : {}),
  };
  return { event, messages, defaulted, adjusted };
}

/**
 * Joins a request event with its call's measurement into an `llm.response.v2` event (the
 * response cut to LIMITS.responseChars, like lib/llm's `toResponseEvent`; the conversation
 * carried over).
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
    schema: "llm.response.v2",
    worker_id: workerId,
  };
}

/**
 * Validates a gateway request event against `llm.request.v2` and its source; throws lib/events'
 * `EventValidationError` (or a TypeError for a source that is not the gateway's).
 *
 * @example
 * ```ts
 * validateGatewayRequest(request.event); // the same event, or throws
 * ```
 */
export function validateGatewayRequest(event: GatewayRequestEvent): GatewayRequestEvent {
  checkSource(event.source);
  return parseRequestEvent(event) as GatewayRequestEvent;
}

/**
 * Validates a gateway response event against `llm.response.v2` and its source.
 *
 * @example
 * ```ts
 * validateGatewayResponse(responseEvent); // the same event, or throws
 * ```
 */
export function validateGatewayResponse(event: GatewayResponseEvent): GatewayResponseEvent {
  checkSource(event.source);
  return parseResponseEvent(event) as GatewayResponseEvent;
}

function checkSource(source: unknown): GatewaySource {
  if (source !== "gateway" && source !== "otlp") {
    throw new TypeError(`source must be "gateway" or "otlp", found ${String(source)}`);
  }
  return source;
}
