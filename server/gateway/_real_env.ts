/**
 * Test helper: the whole product in this process against the real stack, on topics and an
 * MLflow experiment of the test's own: the pipeline (a worker, the MLflow sink, the traces
 * consumer, drift, the dashboard's ingest), the dashboard app behind the connection guard (for
 * `/api/*` and `/metrics`), and a gateway publishing to the same topics. Test-only.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { createKafka } from "../../lib/kafka/mod.ts";
import type { StackConfig } from "../../lib/stack/config.ts";
import { createTestTopics, uniqueName } from "../../lib/stack/testing.ts";
import { createApp } from "../app.ts";
import { serveGuarded } from "../connection_guard.ts";
import { Pipeline } from "../pipeline.ts";
import { type GatewayHandle, gatewaySettings, startGateway } from "./runtime.ts";

/** A running product for one test. */
export interface RealEnv {
  config: StackConfig;
  topics: { requests: string; responses: string };
  pipeline: Pipeline;
  /** The dashboard's origin (`http://127.0.0.1:port`). */
  dashboard: string;
  gateway: GatewayHandle;
  stop(): Promise<void>;
}

/**
 * Starts the pipeline, the dashboard and a gateway on fresh topics and a fresh experiment.
 *
 * @example
 * ```ts ignore
 * const env = await startRealEnv(integrationConfig());
 * try { … } finally { await env.stop(); }
 * ```
 */
export async function startRealEnv(shared: StackConfig): Promise<RealEnv> {
  const config: StackConfig = {
    ...shared,
    mlflow: { ...shared.mlflow, experiment: uniqueName("gateway-e2e") },
  };
  const kafka = createKafka(config.kafka.brokers, uniqueName("gateway-e2e"));
  const { topics, cleanup } = await createTestTopics(kafka, ["requests", "responses"]);
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  let pipeline: Pipeline | null = null;
  let server: { shutdown(): Promise<void> } | null = null;
  let gateway: GatewayHandle | null = null;
  const stop = async () => {
    await gateway?.stop(10_000).catch(() => {});
    await server?.shutdown().catch(() => {});
    await pipeline?.stop().catch(() => {});
    await cleanup();
  };
  try {
    pipeline = await Pipeline.start({
      config,
      port,
      workers: 1,
      datasetsDir: fileURLToPath(new URL("../../datasets", import.meta.url)),
      topics,
    });
    const app = createApp(pipeline, {
      assets: { script: () => Promise.resolve(""), styles: () => Promise.resolve("") },
    });
    const guarded = await serveGuarded(
      { hostname: "127.0.0.1", port },
      (request, client) =>
        app.fetch(request, { remoteAddr: { hostname: client, port: 0, transport: "tcp" } }),
    );
    server = guarded;
    gateway = await startGateway({
      config,
      settings: { ...gatewaySettings({}), port: 0 },
      topics,
    });
    pipeline.attachGateway(gateway.stats);
    return {
      config,
      topics,
      pipeline,
      dashboard: `http://127.0.0.1:${guarded.addr.port}`,
      gateway,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** MLflow traces of an experiment (MLflow 3's search API), by trace id. */
export async function mlflowTraces(
  uri: string,
  experimentId: string,
): Promise<{ trace_id: string; state: string; tags: Record<string, string> }[]> {
  const traces: { trace_id: string; state: string; tags: Record<string, string> }[] = [];
  let pageToken: string | undefined;
  do {
    const response = await fetch(`${uri}/api/3.0/mlflow/traces/search`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        locations: [{
          type: "MLFLOW_EXPERIMENT",
          mlflow_experiment: { experiment_id: experimentId },
        }],
        max_results: 500,
        ...(pageToken ? { page_token: pageToken } : {}),
      }),
    });
    if (!response.ok) throw new Error(`traces/search: ${response.status} ${await response.text()}`);
    const page = await response.json();
    traces.push(...(page.traces ?? []));
    pageToken = page.next_page_token || undefined;
  } while (pageToken);
  return traces;
}
