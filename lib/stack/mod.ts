/**
 * The local stack: provisioning and lifecycle of Kafka, MLflow, Ollama (with its model) and
 * Jupyter's Deno kernel.
 *
 * @example
 * ```ts
 * import { loadStackConfig, stackUp } from "./mod.ts";
 * const stack = await stackUp(loadStackConfig());
 * await stack.stop();
 * ```
 *
 * @module
 */

export * from "./config.ts";
export * from "./stack.ts";
export { executeNotebook } from "./jupyter.ts";
export { MissingPrerequisiteError } from "./prerequisites.ts";
