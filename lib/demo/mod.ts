/**
 * `deno task demo`: the story of the workbench played on a live dashboard through its HTTP API
 * (baseline, topic shift until drift turns red, an Ollama outage and the recovery, links), with
 * narration in the terminal. The workers it runs itself are `DemoWorkers` in lib/consumers.
 *
 * @example
 * ```ts ignore
 * import { DashboardClient, demoSettings, Narrator, runStory } from "./mod.ts";
 * const result = await runStory({
 *   dashboard: new DashboardClient("http://127.0.0.1:8000"),
 *   narrator: new Narrator(console.log),
 *   workers,
 *   settings: demoSettings(true),
 * });
 * ```
 *
 * @module
 */

export * from "./dashboard_client.ts";
export * from "./narrator.ts";
export * from "./poll.ts";
export * from "./story.ts";
