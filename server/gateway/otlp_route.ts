/**
 * OTLP/HTTP trace intake on the gateway's port: `POST /v1/traces` (JSON or protobuf, gzip or
 * not) maps GenAI spans to `llm.response.v2` events with `source: "otlp"` and publishes them
 * off the request path. Spans that are not model calls are counted and skipped; GenAI spans that
 * cannot make a valid event are rejected in `partialSuccess`. When the publisher's buffer has
 * no room for the request's events, the answer is 503 (Kafka unreachable) or 429 (too much at
 * once) with `Retry-After`, which OTLP exporters retry.
 *
 * @module
 */

import { type PriceTable, withCost } from "../../lib/llm/prices.ts";
import { Hono } from "hono";
import {
  GatewayError,
  mapGenAiSpans,
  otlpSuccessResponse,
  partialSuccessOf,
  readOtlpTraces,
} from "../../lib/gateway/mod.ts";
import type { GatewayMetrics, GatewayPublisher, GatewayTopics } from "./recorder.ts";

/** What the intake needs. */
export interface OtlpRouteDeps {
  publisher: GatewayPublisher;
  topics: GatewayTopics;
  gatewayId: string;
  metrics: GatewayMetrics;
  /** The price table spans are priced with where they become responses (none: unpriced). */
  prices?: PriceTable | null;
  /** Seconds an exporter is asked to wait when the buffer is full. Default 5. */
  retryAfterS?: number;
}

function full(deps: OtlpRouteDeps): GatewayError {
  const stats = deps.publisher.stats();
  const retryAfterS = deps.retryAfterS ?? 5;
  return stats.lastError !== null
    ? new GatewayError(
      "unavailable",
      `the gateway's event buffer is full (${stats.buffered} events) while Kafka is unreachable; retry later`,
      { retryAfterS },
    )
    : new GatewayError(
      "rate_limited",
      `the gateway's event buffer is full (${stats.buffered} events); retry later`,
      { retryAfterS },
    );
}

/**
 * The `POST /v1/traces` route.
 *
 * @example
 * ```ts ignore
 * app.route("/", otlpRoute({ publisher, topics, gatewayId, metrics }));
 * ```
 */
export function otlpRoute(deps: OtlpRouteDeps): Hono {
  const app = new Hono();
  app.post("/v1/traces", async (c) => {
    // refuse before reading when not even one event fits
    if (!deps.publisher.hasRoom(1)) throw full(deps);
    const intake = await readOtlpTraces(c.req.raw);
    const result = mapGenAiSpans(intake.traces, { workerId: deps.gatewayId });
    for (const m of result.mapped) m.event = withCost(m.event, deps.prices);
    const spans = deps.metrics.pipeline.otlpSpans;
    if (result.mapped.length > 0) {
      const events = result.mapped.map((m) => ({
        topic: deps.topics.responses,
        key: m.event.request_id,
        value: m.event,
      }));
      if (!deps.publisher.hasRoom(events.length) || !deps.publisher.publish(events)) {
        throw full(deps);
      }
      for (const m of result.mapped) deps.metrics.genai.observe(m.event);
    }
    spans.inc({ outcome: "accepted" }, result.mapped.length);
    spans.inc({ outcome: "skipped" }, result.skippedCount);
    spans.inc({ outcome: "rejected" }, result.rejectedCount);
    return otlpSuccessResponse(intake.encoding, partialSuccessOf(result));
  });
  return app;
}
