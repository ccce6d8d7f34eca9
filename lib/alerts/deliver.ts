/**
 * Delivering the outbox: one pass over the due deliveries, each tried once and recorded, and a
 * send with bounded retries for the API's "test this channel".
 *
 * @module
 */

import type { AlertDeliveryEvent, AlertNotificationEvent } from "../events/alert.ts";
import {
  type ChannelConfig,
  type DeliveryContext,
  DeliveryError,
  sendNotification,
} from "./channels/mod.ts";
import { backoffDelay, type BackoffOptions, type Outbox } from "./outbox.ts";

/** Sends one notification to one channel once (default: {@linkcode sendNotification}). */
export type Sender = (
  channel: ChannelConfig,
  n: AlertNotificationEvent,
  context: DeliveryContext,
) => Promise<void>;

/** Options of {@linkcode deliverDue}. */
export interface DeliverOptions extends DeliveryContext {
  /** The clock (default Date.now). */
  now?: () => number;
  /** The sender (default: the real channels). */
  send?: Sender;
  /** Deliveries attempted at once (default 4). */
  concurrency?: number;
}

/** The channels by name: a Map or a plain record. */
export type ChannelDirectory =
  | ReadonlyMap<string, ChannelConfig>
  | Readonly<Record<string, ChannelConfig>>;

function lookup(channels: ChannelDirectory, name: string): ChannelConfig | undefined {
  if (channels instanceof Map) return channels.get(name);
  const record = channels as Readonly<Record<string, ChannelConfig>>;
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

/**
 * Tries every delivery due now once: a success is recorded `sent`, a failure `failed` (retried
 * after an exponential, bounded backoff) or `abandoned` (a final error, a channel that no longer
 * exists, or older than the outbox's max age). Returns the records to write to `llm.alerts`, in
 * the order they happened. Call it on a timer (every second or so); concurrent calls on the same
 * outbox never send the same delivery twice at once.
 *
 * @example
 * ```ts ignore
 * const records = await deliverDue(outbox, channels, { dashboardUrl });
 * for (const r of records) await producer.send("llm.alerts", r);
 * ```
 */
export async function deliverDue(
  outbox: Outbox,
  channels: ChannelDirectory,
  options: DeliverOptions = {},
): Promise<AlertDeliveryEvent[]> {
  const now = options.now ?? Date.now;
  const send = options.send ?? sendNotification;
  const due = outbox.pending(now()).filter((d) => outbox.claim(d.id));
  const records: AlertDeliveryEvent[] = [];
  let next = 0;
  const worker = async () => {
    while (next < due.length) {
      const d = due[next++];
      const channel = lookup(channels, d.channel);
      if (!channel) {
        records.push(
          outbox.markFailed(d.id, now(), `channel "${d.channel}" is not defined`, false),
        );
        continue;
      }
      try {
        await send(channel, d.notification, options);
        records.push(outbox.markSent(d.id, now()));
      } catch (error) {
        const retryable = error instanceof DeliveryError ? error.retryable : true;
        records.push(outbox.markFailed(d.id, now(), (error as Error).message, retryable));
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, due.length)) }, worker),
  );
  return records;
}

/** Options of {@linkcode sendWithRetries}. */
export interface RetryOptions extends DeliveryContext {
  /** Attempts in all (default 3). */
  attempts?: number;
  backoff?: BackoffOptions;
  send?: Sender;
  /** Waits between attempts (default setTimeout). */
  sleep?: (ms: number) => Promise<void>;
}

/** Outcome of {@linkcode sendWithRetries}. */
export interface RetryOutcome {
  ok: boolean;
  attempts: number;
  error?: string;
}

/**
 * Sends now, retrying retryable failures with backoff up to `attempts` times: for the API's
 * test notification, which reports the outcome to the person waiting.
 *
 * @example
 * ```ts ignore
 * const outcome = await sendWithRetries(channel, testNotification, { attempts: 3 });
 * ```
 */
export async function sendWithRetries(
  channel: ChannelConfig,
  n: AlertNotificationEvent,
  options: RetryOptions = {},
): Promise<RetryOutcome> {
  const attempts = options.attempts ?? 3;
  const send = options.send ?? sendNotification;
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  let last = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      await send(channel, n, options);
      return { ok: true, attempts: attempt };
    } catch (error) {
      last = (error as Error).message;
      const retryable = error instanceof DeliveryError ? error.retryable : true;
      if (!retryable || attempt === attempts) return { ok: false, attempts: attempt, error: last };
      await sleep(backoffDelay(attempt, options.backoff));
    }
  }
  return { ok: false, attempts, error: last };
}
