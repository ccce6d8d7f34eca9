/**
 * `deno task gateway`: the gateway alone, for applications to call instead of Ollama (Ollama's
 * and OpenAI's APIs, OTLP trace intake) on `LLMOPS_GATEWAY_PORT` (default 11435). It uses the
 * configured Kafka and Ollama (or the local stack's, started when not running) and keeps no
 * state, so several can run behind a load balancer, all publishing to Kafka. The dashboard
 * (`deno task serve`) runs the consumers that turn the events into tabs, MLflow runs and drift.
 *
 * @module
 */

import { loadPriceTable } from "../lib/llm/price_file.ts";
import { loadStackConfig } from "../lib/stack/config.ts";
import { stackUp } from "../lib/stack/stack.ts";
import { checkToken } from "./auth.ts";
import { allowedHosts } from "./host_check.ts";
import { flagSetting, guardSettings } from "./main.ts";
import { gatewaySettings, startGateway } from "./gateway/runtime.ts";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

async function main(): Promise<void> {
  const env = Deno.env.toObject();
  const settings = gatewaySettings(env);
  if (!LOOPBACK.has(settings.hostname) && !env.LLMOPS_TOKEN) {
    throw new Error(
      `refusing to listen on ${settings.hostname}: without LLMOPS_TOKEN the gateway binds to ` +
        "loopback only; set LLMOPS_TOKEN to require a token, or leave LLMOPS_HOST unset",
    );
  }
  const token = env.LLMOPS_TOKEN ? checkToken(env.LLMOPS_TOKEN) : undefined;
  const config = loadStackConfig(env);
  const stack = await stackUp(config, { jupyter: false, services: ["kafka", "ollama"] });
  const gateway = await startGateway({
    config,
    settings,
    token,
    prices: await loadPriceTable(env),
    allowedHosts: allowedHosts(settings.hostname, env.LLMOPS_ALLOWED_HOSTS),
    trustProxy: flagSetting("LLMOPS_TRUST_PROXY", env.LLMOPS_TRUST_PROXY, false),
    guard: guardSettings(env),
    onListen: (url) =>
      console.log(`gateway: ${url}/ (Ollama API /api, OpenAI API /v1, OTLP /v1/traces)`),
  });
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.error("gateway: shutting down");
    await gateway.stop().catch((e) => console.error(`gateway: ${e.message}`));
    await stack.stop().catch((e) => console.error(`gateway: ${e.message}`));
    Deno.exit(code);
  };
  Deno.addSignalListener("SIGINT", () => shutdown(130));
  Deno.addSignalListener("SIGTERM", () => shutdown(143));
}

if (import.meta.main) {
  main().catch((error) => {
    console.error(`gateway: ${error.message}`);
    Deno.exit(1);
  });
}
