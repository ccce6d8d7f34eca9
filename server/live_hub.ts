/**
 * The fan-out of live events to browsers: every part of the server publishes here, every
 * `GET /api/events` stream subscribes. New responses become `response` events at once and a
 * `metrics` event at most every 200 ms, computed once for all clients.
 *
 * @module
 */

import type { ResponseEvent } from "../lib/events/mod.ts";
import type { MetricsSnapshot } from "../lib/metrics/mod.ts";
import type { LiveEvent } from "./deps.ts";

/** How often at most a `metrics` event is sent while responses arrive. */
export const METRICS_EVENT_INTERVAL_MS = 200;

/**
 * Live-event fan-out.
 *
 * @example
 * ```ts
 * const hub = new LiveHub(() => aggregator.snapshot());
 * const unsubscribe = hub.subscribe((event) => console.log(event.type));
 * hub.emit({ type: "runs", data: { changed: true } });
 * unsubscribe();
 * ```
 */
export class LiveHub {
  readonly #listeners = new Set<(event: LiveEvent) => void>();
  readonly #metrics: () => MetricsSnapshot;
  #metricsTimer: ReturnType<typeof setTimeout> | null = null;

  /** `metrics` gives the snapshot sent in `metrics` events. */
  constructor(metrics: () => MetricsSnapshot) {
    this.#metrics = metrics;
  }

  /** Listeners subscribed now. */
  get listenerCount(): number {
    return this.#listeners.size;
  }

  /** Subscribes to live events; returns the unsubscribe function. */
  subscribe(listener: (event: LiveEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Sends a live event to every subscriber. */
  emit(event: LiveEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  /** Publishes a new response, and schedules a `metrics` event. */
  response(event: ResponseEvent): void {
    this.emit({ type: "response", data: event });
    this.changed();
  }

  /** Schedules a `metrics` event (at most one per interval): the aggregates changed. */
  changed(): void {
    this.#metricsTimer ??= setTimeout(() => {
      this.#metricsTimer = null;
      this.emit({ type: "metrics", data: this.#metrics() });
    }, METRICS_EVENT_INTERVAL_MS);
  }

  /** Cancels a pending `metrics` event. */
  close(): void {
    if (this.#metricsTimer) clearTimeout(this.#metricsTimer);
    this.#metricsTimer = null;
  }
}
