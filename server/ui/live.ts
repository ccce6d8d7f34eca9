/**
 * Live state of the dashboard: one `EventSource("/api/events")` feeding a small store, a pure
 * reducer for each event, and a hook that re-renders a component only when the slice it reads
 * changes. No polling: after a reconnect the store refetches once to fill the gap.
 *
 * @module
 */

import { useEffect, useState } from "preact/hooks";
import type {
  AlertStateEvent,
  AlertsView,
  DriftBody,
  HealthReport,
  LiveData,
  MetricsSnapshot,
  ResponseEvent,
  StreamStatus,
  TokenEvent,
} from "./types.ts";

/** Responses kept for the Response Stream tab. */
export const MAX_RESPONSES = 200;
/** Alert state changes kept for the Alerts tab's history. */
export const MAX_ALERT_HISTORY = 200;
/** Requests whose generated text is kept from `token` events. */
export const MAX_TOKEN_STREAMS = 20;

/** State of the connection to the event stream. */
export type Connection = "connecting" | "open" | "reconnecting";

/** Everything the live events carry. */
export interface LiveState {
  connection: Connection;
  metrics: MetricsSnapshot | null;
  health: HealthReport | null;
  drift: DriftBody | null;
  stream: StreamStatus | null;
  /** Newest first, at most {@linkcode MAX_RESPONSES}, one per request id. */
  responses: ResponseEvent[];
  /** Whether the first list of responses has been loaded. */
  responsesLoaded: boolean;
  /** Text generated so far, per request id (the newest {@linkcode MAX_TOKEN_STREAMS}). */
  tokens: Record<string, string>;
  /** Increases with every `runs` hint. */
  runsVersion: number;
  /** Alerts (GET /api/alerts, then `alerts` events), with the history merged across events. */
  alerts: AlertsView | null;
}

/** The state before anything arrived. */
export function initialLiveState(): LiveState {
  return {
    connection: "connecting",
    metrics: null,
    health: null,
    drift: null,
    stream: null,
    responses: [],
    responsesLoaded: false,
    tokens: {},
    runsVersion: 0,
    alerts: null,
  };
}

/** Names of the live events: every event the server sends ({@linkcode LiveData}). */
export const LIVE_EVENTS = [
  "metrics",
  "response",
  "token",
  "health",
  "drift",
  "stream",
  "runs",
  "alerts",
] as const satisfies readonly (keyof LiveData)[];

/** A live event name. */
export type LiveEventName = typeof LIVE_EVENTS[number];

/** Fails to compile when the server sends an event that {@linkcode LIVE_EVENTS} does not list. */
const _everyEventListed: Exclude<keyof LiveData, LiveEventName> extends never ? true : never = true;

/** One live event as the browser receives it: its name and its JSON data. */
export type LiveMessage = { [K in LiveEventName]: { name: K; data: LiveData[K] } }[LiveEventName];

function endTime(e: ResponseEvent): number {
  return typeof e.ts_end === "number" ? e.ts_end : typeof e.ts === "number" ? e.ts : 0;
}

/**
 * Merges responses into a newest-first list: one entry per request id (the newer copy wins),
 * sorted by end time, at most `max`. O((n + m) log(n + m)).
 *
 * @example
 * ```ts
 * mergeResponses([], [a, b]).length; // 2
 * ```
 */
export function mergeResponses(
  current: readonly ResponseEvent[],
  incoming: readonly ResponseEvent[],
  max = MAX_RESPONSES,
): ResponseEvent[] {
  const byId = new Map<string, ResponseEvent>();
  for (const e of current) byId.set(e.request_id, e);
  for (const e of incoming) {
    if (e && typeof e.request_id === "string") byId.set(e.request_id, e);
  }
  return [...byId.values()].sort((a, b) => endTime(b) - endTime(a)).slice(0, max);
}

function historyKey(e: AlertStateEvent): string {
  return `${e.fingerprint}:${e.state}:${e.ts}`;
}

/**
 * Merges alert state changes into a newest-first history: one entry per (fingerprint, state,
 * time), at most `max`. A live event carries the newest 20; the page's first load brings 200.
 * O((n + m) log(n + m)).
 *
 * @example
 * ```ts
 * mergeAlertHistory([], [a, b]).length; // 2
 * ```
 */
export function mergeAlertHistory(
  current: readonly AlertStateEvent[],
  incoming: readonly AlertStateEvent[],
  max = MAX_ALERT_HISTORY,
): AlertStateEvent[] {
  const byKey = new Map<string, AlertStateEvent>();
  for (const e of [...current, ...incoming]) {
    if (e && typeof e.fingerprint === "string" && typeof e.ts === "number") {
      byKey.set(historyKey(e), e);
    }
  }
  return [...byKey.values()].sort((a, b) => b.ts - a.ts).slice(0, max);
}

/**
 * The alerts state after a new view (an event or a fetch): everything from the view, the history
 * merged with what was already known.
 */
export function mergeAlerts(current: AlertsView | null, next: AlertsView): AlertsView {
  const history = Array.isArray(next.history) ? next.history : [];
  return { ...next, history: mergeAlertHistory(current?.history ?? [], history) };
}

/**
 * Prepends one live response (the usual case, O(n)); falls back to a full merge when it is a
 * duplicate or older than the newest one.
 */
export function prependResponse(
  current: readonly ResponseEvent[],
  event: ResponseEvent,
  max = MAX_RESPONSES,
): ResponseEvent[] {
  const duplicate = current.some((e) => e.request_id === event.request_id);
  if (!duplicate && (current.length === 0 || endTime(event) >= endTime(current[0]))) {
    return [event, ...current.slice(0, max - 1)];
  }
  return mergeResponses(current, [event], max);
}

/**
 * Appends a piece of generated text for a request, keeping the newest `max` requests.
 *
 * @example
 * ```ts
 * appendToken({}, { request_id: "r", text: "Hi" }); // { r: "Hi" }
 * ```
 */
export function appendToken(
  tokens: Readonly<Record<string, string>>,
  event: TokenEvent,
  max = MAX_TOKEN_STREAMS,
): Record<string, string> {
  const { request_id: id, text } = event;
  if (typeof id !== "string" || typeof text !== "string") return tokens as Record<string, string>;
  const next: Record<string, string> = {};
  const keys = Object.keys(tokens).filter((k) => k !== id);
  for (const k of keys.slice(Math.max(0, keys.length - (max - 1)))) next[k] = tokens[k];
  next[id] = (tokens[id] ?? "") + text;
  return next;
}

/**
 * The state after one live event. Pure; unknown events and malformed data (not an object, a
 * response without a request id) leave it unchanged.
 *
 * @example
 * ```ts
 * reduceLive(initialLiveState(), { name: "runs", data: { changed: true } }).runsVersion; // 1
 * ```
 */
export function reduceLive(state: LiveState, event: LiveMessage): LiveState {
  if (event.data === null || typeof event.data !== "object") return state;
  switch (event.name) {
    case "metrics":
      return { ...state, metrics: event.data };
    case "health":
      return { ...state, health: event.data };
    case "drift":
      return { ...state, drift: event.data };
    case "stream":
      return { ...state, stream: event.data };
    case "runs":
      return { ...state, runsVersion: state.runsVersion + 1 };
    case "alerts":
      return { ...state, alerts: mergeAlerts(state.alerts, event.data) };
    case "response":
      if (typeof event.data.request_id !== "string") return state;
      return { ...state, responses: prependResponse(state.responses, event.data) };
    case "token":
      return { ...state, tokens: appendToken(state.tokens, event.data) };
    default:
      return state;
  }
}

/** A minimal EventSource, so tests can pass a double. */
export interface EventSourceLike {
  addEventListener(type: string, listener: (event: MessageEvent | Event) => void): void;
  close(): void;
  onopen: ((event: Event) => void) | null;
  onerror: ((event: Event) => void) | null;
}

/** The store of the live state. */
export class LiveStore {
  #state: LiveState = initialLiveState();
  readonly #listeners = new Set<() => void>();

  /** The current state. */
  get state(): LiveState {
    return this.#state;
  }

  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Replaces the state with `update(state)` and notifies when it changed. */
  update(update: (state: LiveState) => LiveState): void {
    const next = update(this.#state);
    if (next === this.#state) return;
    this.#state = next;
    for (const listener of [...this.#listeners]) listener();
  }

  /** Applies one live event. */
  apply(event: LiveMessage): void {
    this.update((s) => reduceLive(s, event));
  }

  /**
   * Opens the event stream. `onOpen(reconnected)` runs on every (re)connection so the caller can
   * load what the events do not carry. Returns a function that closes it.
   */
  connect(
    onOpen: (reconnected: boolean) => void,
    open: () => EventSourceLike = () => new EventSource("/api/events"),
  ): () => void {
    const source = open();
    let wasOpen = false;
    source.onopen = () => {
      this.update((s) => ({ ...s, connection: "open" }));
      onOpen(wasOpen);
      wasOpen = true;
    };
    source.onerror = () => {
      // EventSource reconnects on its own
      this.update((s) => (s.connection === "open" ? { ...s, connection: "reconnecting" } : s));
    };
    for (const name of LIVE_EVENTS) {
      source.addEventListener(name, (event) => {
        const raw = (event as MessageEvent).data;
        if (typeof raw !== "string") return;
        let data: LiveData[typeof name];
        try {
          // the server's JSON of this event (reduceLive still drops what is not an object)
          data = JSON.parse(raw);
        } catch {
          return;
        }
        this.apply({ name, data } as LiveMessage);
      });
    }
    return () => source.close();
  }
}

/**
 * The slice `select(state)` of the store, re-rendering only when it changes (by identity).
 *
 * @example
 * ```tsx
 * const metrics = useLive(store, (s) => s.metrics);
 * ```
 */
export function useLive<T>(store: LiveStore, select: (state: LiveState) => T): T {
  const [value, setValue] = useState(() => select(store.state));
  useEffect(() => {
    const check = () => setValue(() => select(store.state));
    check();
    return store.subscribe(check);
    // the selector must not close over changing values: it is read once per store
  }, [store]);
  return value;
}
