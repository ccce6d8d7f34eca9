/**
 * What every dialect's request boils down to: one model call with its conversation and the
 * sampling parameters the caller asked for. The OpenAI and Ollama parsers produce it; the event
 * builders and the Prometheus labels read it. Free of `Deno.*`.
 *
 * @module
 */

/** Roles of a chat message, as OpenAI, Ollama and the GenAI conventions name them. */
export type ChatRole = "system" | "user" | "assistant" | "tool";

/** One turn of a conversation, reduced to its text. */
export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/** The GenAI operation of a call (`gen_ai.operation.name`). */
export type GatewayOperation = "chat" | "text_completion" | "embeddings";

/** Sampling parameters as the caller asked for them (absent when the caller left them out). */
export interface AskedParams {
  temperature?: number;
  top_p?: number;
  /** OpenAI's `max_tokens`/`max_completion_tokens`, Ollama's `num_predict`. */
  max_tokens?: number;
  seed?: number;
  stop?: string[];
}

/** One model call, whichever dialect asked for it. */
export interface ModelCall {
  operation: GatewayOperation;
  model: string;
  /** The conversation; for a completion, the prompt as one user message (system first if any). */
  messages: ChatMessage[];
  params: AskedParams;
  /** Whether the caller wants the answer streamed. */
  stream: boolean;
  /** Texts to embed (embeddings only). */
  input?: string[];
}

/**
 * The prompt and system prompt of a conversation, as `llm.request.v1` keeps them: the last user
 * message (or, without one, the last message) and the system messages joined by a blank line.
 *
 * @example
 * ```ts
 * promptOf([
 *   { role: "system", content: "Be brief." },
 *   { role: "user", content: "Hi" },
 *   { role: "assistant", content: "Hello!" },
 *   { role: "user", content: "What is Kafka?" },
 * ]); // { prompt: "What is Kafka?", system: "Be brief." }
 * ```
 */
export function promptOf(messages: readonly ChatMessage[]): { prompt: string; system?: string } {
  let prompt: string | undefined;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i].role === "user") {
      prompt = messages[i].content;
      break;
    }
  }
  if (prompt === undefined) {
    const last = messages.findLast((m) => m.role !== "system");
    prompt = last?.content ?? "";
  }
  const systems = messages.filter((m) => m.role === "system").map((m) => m.content);
  return systems.length > 0 ? { prompt, system: systems.join("\n\n") } : { prompt };
}
