/**
 * The LLM side: measured, streamed calls through npm:ollama with classified errors, and the
 * worker that turns `llm.requests` into `llm.responses`.
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
export * from "./worker.ts";
