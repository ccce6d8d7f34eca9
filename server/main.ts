/**
 * `deno task serve`: brings up the local stack (or uses the configured services), starts the
 * pipeline (worker, MLflow sink, drift monitor, live aggregates) and serves the dashboard on
 * 127.0.0.1:8000 (LLMOPS_HOST / LLMOPS_PORT). The workers price every response with the table
 * named by LLMOPS_PRICES (default `prices/default.json`, `off` for none). Stops everything it started on SIGINT/SIGTERM.
 *
 * The app itself is built by {@linkcode createApp} and testable with `app.request()`.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { WORKER_CONCURRENCY } from "../lib/consumers/llm_worker.ts";
import { loadPriceTable } from "../lib/llm/price_file.ts";
import { loadStackConfig } from "../lib/stack/config.ts";
import { stackUp } from "../lib/stack/stack.ts";
import { createApp } from "./app.ts";
import { checkToken, SESSION_COOKIE } from "./auth.ts";
import { bundleClient, readStyles } from "./bundle.ts";
import { DEFAULT_GUARD_LIMITS, type GuardLimits, serveGuarded } from "./connection_guard.ts";
import { allowedHosts } from "./host_check.ts";
import { Pipeline } from "./pipeline.ts";
import { DEFAULT_MAX_STREAMS } from "./routes/events.ts";
import { type GatewayHandle, gatewaySettings, startGateway } from "./gateway/runtime.ts";
import { startupLines } from "./startup_lines.ts";
import { intSetting } from "./int_setting.ts";

export { createApp } from "./app.ts";
export { intSetting };

/** Server settings from the environment. */
export interface ServerSettings {
  hostname: string;
  port: number;
  workers: number;
  /** LLMOPS_WORKER_CONCURRENCY: calls each of those workers has in flight (as `deno task worker`). */
  workerConcurrency: number;
  timezone: string;
  /** LLMOPS_TOKEN: when set, every route requires it (see `auth.ts`). */
  token?: string;
  /** Host names the server answers to: loopback, LLMOPS_HOST, LLMOPS_ALLOWED_HOSTS. */
  allowedHosts: string[];
  /** LLMOPS_TRUST_PROXY: a TLS proxy in front sets X-Forwarded-Proto (and -Host). */
  trustProxy: boolean;
  /** LLMOPS_MAX_STREAMS: event streams open at once. */
  maxStreams: number;
  /** Connection limits: LLMOPS_HEADER_TIMEOUT_S, LLMOPS_BODY_TIMEOUT_S (see connection_guard.ts). */
  guard: GuardLimits;
  /** Alerting: LLMOPS_ALERTS_FILE, LLMOPS_ALERTS_TOPIC, LLMOPS_PUBLIC_URL (links in notifications). */
  alerts: { file?: string; topic?: string; dashboardUrl: string };
}

/**
 * Parses a yes/no environment variable (1/0, true/false, yes/no; empty means `fallback`).
 *
 * @example
 * ```ts
 * flagSetting("LLMOPS_TRUST_PROXY", "true", false); // true
 * ```
 */
export function flagSetting(name: string, value: string | undefined, fallback: boolean): boolean {
  const text = value?.trim().toLowerCase() ?? "";
  if (text === "") return fallback;
  if (["1", "true", "yes"].includes(text)) return true;
  if (["0", "false", "no"].includes(text)) return false;
  throw new RangeError(`${name} must be 1/0, true/false or yes/no, found "${value}"`);
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
  const port = portSetting("LLMOPS_PORT", env.LLMOPS_PORT, 8000);
  if (!LOOPBACK.has(hostname) && !env.LLMOPS_TOKEN) {
    throw new Error(
      `refusing to listen on ${hostname}: without LLMOPS_TOKEN the dashboard binds to loopback only; ` +
        "set LLMOPS_TOKEN to require a token, or leave LLMOPS_HOST unset",
    );
  }
  const workers = intSetting("LLMOPS_WORKERS", env.LLMOPS_WORKERS, 0, 16, 1);
  const workerConcurrency = intSetting(
    "LLMOPS_WORKER_CONCURRENCY",
    env.LLMOPS_WORKER_CONCURRENCY,
    1,
    64,
    WORKER_CONCURRENCY,
  );
  const timezone = env.LLMOPS_TIMEZONE?.trim() || "Asia/Kolkata";
  try {
    new Intl.DateTimeFormat("en", { timeZone: timezone });
  } catch {
    throw new RangeError(
      `LLMOPS_TIMEZONE must be an IANA time zone like Asia/Kolkata, found "${timezone}"`,
    );
  }
  const token = env.LLMOPS_TOKEN ? checkToken(env.LLMOPS_TOKEN) : undefined;
  return {
    hostname,
    port,
    workers,
    workerConcurrency,
    timezone,
    token,
    allowedHosts: allowedHosts(hostname, env.LLMOPS_ALLOWED_HOSTS),
    trustProxy: flagSetting("LLMOPS_TRUST_PROXY", env.LLMOPS_TRUST_PROXY, false),
    maxStreams: intSetting(
      "LLMOPS_MAX_STREAMS",
      env.LLMOPS_MAX_STREAMS,
      1,
      10_000,
      DEFAULT_MAX_STREAMS,
    ),
    guard: guardSettings(env),
    alerts: alertSettings(env, hostname, port),
  };
}

/**
 * Alerting settings: the rules-and-channels file (LLMOPS_ALERTS_FILE, default in the state
 * folder), the topic of alert records (LLMOPS_ALERTS_TOPIC, default `llm.alerts`) and the
 * dashboard's public URL for links in notifications (LLMOPS_PUBLIC_URL, default the listening
 * address).
 *
 * @example
 * ```ts
 * alertSettings({}, "127.0.0.1", 8000).dashboardUrl; // "http://127.0.0.1:8000"
 * ```
 */
export function alertSettings(
  env: Record<string, string | undefined>,
  hostname: string,
  port: number,
): ServerSettings["alerts"] {
  const file = env.LLMOPS_ALERTS_FILE?.trim() || undefined;
  const topic = env.LLMOPS_ALERTS_TOPIC?.trim() || undefined;
  if (topic !== undefined && !/^[A-Za-z0-9._-]{1,249}$/.test(topic)) {
    throw new RangeError(
      `LLMOPS_ALERTS_TOPIC must be a Kafka topic name (letters, digits, '.', '_', '-'), found "${topic}"`,
    );
  }
  const url = env.LLMOPS_PUBLIC_URL?.trim();
  let dashboardUrl: string;
  if (url) {
    let parsed: URL | null = null;
    try {
      parsed = new URL(url);
    } catch { /* reported below */ }
    if (!parsed || !["http:", "https:"].includes(parsed.protocol)) {
      throw new RangeError(`LLMOPS_PUBLIC_URL must be an http(s) URL, found "${url}"`);
    }
    dashboardUrl = url.replace(/\/+$/, "");
  } else {
    const host = ["0.0.0.0", "::"].includes(hostname)
      ? "127.0.0.1"
      : hostname.includes(":") && !hostname.startsWith("[")
      ? `[${hostname}]`
      : hostname;
    dashboardUrl = `http://${host}:${port}`;
  }
  return { file, topic, dashboardUrl };
}

/**
 * The connection guard's timeouts from the environment (seconds).
 *
 * @example
 * ```ts
 * guardSettings({ LLMOPS_HEADER_TIMEOUT_S: "5" }).headerTimeoutMs; // 5000
 * ```
 */
export function guardSettings(env: Record<string, string | undefined>): GuardLimits {
  return {
    headerTimeoutMs: 1000 * intSetting(
      "LLMOPS_HEADER_TIMEOUT_S",
      env.LLMOPS_HEADER_TIMEOUT_S,
      1,
      600,
      DEFAULT_GUARD_LIMITS.headerTimeoutMs / 1000,
    ),
    bodyTimeoutMs: 1000 * intSetting(
      "LLMOPS_BODY_TIMEOUT_S",
      env.LLMOPS_BODY_TIMEOUT_S,
      1,
      3600,
      DEFAULT_GUARD_LIMITS.bodyTimeoutMs / 1000,
    ),
  };
}

/**
 * Parses a TCP port variable.
 *
 * @example
 * ```ts
 * portSetting("LLMOPS_PORT", "8080", 8000); // 8080
 * ```
 */
export function portSetting(name: string, value: string | undefined, fallback: number): number {
  const text = value?.trim() ?? "";
  if (text === "") return fallback;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new RangeError(`${name} must be a TCP port between 1 and 65535, found "${value}"`);
  }
  return port;
}

async function main(): Promise<void> {
  const settings = serverSettings(Deno.env.toObject());
  // a bad price table stops the server before anything starts, with the file and the field
  const prices = await loadPriceTable(Deno.env.toObject());
  const config = loadStackConfig();
  const stack = await stackUp(config, { jupyter: false });
  let pipeline: Pipeline | null = null;
  let server: { shutdown(): Promise<void> } | null = null;
  let gateway: GatewayHandle | null = null;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.error("serve: shutting down");
    await server?.shutdown().catch(() => {});
    await gateway?.stop().catch((e) => console.error(`serve: ${e.message}`));
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
      workerConcurrency: settings.workerConcurrency,
      timezone: settings.timezone,
      datasetsDir: fileURLToPath(new URL("../datasets", import.meta.url)),
      alerts: settings.alerts,
      prices,
    });
    const script = await bundleClient();
    const app = createApp(pipeline, {
      assets: { script: () => Promise.resolve(script), styles: readStyles },
      token: settings.token,
      cookieName: `${SESSION_COOKIE}_${settings.port}`,
      allowedHosts: settings.allowedHosts,
      trustProxy: settings.trustProxy,
      maxStreams: settings.maxStreams,
    });
    let dashboardUrl = "";
    server = await serveGuarded(
      {
        hostname: settings.hostname,
        port: settings.port,
        limits: settings.guard,
        onListen: ({ hostname, port }) => {
          const host = hostname.includes(":") ? `[${hostname}]` : hostname;
          dashboardUrl = `http://${host}:${port}/`;
        },
      },
      (request, client) =>
        app.fetch(request, { remoteAddr: { hostname: client, port: 0, transport: "tcp" } }),
    );
    // The gateway beside the dashboard: applications call it instead of Ollama.
    gateway = await startGateway({
      config,
      settings: gatewaySettings(Deno.env.toObject()),
      token: settings.token,
      allowedHosts: settings.allowedHosts,
      trustProxy: settings.trustProxy,
      guard: settings.guard,
      prices,
    });
    pipeline.attachGateway(gateway.stats);
    // The end of start-up: every URL a user needs, the dashboard's first (scripts wait for it).
    const lines = startupLines({
      dashboard: dashboardUrl,
      gateway: `${gateway.url}/`,
      mlflow: config.mlflow.uri,
      mlflowExperiment: pipeline.experimentUrl(),
      experiment: config.mlflow.experiment,
    });
    for (const line of lines) console.log(line);
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
