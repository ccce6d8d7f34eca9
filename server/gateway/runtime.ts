/**
 * A running gateway: its settings from the environment, its own Kafka producer behind a bounded
 * publisher, the app, and the guarded listener. `deno task serve` starts one beside the
 * dashboard; `deno task gateway` runs one alone. It keeps no state but its buffer, so several
 * can run behind a load balancer, all publishing to the same topics.
 *
 * @module
 */

import type { PriceTable } from "../../lib/llm/prices.ts";
import { hostname as osHostname } from "node:os";
import { BoundedPublisher, createKafka, EventProducer, TOPICS } from "../../lib/kafka/mod.ts";
import type { PublisherStats } from "../../lib/kafka/bounded_publisher.ts";
import type { StackConfig } from "../../lib/stack/config.ts";
import type { GatewayResponseEvent } from "../../lib/gateway/mod.ts";
import { type GuardLimits, serveGuarded } from "../connection_guard.ts";
import { createGatewayApp, GATEWAY_MAX_BODY_BYTES } from "./app.ts";
import { GatewayMetrics, type GatewayTopics } from "./recorder.ts";
import { intSetting } from "../int_setting.ts";

/** The gateway's settings. */
export interface GatewaySettings {
  hostname: string;
  /** LLMOPS_GATEWAY_PORT (default 11435). */
  port: number;
  /** LLMOPS_GATEWAY_MAX_BODY_BYTES (default 4 MiB). */
  maxBodyBytes: number;
  /** LLMOPS_GATEWAY_BUFFER_EVENTS (default 50,000). */
  bufferEvents: number;
  /** LLMOPS_GATEWAY_BUFFER_MB (default 64). */
  bufferBytes: number;
}

/** Default port of the gateway (Ollama's 11434 plus one). */
export const DEFAULT_GATEWAY_PORT = 11435;

/**
 * Reads the gateway's settings (the address is `LLMOPS_HOST`, like the dashboard's).
 *
 * @example
 * ```ts
 * gatewaySettings({ LLMOPS_GATEWAY_PORT: "9000" }).port; // 9000
 * ```
 */
export function gatewaySettings(env: Record<string, string | undefined>): GatewaySettings {
  return {
    hostname: env.LLMOPS_HOST?.trim() || "127.0.0.1",
    port: intSetting(
      "LLMOPS_GATEWAY_PORT",
      env.LLMOPS_GATEWAY_PORT,
      1,
      65_535,
      DEFAULT_GATEWAY_PORT,
    ),
    maxBodyBytes: intSetting(
      "LLMOPS_GATEWAY_MAX_BODY_BYTES",
      env.LLMOPS_GATEWAY_MAX_BODY_BYTES,
      1_024,
      256 * 1024 * 1024,
      GATEWAY_MAX_BODY_BYTES,
    ),
    bufferEvents: intSetting(
      "LLMOPS_GATEWAY_BUFFER_EVENTS",
      env.LLMOPS_GATEWAY_BUFFER_EVENTS,
      2,
      10_000_000,
      50_000,
    ),
    bufferBytes: 1024 * 1024 *
      intSetting("LLMOPS_GATEWAY_BUFFER_MB", env.LLMOPS_GATEWAY_BUFFER_MB, 1, 65_536, 64),
  };
}

/** Options of {@linkcode startGateway}. */
export interface StartGatewayOptions {
  config: StackConfig;
  settings: GatewaySettings;
  token?: string;
  allowedHosts?: readonly string[];
  trustProxy?: boolean;
  guard?: GuardLimits;
  /** Topics (default the product's); tests use their own. */
  topics?: GatewayTopics;
  /** Called with each response event recorded. */
  onRecorded?: (event: GatewayResponseEvent) => void;
  onListen?: (url: string) => void;
  /** The price table calls are priced with (none: unpriced). */
  prices?: PriceTable | null;
}

/** A running gateway. */
export interface GatewayHandle {
  /** `http://host:port` (no trailing slash). */
  url: string;
  port: number;
  gatewayId: string;
  stats(): PublisherStats;
  metrics: GatewayMetrics;
  /**
   * Stops listening, waits up to `flushMs` (default 15 s) for buffered events to reach Kafka
   * (those left are counted as dropped), disconnects.
   */
  stop(flushMs?: number): Promise<void>;
}

/**
 * Starts a gateway: connects its producer (the publisher buffers while Kafka is unreachable, so
 * the gateway serves even when Kafka is down at start), then listens.
 *
 * @example
 * ```ts ignore
 * const gateway = await startGateway({ config, settings: gatewaySettings(Deno.env.toObject()) });
 * console.log(gateway.url);
 * await gateway.stop();
 * ```
 */
export async function startGateway(options: StartGatewayOptions): Promise<GatewayHandle> {
  const gatewayId = `gateway-${osHostname().slice(0, 40)}-${crypto.randomUUID().slice(0, 8)}`;
  const kafka = createKafka(options.config.kafka.brokers, gatewayId);
  const producer = new EventProducer(kafka);
  // A gateway whose Kafka is down still starts and serves: its events wait in the buffer while
  // the producer keeps trying to connect in the background (1 s, then up to every 10 s).
  let stopped = false;
  let connected = false;
  const connecting = (async () => {
    for (let attempt = 0; !stopped; attempt++) {
      try {
        await producer.connect();
        connected = true;
        return;
      } catch (error) {
        if (attempt === 0) {
          console.error(
            `gateway: Kafka not reachable yet (${(error as Error).message}); events are buffered`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 1_000 * 2 ** attempt)));
      }
    }
  })();
  await Promise.race([connecting, new Promise((resolve) => setTimeout(resolve, 3_000))]);
  const publisher = new BoundedPublisher(producer, {
    maxEvents: options.settings.bufferEvents,
    maxBytes: options.settings.bufferBytes,
  });
  const metrics = new GatewayMetrics();
  const app = createGatewayApp({
    ollamaHost: options.config.ollama.host,
    publisher,
    topics: options.topics ?? { requests: TOPICS.requests, responses: TOPICS.responses },
    gatewayId,
    metrics,
    onRecorded: options.onRecorded,
    prices: options.prices,
  }, {
    token: options.token,
    allowedHosts: options.allowedHosts,
    trustProxy: options.trustProxy,
    maxBodyBytes: options.settings.maxBodyBytes,
  });
  let server;
  try {
    server = await serveGuarded(
      {
        hostname: options.settings.hostname,
        port: options.settings.port,
        limits: options.guard,
      },
      (request, client) =>
        app.fetch(request, { remoteAddr: { hostname: client, port: 0, transport: "tcp" } }),
    );
  } catch (error) {
    await producer.disconnect().catch(() => {});
    throw error;
  }
  const host = server.addr.hostname.includes(":")
    ? `[${server.addr.hostname}]`
    : server.addr.hostname;
  const url = `http://${host}:${server.addr.port}`;
  options.onListen?.(url);
  return {
    url,
    port: server.addr.port,
    gatewayId,
    metrics,
    stats: () => publisher.stats(),
    async stop(flushMs = 15_000) {
      if (stopped) return;
      stopped = true;
      await server.shutdown().catch(() => {});
      const left = await publisher.close(connected ? flushMs : 0);
      if (left > 0) console.error(`gateway: ${left} events not published at shutdown (dropped)`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        producer.disconnect().catch(() => {}),
        new Promise((resolve) => (timer = setTimeout(resolve, 5_000))),
      ]);
      clearTimeout(timer);
    },
  };
}
