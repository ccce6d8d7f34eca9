/**
 * The LLM side: measured, streamed calls through npm:ollama with classified errors, and the
 * response events made from them. No transport: the worker loop over `llm.requests` lives in
 * `lib/consumers/`.
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
