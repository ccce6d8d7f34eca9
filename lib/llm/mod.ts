/**
 * The LLM side: measured, streamed calls through npm:ollama with classified errors, the response
 * events made from them, and their pricing. No transport: the worker loop over `llm.requests`
 * lives in `lib/consumers/`.
 *
 * @example
 * ```ts
 * import { measuredChat } from "./mod.ts";
 * ```
 *
 * @module
 */

export * from "./errors.ts";
export * from "./measured_chat.ts";
export * from "./response_event.ts";
export * from "./prices.ts";
export * from "./price_file.ts";
