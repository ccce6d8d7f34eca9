/**
 * The OpenAI dialect's answers, made from Ollama's: the `chat.completion` object, its
 * `chat.completion.chunk` server-sent events (role first, content deltas, a finish chunk, a
 * usage chunk with no choices when `include_usage`, then `data: [DONE]`), the legacy
 * `text_completion` shapes, the embeddings list (float or base64) and the models list.
 * Free of `Deno.*`.
 *
 * @module
 */

/** Token usage in OpenAI's shape. */
export interface OpenAiUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** Why a choice ended. */
export type FinishReason = "stop" | "length";

/**
 * OpenAI's `finish_reason` for Ollama's `done_reason`: "length" when the token limit ended the
 * answer, "stop" otherwise.
 *
 * @example
 * ```ts
 * finishReason("length"); // "length"
 * finishReason(null); // "stop"
 * ```
 */
export function finishReason(doneReason: string | null | undefined): FinishReason {
  return doneReason === "length" ? "length" : "stop";
}

/**
 * Usage from Ollama's counts.
 *
 * @example
 * ```ts
 * usageOf({ prompt_tokens: 3, completion_tokens: 5 }); // { …, total_tokens: 8 }
 * ```
 */
export function usageOf(counts: { prompt_tokens: number; completion_tokens: number }): OpenAiUsage {
  return {
    prompt_tokens: counts.prompt_tokens,
    completion_tokens: counts.completion_tokens,
    total_tokens: counts.prompt_tokens + counts.completion_tokens,
  };
}

/** The id of a chat completion for a request id (`chatcmpl-<request id>`). */
export function chatCompletionId(requestId: string): string {
  return `chatcmpl-${requestId}`;
}

/** The id of a text completion for a request id (`cmpl-<request id>`). */
export function completionId(requestId: string): string {
  return `cmpl-${requestId}`;
}

/** What every answer of one call shares. */
export interface AnswerIdentity {
  /** `chatcmpl-…` or `cmpl-…`. */
  id: string;
  model: string;
  /** Unix seconds. */
  created: number;
}

/** The whole answer of a call. */
export interface AnswerContent {
  text: string;
  finishReason: FinishReason;
  usage: OpenAiUsage;
}

/**
 * A non-streamed `chat.completion`.
 *
 * @example
 * ```ts
 * chatCompletion({ id: "chatcmpl-1", model: "m", created: 1 }, {
 *   text: "Hi", finishReason: "stop", usage: usageOf({ prompt_tokens: 1, completion_tokens: 1 }),
 * }).choices[0].message.content; // "Hi"
 * ```
 */
export function chatCompletion(identity: AnswerIdentity, content: AnswerContent) {
  return {
    id: identity.id,
    object: "chat.completion" as const,
    created: identity.created,
    model: identity.model,
    choices: [{
      index: 0,
      message: { role: "assistant" as const, content: content.text },
      logprobs: null,
      finish_reason: content.finishReason,
    }],
    usage: content.usage,
  };
}

/**
 * A non-streamed `text_completion`.
 *
 * @example
 * ```ts
 * textCompletion({ id: "cmpl-1", model: "m", created: 1 }, {
 *   text: " a time", finishReason: "stop", usage: usageOf({ prompt_tokens: 2, completion_tokens: 2 }),
 * }).choices[0].text; // " a time"
 * ```
 */
export function textCompletion(identity: AnswerIdentity, content: AnswerContent) {
  return {
    id: identity.id,
    object: "text_completion" as const,
    created: identity.created,
    model: identity.model,
    choices: [{
      text: content.text,
      index: 0,
      logprobs: null,
      finish_reason: content.finishReason,
    }],
    usage: content.usage,
  };
}

/** One server-sent event carrying a JSON value. */
export function sseData(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}

/** The event that ends every OpenAI stream. */
export const SSE_DONE = "data: [DONE]\n\n";

/** Headers of an OpenAI stream. */
export const SSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  connection: "keep-alive",
});

/**
 * Writes a chat completion as OpenAI's stream: `start()` gives the role chunk, `delta(text)` a
 * content chunk, `finish(content)` the finish chunk, the usage chunk (with `includeUsage`) and
 * `[DONE]`. With `includeUsage` every other chunk carries `"usage": null`, as OpenAI's do.
 *
 * @example
 * ```ts
 * const sse = new ChatCompletionSse({ id: "chatcmpl-1", model: "m", created: 1 }, true);
 * let out = sse.start() + sse.delta("Hel") + sse.delta("lo");
 * out += sse.finish({ text: "Hello", finishReason: "stop", usage });
 * ```
 */
export class ChatCompletionSse {
  constructor(readonly identity: AnswerIdentity, readonly includeUsage: boolean) {}

  #chunk(delta: Record<string, unknown>, finish: FinishReason | null): string {
    return sseData({
      id: this.identity.id,
      object: "chat.completion.chunk",
      created: this.identity.created,
      model: this.identity.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(this.includeUsage ? { usage: null } : {}),
    });
  }

  /** The first chunk: the assistant's role with empty content. */
  start(): string {
    return this.#chunk({ role: "assistant", content: "" }, null);
  }

  /** A content chunk ("" for an empty piece, which OpenAI does not send). */
  delta(text: string): string {
    return text === "" ? "" : this.#chunk({ content: text }, null);
  }

  /** The finish chunk, the usage chunk when asked for, and `[DONE]`. */
  finish(content: Pick<AnswerContent, "finishReason" | "usage">): string {
    let out = this.#chunk({}, content.finishReason);
    if (this.includeUsage) {
      out += sseData({
        id: this.identity.id,
        object: "chat.completion.chunk",
        created: this.identity.created,
        model: this.identity.model,
        choices: [],
        usage: content.usage,
      });
    }
    return out + SSE_DONE;
  }
}

/**
 * Writes a legacy completion as OpenAI's stream of `text_completion` chunks (no role chunk).
 *
 * @example
 * ```ts
 * const sse = new TextCompletionSse({ id: "cmpl-1", model: "m", created: 1 }, false);
 * const out = sse.delta(" a") + sse.finish({ finishReason: "stop", usage });
 * ```
 */
export class TextCompletionSse {
  constructor(readonly identity: AnswerIdentity, readonly includeUsage: boolean) {}

  #chunk(text: string, finish: FinishReason | null): string {
    return sseData({
      id: this.identity.id,
      object: "text_completion",
      created: this.identity.created,
      model: this.identity.model,
      choices: [{ text, index: 0, logprobs: null, finish_reason: finish }],
      ...(this.includeUsage ? { usage: null } : {}),
    });
  }

  /** Nothing: legacy completions have no role chunk (kept for symmetry with chat). */
  start(): string {
    return "";
  }

  /** A text chunk ("" for an empty piece). */
  delta(text: string): string {
    return text === "" ? "" : this.#chunk(text, null);
  }

  /** The finish chunk, the usage chunk when asked for, and `[DONE]`. */
  finish(content: Pick<AnswerContent, "finishReason" | "usage">): string {
    let out = this.#chunk("", content.finishReason);
    if (this.includeUsage) {
      out += sseData({
        id: this.identity.id,
        object: "text_completion",
        created: this.identity.created,
        model: this.identity.model,
        choices: [],
        usage: content.usage,
      });
    }
    return out + SSE_DONE;
  }
}

/**
 * A vector as OpenAI's base64 encoding: little-endian float32, base64.
 *
 * @example
 * ```ts
 * embeddingToBase64([1]); // "AACAPw=="
 * ```
 */
export function embeddingToBase64(vector: readonly number[]): string {
  const floats = new Float32Array(vector.length);
  for (let i = 0; i < vector.length; i++) floats[i] = vector[i];
  const bytes = new Uint8Array(floats.buffer);
  if (new Uint16Array(new Uint8Array([1, 0]).buffer)[0] !== 1) {
    // Big-endian host: swap each float's bytes to little-endian.
    for (let i = 0; i < bytes.length; i += 4) {
      [bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]] = [
        bytes[i + 3],
        bytes[i + 2],
        bytes[i + 1],
        bytes[i],
      ];
    }
  }
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Ollama's `/api/embed` answer, as far as the OpenAI list needs it. */
export interface OllamaEmbedAnswer {
  embeddings: number[][];
  prompt_eval_count?: number;
}

/**
 * OpenAI's embeddings list from Ollama's `/api/embed` answer.
 *
 * @example
 * ```ts
 * embeddingsList("m", { embeddings: [[0.1, 0.2]], prompt_eval_count: 2 }, "float").data[0].index; // 0
 * ```
 */
export function embeddingsList(
  model: string,
  answer: OllamaEmbedAnswer,
  encoding: "float" | "base64",
) {
  const tokens = typeof answer.prompt_eval_count === "number" ? answer.prompt_eval_count : 0;
  return {
    object: "list" as const,
    data: answer.embeddings.map((vector, index) => ({
      object: "embedding" as const,
      embedding: encoding === "base64" ? embeddingToBase64(vector) : vector,
      index,
    })),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

/** One model of Ollama's `/api/tags`. */
export interface OllamaTag {
  name?: string;
  model?: string;
  modified_at?: string;
}

/**
 * An OpenAI model object for one of Ollama's models (`owned_by` is the namespace before `/`,
 * "library" without one, as Ollama's own OpenAI layer says).
 *
 * @example
 * ```ts
 * openAiModel({ name: "smollm2:135m", modified_at: "2025-01-01T00:00:00Z" });
 * // { id: "smollm2:135m", object: "model", created: 1735689600, owned_by: "library" }
 * ```
 */
export function openAiModel(tag: OllamaTag) {
  const id = tag.name ?? tag.model ?? "";
  const ms = tag.modified_at ? Date.parse(tag.modified_at) : NaN;
  return {
    id,
    object: "model" as const,
    created: Number.isFinite(ms) ? Math.floor(ms / 1000) : 0,
    owned_by: id.includes("/") ? id.slice(0, id.indexOf("/")) : "library",
  };
}

/**
 * OpenAI's `/v1/models` list from Ollama's `/api/tags` answer (entries without a name left out).
 *
 * @example
 * ```ts
 * modelsList({ models: [{ name: "smollm2:135m" }] }).data[0].id; // "smollm2:135m"
 * ```
 */
export function modelsList(tags: { models?: unknown }) {
  const models = Array.isArray(tags.models) ? tags.models : [];
  return {
    object: "list" as const,
    data: models
      .filter((m): m is OllamaTag =>
        typeof m === "object" && m !== null &&
        (typeof (m as OllamaTag).name === "string" || typeof (m as OllamaTag).model === "string")
      )
      .map(openAiModel),
  };
}
