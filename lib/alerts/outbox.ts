/**
 * The durable outbox of deliveries, as a pure fold over `llm.alert.v1` records: every
 * `notification` record adds one delivery per channel; `delivery` records mark them sent,
 * failed (with the next attempt's time) or abandoned. Rebuilt with {@linkcode Outbox.replay}
 * after a restart, it holds exactly the deliveries not yet made, so a receiver that was down gets
 * each notification once when it is back, and a notification already delivered is not sent
 * again. (A crash between a send and its `sent` record resends once, with the same
 * `Idempotency-Key`: receivers that honour it see one notification.)
 *
 * @module
 */

import {
  ALERT_EVENT_SCHEMA,
  type AlertDeliveryEvent,
  type AlertEvent,
  type AlertNotificationEvent,
} from "../events/alert.ts";

/** Exponential backoff between attempts. */
export interface BackoffOptions {
  /** Delay after the first failure (default 1 s). */
  baseMs?: number;
  /** Largest delay (default 30 s): a receiver back from an outage waits at most this long. */
  maxMs?: number;
  /** Share of the delay drawn at random to spread retries (default 0.2). */
  jitter?: number;
  /** Random numbers within [0, 1) (default Math.random). */
  random?: () => number;
}

/**
 * The delay before attempt `attempt + 1` after `attempt` failures: base · 2^(attempt−1), capped
 * at max, minus up to `jitter` of it at random.
 *
 * @example
 * ```ts
 * import { backoffDelay } from "./outbox.ts";
 * backoffDelay(3, { baseMs: 100, maxMs: 1000, jitter: 0 }); // 400
 * ```
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`Expected an attempt number ≥ 1, found ${attempt}`);
  }
  const base = options.baseMs ?? 1_000;
  const max = options.maxMs ?? 30_000;
  const jitter = options.jitter ?? 0.2;
  const raw = Math.min(max, base * 2 ** Math.min(attempt - 1, 40));
  return Math.round(raw * (1 - jitter * (options.random ?? Math.random)()));
}

/** One delivery not yet made. */
export interface PendingDelivery {
  /** `<key>@<channel>`. */
  id: string;
  key: string;
  channel: string;
  rule_id: string;
  notification: AlertNotificationEvent;
  /** Attempts made so far. */
  attempts: number;
  /** When it is due, epoch ms. */
  next_attempt_at: number;
  /** When the notification was decided. */
  created_at: number;
  last_error?: string;
}

/** Options of {@linkcode Outbox}. */
export interface OutboxOptions {
  backoff?: BackoffOptions;
  /** A delivery still failing this long after its notification is abandoned (default 24 h). */
  maxAgeMs?: number;
  /** How many finished delivery ids are remembered against duplicates (default 10,000). */
  doneLimit?: number;
}

/**
 * The deliveries not yet made.
 *
 * @example
 * ```ts ignore
 * const outbox = Outbox.replay(eventsFromTopic);
 * for (const d of outbox.pending(Date.now())) { … outbox.markSent(d.id, Date.now()) … }
 * ```
 */
export class Outbox {
  #pending = new Map<string, PendingDelivery>();
  #done = new Set<string>();
  #inFlight = new Set<string>();
  readonly #options: OutboxOptions;

  constructor(options: OutboxOptions = {}) {
    this.#options = options;
  }

  /**
   * An outbox rebuilt from records in the order they were written.
   *
   * @example
   * ```ts
   * import { Outbox } from "./outbox.ts";
   * Outbox.replay([]).size; // 0
   * ```
   */
  static replay(events: Iterable<AlertEvent>, options: OutboxOptions = {}): Outbox {
    const outbox = new Outbox(options);
    for (const event of events) outbox.apply(event);
    return outbox;
  }

  /** Deliveries not yet made (due or not). */
  get size(): number {
    return this.#pending.size;
  }

  /** Folds one record in; repeated records change nothing. */
  apply(event: AlertEvent): void {
    if (event.kind === "notification") {
      for (const channel of event.channels) {
        const id = `${event.key}@${channel}`;
        if (this.#done.has(id) || this.#pending.has(id)) continue;
        this.#pending.set(id, {
          id,
          key: event.key,
          channel,
          rule_id: event.rule_id,
          notification: event,
          attempts: 0,
          next_attempt_at: event.ts,
          created_at: event.ts,
        });
      }
    } else if (event.kind === "delivery") {
      const id = `${event.key}@${event.channel}`;
      if (event.outcome === "failed") {
        const pending = this.#pending.get(id);
        if (pending && event.attempt >= pending.attempts) {
          pending.attempts = event.attempt;
          pending.next_attempt_at = event.next_attempt_at ?? event.ts;
          pending.last_error = event.error;
        }
        return;
      }
      this.#pending.delete(id);
      this.#done.add(id);
      const limit = this.#options.doneLimit ?? 10_000;
      if (this.#done.size > limit) {
        const oldest = this.#done.values().next().value;
        if (oldest !== undefined) this.#done.delete(oldest);
      }
    }
  }

  /**
   * Deliveries due at `now` (every one when `now` is omitted), oldest first, leaving out those
   * being delivered right now ({@linkcode Outbox.claim}).
   */
  pending(now?: number): PendingDelivery[] {
    return [...this.#pending.values()]
      .filter((d) => !this.#inFlight.has(d.id) && (now === undefined || d.next_attempt_at <= now))
      .sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.created_at - b.created_at);
  }

  /** Marks a delivery as in progress; false when it already is or is not pending. */
  claim(id: string): boolean {
    if (!this.#pending.has(id) || this.#inFlight.has(id)) return false;
    this.#inFlight.add(id);
    return true;
  }

  /** Ends a claim without an outcome (the caller gave up before trying). */
  release(id: string): void {
    this.#inFlight.delete(id);
  }

  /** Records a success; returns the record to write (already applied). */
  markSent(id: string, now: number): AlertDeliveryEvent {
    const d = this.#get(id);
    const event: AlertDeliveryEvent = {
      schema: ALERT_EVENT_SCHEMA,
      kind: "delivery",
      ts: now,
      rule_id: d.rule_id,
      key: d.key,
      channel: d.channel,
      outcome: "sent",
      attempt: d.attempts + 1,
    };
    this.#inFlight.delete(id);
    this.apply(event);
    return event;
  }

  /**
   * Records a failure; returns the record to write (already applied): `failed` with the next
   * attempt's time, or `abandoned` when the error is final or the delivery is older than
   * `maxAgeMs`.
   */
  markFailed(id: string, now: number, error: string, retryable = true): AlertDeliveryEvent {
    const d = this.#get(id);
    const attempt = d.attempts + 1;
    const tooOld = now - d.created_at >= (this.#options.maxAgeMs ?? 24 * 3600_000);
    const abandon = !retryable || tooOld;
    const event: AlertDeliveryEvent = {
      schema: ALERT_EVENT_SCHEMA,
      kind: "delivery",
      ts: now,
      rule_id: d.rule_id,
      key: d.key,
      channel: d.channel,
      outcome: abandon ? "abandoned" : "failed",
      attempt,
      error: (tooOld && retryable ? `given up after ${attempt} attempts: ${error}` : error)
        .slice(0, 2_000),
      ...(abandon ? {} : { next_attempt_at: now + backoffDelay(attempt, this.#options.backoff) }),
    };
    this.#inFlight.delete(id);
    this.apply(event);
    return event;
  }

  #get(id: string): PendingDelivery {
    const d = this.#pending.get(id);
    if (!d) throw new RangeError(`Expected a pending delivery "${id}", found none`);
    return d;
  }
}
