/**
 * `deno task serve`: brings up the local stack (or uses the configured services), starts the
 * pipeline (worker, MLflow sink, drift monitor, live aggregates) and serves the dashboard on
 * 127.0.0.1:8000 (LLMOPS_HOST / LLMOPS_PORT). Stops everything it started on SIGINT/SIGTERM.
 *
 * The app itself is built by {@linkcode createApp} and testable with `app.request()`.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { loadStackConfig } from "../lib/stack/config.ts";
import { stackUp } from "../lib/stack/stack.ts";
import { createApp } from "./app.ts";
import { checkToken } from "./auth.ts";
import { bundleClient, readStyles } from "./bundle.ts";
import { Pipeline } from "./pipeline.ts";

export { createApp } from "./app.ts";

/** Server settings from the environment. */
export interface ServerSettings {
  hostname: string;
  port: number;
  workers: number;
  timezone: string;
  /** LLMOPS_TOKEN: when set, every route requires it (see `auth.ts`). */
  token?: string;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/**
 * Reads and checks the server settings; refuses a non-loopback address without LLMOPS_TOKEN.
 *
 * @example
 * ```ts
 * serverSettings({ LLMOPS_PORT: "8080" }).port; // 8080
 * ```
 */
export function serverSettings(env: Record<string, string | undefined>): ServerSettings {
  const hostname = env.LLMOPS_HOST?.trim() || "127.0.0.1";
  const port = Number(env.LLMOPS_PORT?.trim() || "8000");
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(
      `LLMOPS_PORT must be a TCP port between 1 and 65535, found "${env.LLMOPS_PORT}"`,
    );
  }
  if (!LOOPBACK.has(hostname) && !env.LLMOPS_TOKEN) {
    throw new Error(
      `refusing to listen on ${hostname}: without LLMOPS_TOKEN the dashboard binds to loopback only; ` +
        "set LLMOPS_TOKEN to require a token, or leave LLMOPS_HOST unset",
    );
  }
  const workers = Number(env.LLMOPS_WORKERS?.trim() || "1");
  if (!Number.isInteger(workers) || workers < 0 || workers > 16) {
    throw new RangeError(
      `LLMOPS_WORKERS must be an integer from 0 to 16, found "${env.LLMOPS_WORKERS}"`,
    );
  }
  const timezone = env.LLMOPS_TIMEZONE?.trim() || "Asia/Kolkata";
  try {
    new Intl.DateTimeFormat("en", { timeZone: timezone });
  } catch {
    throw new RangeError(
      `LLMOPS_TIMEZONE must be an IANA time zone like Asia/Kolkata, found "${timezone}"`,
    );
  }
  const token = env.LLMOPS_TOKEN ? checkToken(env.LLMOPS_TOKEN) : undefined;
  return { hostname, port, workers, timezone, token };
}

async function main(): Promise<void> {
  const settings = serverSettings(Deno.env.toObject());
  const config = loadStackConfig();
  const stack = await stackUp(config, { jupyter: false });
  let pipeline: Pipeline | null = null;
  let server: Deno.HttpServer | null = null;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.error("serve: shutting down");
    await server?.shutdown().catch(() => {});
    await pipeline?.stop().catch((e) => console.error(`serve: ${e.message}`));
    await stack.stop().catch((e) => console.error(`serve: ${e.message}`));
    Deno.exit(code);
  };
  Deno.addSignalListener("SIGINT", () => shutdown(130));
  Deno.addSignalListener("SIGTERM", () => shutdown(143));
  try {
    pipeline = await Pipeline.start({
      config,
      port: settings.port,
      workers: settings.workers,
      timezone: settings.timezone,
      datasetsDir: fileURLToPath(new URL("../datasets", import.meta.url)),
    });
    const script = await bundleClient();
    const app = createApp(pipeline, {
      assets: { script: () => Promise.resolve(script), styles: readStyles },
      token: settings.token,
    });
    server = Deno.serve({
      hostname: settings.hostname,
      port: settings.port,
      onListen: ({ hostname, port }) => {
        const host = hostname.includes(":") ? `[${hostname}]` : hostname;
        console.log(`dashboard: http://${host}:${port}/`);
      },
    }, (request, info) => app.fetch(request, { remoteAddr: info.remoteAddr }));
  } catch (error) {
    console.error(`serve: ${(error as Error).message}`);
    await shutdown(1);
  }
}

if (import.meta.main) {
  main().catch((error) => {
    console.error(`serve: ${error.message}`);
    Deno.exit(1);
  });
}
