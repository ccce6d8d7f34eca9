/**
 * The OpenAI dialect's requests: validating `POST /v1/chat/completions`, `/v1/completions` and
 * `/v1/embeddings` bodies (unknown fields ignored as OpenAI does, wrong types refused with a 400
 * naming the field) and mapping them to Ollama's `/api/chat`, `/api/generate` and `/api/embed`
 * bodies. Free of `Deno.*`.
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

/** Bounds of the OpenAI dialect's requests. */
export const OPENAI_LIMITS = Object.freeze({
  /** Messages in one chat request. */
  messages: 1_000,
  /** Characters of one message (a whole conversation is bounded by the body size). */
  messageChars: 1_000_000,
  /** Stop sequences (OpenAI allows 4). */
  stop: 4,
  /** Texts in one embeddings request (OpenAI allows 2048). */
  embeddingInputs: 2_048,
  /** Characters of one stop sequence. */
  stopChars: 200,
});

/** A validated chat completions request. */
export interface OpenAiChatRequest extends ModelCall {
  operation: "chat";
  /** `stream_options.include_usage`: a last chunk with the usage and no choices. */
  includeUsage: boolean;
  /** OpenAI's `user` field. */
  user?: string;
  /** OpenAI's `metadata` (string values), used as tags. */
  metadata?: Record<string, string>;
  /** `response_format`: Ollama's `format` ("json" or a JSON schema). */
  format?: "json" | JsonObject;
  frequencyPenalty?: number;
  presencePenalty?: number;
}

/** A validated legacy completions request. */
export interface OpenAiCompletionRequest extends ModelCall {
  operation: "text_completion";
  prompt: string;
  includeUsage: boolean;
  user?: string;
  frequencyPenalty?: number;
  presencePenalty?: number;
}

/** A validated embeddings request. */
export interface OpenAiEmbeddingsRequest extends ModelCall {
  operation: "embeddings";
  input: string[];
  /** Whether the caller passed one string (the answer is still a list). */
  single: boolean;
  encodingFormat: "float" | "base64";
  user?: string;
}

const ROLES: Record<string, ChatRole> = {
  system: "system",
  developer: "system",
  user: "user",
  assistant: "assistant",
  tool: "tool",
};

function contentText(content: unknown, param: string, role: ChatRole): string {
  if (typeof content === "string") return content;
  if ((content === null || content === undefined) && (role === "assistant")) return "";
  if (!Array.isArray(content)) {
    throw invalidField(param, "a string or an array of text parts", content);
  }
  let text = "";
  for (let i = 0; i < content.length; i++) {
    const part = content[i];
    const partParam = `${param}.${i}`;
    if (!isObject(part)) throw invalidField(partParam, "a content part object", part);
    const type = part.type;
    if (type === "text" || type === "input_text" || type === "refusal") {
      const value = type === "refusal" ? part.refusal : part.text;
      if (typeof value !== "string") throw invalidField(`${partParam}.text`, "a string", value);
      text += value;
    } else if (typeof type === "string") {
      throw new GatewayError(
        "invalid_request",
        `${partParam}.type "${type.slice(0, 40)}" is not supported: only text parts are`,
        { param: `${partParam}.type` },
      );
    } else {
      throw invalidField(`${partParam}.type`, "a string", type);
    }
  }
  if (text.length > OPENAI_LIMITS.messageChars) {
    throw new GatewayError(
      "invalid_request",
      `${param} must be at most ${OPENAI_LIMITS.messageChars} characters, found ${text.length}`,
      { param },
    );
  }
  return text;
}

function parseMessages(body: JsonObject): ChatMessage[] {
  const raw = field(body, "messages");
  if (!Array.isArray(raw) || raw.length === 0) {
    throw raw === undefined
      ? new GatewayError("invalid_request", "messages is required", { param: "messages" })
      : invalidField("messages", "a non-empty array", raw);
  }
  if (raw.length > OPENAI_LIMITS.messages) {
    throw new GatewayError(
      "invalid_request",
      `messages must hold at most ${OPENAI_LIMITS.messages} messages, found ${raw.length}`,
      { param: "messages" },
    );
  }
  return raw.map((m, i) => {
    const param = `messages.${i}`;
    if (!isObject(m)) throw invalidField(param, "an object", m);
    const roleName = m.role;
    const role = typeof roleName === "string" && Object.hasOwn(ROLES, roleName)
      ? ROLES[roleName]
      : undefined;
    if (role === undefined) {
      throw invalidField(
        `${param}.role`,
        "one of system, developer, user, assistant, tool",
        roleName,
      );
    }
    return { role, content: contentText(m.content, `${param}.content`, role) };
  });
}

function parseStop(body: JsonObject): string[] | undefined {
  const stop = field(body, "stop");
  if (stop === undefined) return undefined;
  const list = typeof stop === "string" ? [stop] : stop;
  if (
    !Array.isArray(list) || list.length > OPENAI_LIMITS.stop ||
    list.some((s) => typeof s !== "string" || s.length > OPENAI_LIMITS.stopChars)
  ) {
    throw invalidField(
      "stop",
      `a string or an array of at most ${OPENAI_LIMITS.stop} strings of at most ${OPENAI_LIMITS.stopChars} characters`,
      stop,
    );
  }
  return list as string[];
}

function parseModel(body: JsonObject): string {
  const model = requireString(body, "model", "model", LIMITS.idChars);
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001F\u007F]/.test(model)) {
    throw new GatewayError("invalid_request", "model must not contain control characters", {
      param: "model",
    });
  }
  return model;
}

function parseSampling(body: JsonObject): AskedParams {
  const params: AskedParams = {};
  const temperature = optionalNumber(body, "temperature", "temperature", { min: 0, max: 2 });
  const topP = optionalNumber(body, "top_p", "top_p", { min: 0, max: 1 });
  const maxCompletion = optionalNumber(body, "max_completion_tokens", "max_completion_tokens", {
    min: 1,
    integer: true,
  });
  const maxTokens = optionalNumber(body, "max_tokens", "max_tokens", { min: 1, integer: true });
  const seed = optionalNumber(body, "seed", "seed", { integer: true });
  if (seed !== undefined && !Number.isSafeInteger(seed)) {
    throw invalidField("seed", "a safe integer", seed);
  }
  const stop = parseStop(body);
  if (temperature !== undefined) params.temperature = temperature;
  if (topP !== undefined) params.top_p = topP;
  const max = maxCompletion ?? maxTokens;
  if (max !== undefined) params.max_tokens = max;
  if (seed !== undefined) params.seed = seed;
  if (stop !== undefined) params.stop = stop;
  return params;
}

function parseStreaming(body: JsonObject): { stream: boolean; includeUsage: boolean } {
  const stream = optionalBoolean(body, "stream", "stream") ?? false;
  const options = optionalObject(body, "stream_options", "stream_options");
  const includeUsage = options
    ? optionalBoolean(options, "include_usage", "stream_options.include_usage") ?? false
    : false;
  return { stream, includeUsage: stream && includeUsage };
}

function parseN(body: JsonObject): void {
  const n = optionalNumber(body, "n", "n", { min: 1, integer: true });
  if (n !== undefined && n !== 1) {
    throw new GatewayError("invalid_request", `n must be 1 (one choice per call), found ${n}`, {
      param: "n",
    });
  }
}

function parsePenalties(body: JsonObject) {
  return {
    frequencyPenalty: optionalNumber(body, "frequency_penalty", "frequency_penalty", {
      min: -2,
      max: 2,
    }),
    presencePenalty: optionalNumber(body, "presence_penalty", "presence_penalty", {
      min: -2,
      max: 2,
    }),
  };
}

function parseMetadata(body: JsonObject): Record<string, string> | undefined {
  const metadata = optionalObject(body, "metadata", "metadata");
  if (!metadata) return undefined;
  const tags: Record<string, string> = {};
  const entries = Object.entries(metadata);
  if (entries.length > LIMITS.tags) {
    throw new GatewayError("invalid_request", `metadata must hold at most ${LIMITS.tags} keys`, {
      param: "metadata",
    });
  }
  for (const [key, value] of entries) {
    // deno-lint-ignore no-control-regex
    const control = /[\u0000-\u001F\u007F]/;
    if (
      typeof value !== "string" || key.length === 0 || key.length > 64 ||
      value.length > LIMITS.idChars || control.test(key) || control.test(value)
    ) {
      throw invalidField(
        `metadata.${key.slice(0, 40)}`,
        `a string of at most ${LIMITS.idChars} characters without control characters under a key of 1 to 64`,
        value,
      );
    }
    Object.defineProperty(tags, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return tags;
}

function parseFormat(body: JsonObject): "json" | JsonObject | undefined {
  const format = optionalObject(body, "response_format", "response_format");
  if (!format) return undefined;
  switch (format.type) {
    case "text":
      return undefined;
    case "json_object":
      return "json";
    case "json_schema": {
      const schema = optionalObject(format, "json_schema", "response_format.json_schema");
      const inner = schema
        ? optionalObject(schema, "schema", "response_format.json_schema.schema")
        : undefined;
      if (!inner) {
        throw new GatewayError(
          "invalid_request",
          "response_format.json_schema.schema is required",
          {
            param: "response_format.json_schema.schema",
          },
        );
      }
      return inner;
    }
    default:
      throw invalidField(
        "response_format.type",
        "one of text, json_object, json_schema",
        format.type,
      );
  }
}

/**
 * Validates a `POST /v1/chat/completions` body.
 *
 * @example
 * ```ts
 * const request = parseChatCompletionRequest({
 *   model: "smollm2:135m",
 *   messages: [{ role: "user", content: "Hi" }],
 *   stream: true,
 *   stream_options: { include_usage: true },
 * });
 * request.includeUsage; // true
 * ```
 */
export function parseChatCompletionRequest(body: unknown): OpenAiChatRequest {
  const obj = requireBodyObject(body);
  const model = parseModel(obj);
  const messages = parseMessages(obj);
  const params = parseSampling(obj);
  const { stream, includeUsage } = parseStreaming(obj);
  parseN(obj);
  const user = optionalString(obj, "user", "user", LIMITS.idChars);
  const metadata = parseMetadata(obj);
  const format = parseFormat(obj);
  const { frequencyPenalty, presencePenalty } = parsePenalties(obj);
  return {
    operation: "chat",
    model,
    messages,
    params,
    stream,
    includeUsage,
    ...(user === undefined ? {} : { user }),
    ...(metadata === undefined ? {} : { metadata }),
    ...(format === undefined ? {} : { format }),
    ...(frequencyPenalty === undefined ? {} : { frequencyPenalty }),
    ...(presencePenalty === undefined ? {} : { presencePenalty }),
  };
}

/**
 * Validates a `POST /v1/completions` body (`prompt` a string, or an array of one string).
 *
 * @example
 * ```ts
 * parseCompletionRequest({ model: "smollm2:135m", prompt: "Once upon" }).prompt; // "Once upon"
 * ```
 */
export function parseCompletionRequest(body: unknown): OpenAiCompletionRequest {
  const obj = requireBodyObject(body);
  const model = parseModel(obj);
  let prompt = field(obj, "prompt");
  if (Array.isArray(prompt) && prompt.length === 1) prompt = prompt[0];
  if (typeof prompt !== "string") {
    throw prompt === undefined
      ? new GatewayError("invalid_request", "prompt is required", { param: "prompt" })
      : invalidField("prompt", "a string (or an array of one string)", prompt);
  }
  if (prompt.length > OPENAI_LIMITS.messageChars) {
    throw new GatewayError(
      "invalid_request",
      `prompt must be at most ${OPENAI_LIMITS.messageChars} characters, found ${prompt.length}`,
      { param: "prompt" },
    );
  }
  const params = parseSampling(obj);
  const { stream, includeUsage } = parseStreaming(obj);
  parseN(obj);
  const user = optionalString(obj, "user", "user", LIMITS.idChars);
  const { frequencyPenalty, presencePenalty } = parsePenalties(obj);
  return {
    operation: "text_completion",
    model,
    prompt,
    messages: [{ role: "user", content: prompt }],
    params,
    stream,
    includeUsage,
    ...(user === undefined ? {} : { user }),
    ...(frequencyPenalty === undefined ? {} : { frequencyPenalty }),
    ...(presencePenalty === undefined ? {} : { presencePenalty }),
  };
}

/**
 * Validates a `POST /v1/embeddings` body (`input` a string or an array of strings;
 * `encoding_format` float or base64, as the OpenAI SDK asks for by default).
 *
 * @example
 * ```ts
 * parseEmbeddingsRequest({ model: "smollm2:135m", input: ["a", "b"] }).input.length; // 2
 * ```
 */
export function parseEmbeddingsRequest(body: unknown): OpenAiEmbeddingsRequest {
  const obj = requireBodyObject(body);
  const model = parseModel(obj);
  const raw = field(obj, "input");
  const single = typeof raw === "string";
  const input = single ? [raw as string] : raw;
  if (
    !Array.isArray(input) || input.length === 0 || input.length > OPENAI_LIMITS.embeddingInputs ||
    input.some((s) => typeof s !== "string" || s.length > OPENAI_LIMITS.messageChars)
  ) {
    throw raw === undefined
      ? new GatewayError("invalid_request", "input is required", { param: "input" })
      : invalidField(
        "input",
        `a string or a non-empty array of at most ${OPENAI_LIMITS.embeddingInputs} strings`,
        raw,
      );
  }
  const format = optionalString(obj, "encoding_format", "encoding_format", 16) ?? "float";
  if (format !== "float" && format !== "base64") {
    throw invalidField("encoding_format", "float or base64", format);
  }
  const user = optionalString(obj, "user", "user", LIMITS.idChars);
  return {
    operation: "embeddings",
    model,
    input: input as string[],
    single,
    messages: [],
    params: {},
    stream: false,
    encodingFormat: format,
    ...(user === undefined ? {} : { user }),
  };
}

/** Ollama's `options` for asked parameters (only those the caller set). */
export function ollamaOptions(
  params: AskedParams,
  extra: { frequencyPenalty?: number; presencePenalty?: number } = {},
): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  if (params.max_tokens !== undefined) options.num_predict = params.max_tokens;
  if (params.temperature !== undefined) options.temperature = params.temperature;
  if (params.top_p !== undefined) options.top_p = params.top_p;
  if (params.seed !== undefined) options.seed = params.seed;
  if (params.stop !== undefined) options.stop = params.stop;
  if (extra.frequencyPenalty !== undefined) options.frequency_penalty = extra.frequencyPenalty;
  if (extra.presencePenalty !== undefined) options.presence_penalty = extra.presencePenalty;
  return options;
}

/**
 * Ollama's `/api/chat` body for a chat request. It always streams from Ollama (so the gateway
 * measures time to first token) whatever the caller asked; the answer is assembled for a
 * caller that did not ask for a stream.
 *
 * @example
 * ```ts
 * toOllamaChat(parseChatCompletionRequest({
 *   model: "m", messages: [{ role: "user", content: "Hi" }], max_tokens: 5,
 * })); // { model: "m", messages: [...], stream: true, options: { num_predict: 5 } }
 * ```
 */
export function toOllamaChat(request: OpenAiChatRequest): JsonObject {
  const options = ollamaOptions(request.params, request);
  return {
    model: request.model,
    messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
    stream: true,
    ...(Object.keys(options).length > 0 ? { options } : {}),
    ...(request.format === undefined ? {} : { format: request.format }),
  };
}

/**
 * Ollama's `/api/generate` body for a completions request (streamed, like the chat).
 *
 * @example
 * ```ts
 * toOllamaGenerate(parseCompletionRequest({ model: "m", prompt: "Once" })).prompt; // "Once"
 * ```
 */
export function toOllamaGenerate(request: OpenAiCompletionRequest): JsonObject {
  const options = ollamaOptions(request.params, request);
  return {
    model: request.model,
    prompt: request.prompt,
    stream: true,
    ...(Object.keys(options).length > 0 ? { options } : {}),
  };
}

/**
 * Ollama's `/api/embed` body for an embeddings request.
 *
 * @example
 * ```ts
 * toOllamaEmbed(parseEmbeddingsRequest({ model: "m", input: "hi" })); // { model: "m", input: ["hi"] }
 * ```
 */
export function toOllamaEmbed(request: OpenAiEmbeddingsRequest): JsonObject {
  return { model: request.model, input: request.input };
}
