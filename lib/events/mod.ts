/**
 * The event contracts (`llm.request.v1`, `llm.response.v1`, `llm.dlq.v1`), their validation and
 * builders. Free of `Deno.*`: the browser imports it too.
 *
 * @example
 * ```ts
 * import { createRequestEvent, parseResponseEvent } from "./mod.ts";
 * const request = createRequestEvent({ prompt: "Hello" }, { model: "smollm2:135m" });
 * ```
 *
 * @module
 */

export * from "./schemas.ts";
export * from "./validate.ts";
export * from "./build.ts";
export * from "./feedback.ts";
export * from "./alert.ts";
export * from "./limits.ts";
