/**
 * What the gateway does with a finished call: builds its `llm.response.v2` event from the
 * request event and the measurement, validates both events against the contracts, hands them
 * to the bounded publisher together (never waiting for Kafka) and counts the call in the
 * gateway's own Prometheus metrics. An event that fails validation is counted and logged, never
 * published, so nothing unvalidated reaches `llm.requests` or `llm.responses`.
 *
 * @module
 */

import type { CallMeasurement } from "../../lib/llm/measured_chat.ts";
import { type PriceTable, withCost } from "../../lib/llm/prices.ts";
import {
  type BuiltRequest,
  type GatewayResponseEvent,
  gatewayResponseEvent,
  GenAiMetrics,
  PipelineMetrics,
  PROMETHEUS_CONTENT_TYPE,
  PrometheusRegistry,
  validateGatewayRequest,
  validateGatewayResponse,
} from "../../lib/gateway/mod.ts";
import type { OutgoingEvent, PublisherStats } from "../../lib/kafka/bounded_publisher.ts";

export { PROMETHEUS_CONTENT_TYPE };

/** The publisher as the gateway uses it ({@linkcode BoundedPublisher} in production). */
export interface GatewayPublisher {
  publish(events: readonly OutgoingEvent[]): boolean;
  hasRoom(events: number, bytes?: number): boolean;
  stats(): PublisherStats;
}

/** Topics the gateway writes to. */
export interface GatewayTopics {
  requests: string;
  responses: string;
}

/**
 * The gateway's Prometheus registry: the GenAI metrics of its own calls and OTLP spans, its
 * publisher's counts (`llmops_gateway_events_dropped_total`, `_buffered`, `_published_total`,
 * `_rejected_total`, `_invalid_total`) and OTLP spans by outcome.
 *
 * @example
 * ```ts ignore
 * const metrics = new GatewayMetrics();
 * metrics.render(publisher.stats()); // Prometheus text
 * ```
 */
export class GatewayMetrics {
  readonly registry = new PrometheusRegistry();
  readonly genai = new GenAiMetrics(this.registry);
  readonly pipeline = new PipelineMetrics(this.registry);
  readonly published = this.registry.counter({
    name: "llmops_gateway_events_published_total",
    help: "Events the gateway published to Kafka (acknowledged).",
  });
  readonly rejected = this.registry.counter({
    name: "llmops_gateway_events_rejected_total",
    help: "Events Kafka refused for good (too large) or that arrived after shutdown began.",
  });
  readonly invalid = this.registry.counter({
    name: "llmops_gateway_events_invalid_total",
    help: "Events that failed contract validation and were not published (a gateway bug).",
  });

  /** Sets the publisher's counts; returns the text exposition. */
  render(stats: PublisherStats): string {
    this.pipeline.gatewayEventsDropped.setTotal({}, stats.dropped);
    this.pipeline.gatewayEventsBuffered.set({}, stats.buffered);
    this.published.setTotal({}, stats.published);
    this.rejected.setTotal({}, stats.rejected);
    return this.registry.render();
  }
}

/** Options of {@linkcode CallRecorder}. */
export interface CallRecorderOptions {
  publisher: GatewayPublisher;
  topics: GatewayTopics;
  /** `worker_id` of the gateway's response events. */
  gatewayId: string;
  metrics: GatewayMetrics;
  /** Called with each response event published (for tests and live views). */
  onRecorded?: (event: GatewayResponseEvent) => void;
  log?: (line: string) => void;
  /** The price table responses are priced with where they are made (none: unpriced). */
  prices?: PriceTable | null;
}

/**
 * Records finished calls.
 *
 * @example
 * ```ts ignore
 * const recorder = new CallRecorder({ publisher, topics, gatewayId: "gateway-1", metrics });
 * recorder.record(built, meter.finish());
 * ```
 */
export class CallRecorder {
  readonly #o: CallRecorderOptions;
  #invalid = 0;

  constructor(options: CallRecorderOptions) {
    this.#o = options;
  }

  /** Events that failed validation so far. */
  get invalidCount(): number {
    return this.#invalid;
  }

  /** Publishes the call's request and response events; returns the response event. */
  record(built: BuiltRequest, measurement: CallMeasurement): GatewayResponseEvent | null {
    let request;
    let response;
    try {
      request = validateGatewayRequest(built.event);
      response = validateGatewayResponse(
        withCost(
          gatewayResponseEvent(built.event, measurement, this.#o.gatewayId),
          this.#o.prices,
        ),
      );
    } catch (error) {
      this.#invalid++;
      this.#o.metrics.invalid.inc({}, 1);
      (this.#o.log ?? console.error)(
        `gateway: event of ${built.event.request_id} not published: ${(error as Error).message}`,
      );
      return null;
    }
    this.#o.publisher.publish([
      { topic: this.#o.topics.requests, key: request.request_id, value: request },
      { topic: this.#o.topics.responses, key: response.request_id, value: response },
    ]);
    this.#o.metrics.genai.observe(response);
    this.#o.onRecorded?.(response);
    return response;
  }
}
