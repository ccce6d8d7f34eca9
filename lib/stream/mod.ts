/**
 * Streaming datasets of prompts through the LLM pipeline for load testing and continuous
 * monitoring: dataset files, the send schedule, the engine (`StreamJob`, used by the CLI and
 * the dashboard's Auto Streaming tab), and progress rendering.
 *
 * @example
 * ```ts ignore
 * import { LlmClient } from "../client/llm_client.ts";
 * import { StreamJob } from "./mod.ts";
 * const client = await LlmClient.connect({ source: "stream" });
 * const job = await StreamJob.fromFile("datasets/quick_test.json", { client, delayS: 3 });
 * const summary = await job.start();
 * await client.close();
 * ```
 *
 * @module
 */

export * from "./dataset.ts";
export * from "./schedule.ts";
export * from "./engine.ts";
export * from "./progress.ts";
export * from "./idle_status.ts";
export * from "./variants.ts";
