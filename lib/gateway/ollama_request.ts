/**
 * The Ollama dialect's requests: `/api/chat`, `/api/generate` and `/api/embed` bodies checked
 * enough to know the model, the conversation or prompt and the options, and refused with
 * Ollama's `{"error":"…"}` (via {@linkcode GatewayError}) when malformed. The body itself is
 * forwarded to Ollama as the caller sent it. Free of `Deno.*`.
 *
 * @module
 */

import { LIMITS } from "../events/mod.ts";
import {
  field,
  isObject,
  type JsonObject,
  optionalBoolean,
  optionalNumber,
  optionalObject,
  optionalString,
  requireBodyObject,
  requireString,
} from "./_fields.ts";
import { GatewayError, invalidField } from "./errors.ts";
import type { AskedParams, ChatMessage, ChatRole, ModelCall } from "./model_call.ts";
import { OPENAI_LIMITS } from "./openai_request.ts";

/** A validated Ollama request (`stream` is true unless the caller sent `"stream": false`). */
export interface OllamaCall extends ModelCall {
  /** Ollama's endpoint the body goes to. */
  endpoint: "/api/chat" | "/api/generate" | "/api/embed";
}

const ROLES = new Set<ChatRole>(["system", "user", "assistant", "tool"]);

function modelOf(body: JsonObject): string {
  const model = requireString(body, "model", "model", LIMITS.idChars);
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001F\u007F]/.test(model)) {
    throw new GatewayError("invalid_request", "model must not contain control characters", {
      param: "model",
    });
  }
  return model;
}

/** Sampling parameters from Ollama's `options` (types checked, ranges left to Ollama). */
function optionsOf(body: JsonObject): AskedParams {
  const options = optionalObject(body, "options", "options");
  if (!options) return {};
  const params: AskedParams = {};
  const temperature = optionalNumber(options, "temperature", "options.temperature");
  const topP = optionalNumber(options, "top_p", "options.top_p");
  const numPredict = optionalNumber(options, "num_predict", "options.num_predict", {
    integer: true,
  });
  const seed = optionalNumber(options, "seed", "options.seed", { integer: true });
  const stop = field(options, "stop");
  if (temperature !== undefined) params.temperature = temperature;
  if (topP !== undefined) params.top_p = topP;
  // Ollama reads -1 (and -2) as "no limit": left out, like an absent value.
  if (numPredict !== undefined && numPredict > 0) params.max_tokens = numPredict;
  if (seed !== undefined) params.seed = seed;
  if (stop !== undefined) {
    if (!Array.isArray(stop) || stop.some((s) => typeof s !== "string")) {
      throw invalidField("options.stop", "an array of strings", stop);
    }
    params.stop = stop as string[];
  }
  return params;
}

function textOf(value: unknown, param: string, required: boolean): string {
  if (value === undefined && !required) return "";
  if (typeof value !== "string") throw invalidField(param, "a string", value);
  if (value.length > OPENAI_LIMITS.messageChars) {
    throw new GatewayError(
      "invalid_request",
      `${param} must be at most ${OPENAI_LIMITS.messageChars} characters, found ${value.length}`,
      { param },
    );
  }
  return value;
}

/**
 * Checks a `POST /api/chat` body. Messages may be absent (Ollama then only loads the model).
 *
 * @example
 * ```ts
 * parseOllamaChat({ model: "smollm2:135m", messages: [{ role: "user", content: "Hi" }] }).stream;
 * // true
 * ```
 */
export function parseOllamaChat(body: unknown): OllamaCall {
  const obj = requireBodyObject(body);
  const model = modelOf(obj);
  const raw = field(obj, "messages");
  if (raw !== undefined && !Array.isArray(raw)) throw invalidField("messages", "an array", raw);
  const list = (raw ?? []) as unknown[];
  if (list.length > OPENAI_LIMITS.messages) {
    throw new GatewayError(
      "invalid_request",
      `messages must hold at most ${OPENAI_LIMITS.messages} messages, found ${list.length}`,
      { param: "messages" },
    );
  }
  const messages: ChatMessage[] = list.map((m, i) => {
    const param = `messages.${i}`;
    if (!isObject(m)) throw invalidField(param, "an object", m);
    if (typeof m.role !== "string" || !ROLES.has(m.role as ChatRole)) {
      throw invalidField(`${param}.role`, "one of system, user, assistant, tool", m.role);
    }
    const role = m.role as ChatRole;
    const content = textOf(m.content ?? undefined, `${param}.content`, role !== "assistant");
    return { role, content };
  });
  return {
    endpoint: "/api/chat",
    operation: "chat",
    model,
    messages,
    params: optionsOf(obj),
    stream: optionalBoolean(obj, "stream", "stream") ?? true,
  };
}

/**
 * Checks a `POST /api/generate` body (`prompt` and `system` optional strings).
 *
 * @example
 * ```ts
 * parseOllamaGenerate({ model: "m", prompt: "Why?", stream: false }).messages;
 * // [{ role: "user", content: "Why?" }]
 * ```
 */
export function parseOllamaGenerate(body: unknown): OllamaCall {
  const obj = requireBodyObject(body);
  const model = modelOf(obj);
  const prompt = textOf(field(obj, "prompt"), "prompt", false);
  const system = optionalString(obj, "system", "system", OPENAI_LIMITS.messageChars);
  const messages: ChatMessage[] = [];
  if (system !== undefined && system !== "") messages.push({ role: "system", content: system });
  if (prompt !== "") messages.push({ role: "user", content: prompt });
  return {
    endpoint: "/api/generate",
    operation: "text_completion",
    model,
    messages,
    params: optionsOf(obj),
    stream: optionalBoolean(obj, "stream", "stream") ?? true,
  };
}

/**
 * Checks a `POST /api/embed` body (`input` a string or an array of strings).
 *
 * @example
 * ```ts
 * parseOllamaEmbed({ model: "m", input: ["a", "b"] }).input; // ["a", "b"]
 * ```
 */
export function parseOllamaEmbed(body: unknown): OllamaCall {
  const obj = requireBodyObject(body);
  const model = modelOf(obj);
  const raw = field(obj, "input");
  const input = typeof raw === "string" ? [raw] : raw;
  if (
    !Array.isArray(input) || input.length > OPENAI_LIMITS.embeddingInputs ||
    input.some((s) => typeof s !== "string" || s.length > OPENAI_LIMITS.messageChars)
  ) {
    throw raw === undefined
      ? new GatewayError("invalid_request", "input is required", { param: "input" })
      : invalidField(
        "input",
        `a string or an array of at most ${OPENAI_LIMITS.embeddingInputs} strings`,
        raw,
      );
  }
  return {
    endpoint: "/api/embed",
    operation: "embeddings",
    model,
    messages: [],
    input: input as string[],
    params: optionsOf(obj),
    stream: false,
  };
}
