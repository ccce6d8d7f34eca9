/**
 * The fan-out of live events to browsers: every part of the server publishes here, every
 * `GET /api/events` stream subscribes. New responses become `response` events at once and a
 * `metrics` event at most every 200 ms, computed once for all clients.
 *
 * @module
 */

import type { AlertsView } from "../lib/alerts/service.ts";
import type { ResponseEvent } from "../lib/events/mod.ts";
import type { MetricsSnapshot } from "../lib/metrics/mod.ts";
import type { LiveEvent } from "./deps.ts";

/** How often at most a `metrics` event is sent while responses arrive. */
export const METRICS_EVENT_INTERVAL_MS = 200;
/** How often at most an `alerts` event is sent while alerts or readings change. */
export const ALERTS_EVENT_INTERVAL_MS = 250;
/** State changes an `alerts` event carries (the page loads the whole history once). */
export const ALERTS_EVENT_HISTORY = 20;

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
  readonly #alerts: (() => AlertsView) | null;
  #metricsTimer: ReturnType<typeof setTimeout> | null = null;
  #alertsTimer: ReturnType<typeof setTimeout> | null = null;

  /**
   * `metrics` gives the snapshot sent in `metrics` events; `alerts` the view sent in `alerts`
   * events (its history cut to {@linkcode ALERTS_EVENT_HISTORY}).
   */
  constructor(metrics: () => MetricsSnapshot, alerts?: () => AlertsView) {
    this.#metrics = metrics;
    this.#alerts = alerts ?? null;
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
    this.#metricsTimer ??= setTimeout(() => {
      this.#metricsTimer = null;
      this.emit({ type: "metrics", data: this.#metrics() });
    }, METRICS_EVENT_INTERVAL_MS);
  }

  /** Schedules an `alerts` event (at most one per {@linkcode ALERTS_EVENT_INTERVAL_MS}). */
  alertsChanged(): void {
    if (!this.#alerts || this.#listeners.size === 0) return;
    this.#alertsTimer ??= setTimeout(() => {
      this.#alertsTimer = null;
      if (this.#alerts && this.#listeners.size > 0) {
        this.emit({ type: "alerts", data: this.#alerts() });
      }
    }, ALERTS_EVENT_INTERVAL_MS);
  }

  /** Cancels pending `metrics` and `alerts` events. */
  close(): void {
    if (this.#metricsTimer) clearTimeout(this.#metricsTimer);
    if (this.#alertsTimer) clearTimeout(this.#alertsTimer);
    this.#metricsTimer = null;
    this.#alertsTimer = null;
  }
}
