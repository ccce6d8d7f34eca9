/**
 * Publishing off the hot path: a bounded queue in front of an {@linkcode EventProducer} that
 * never makes its caller wait. `publish` serializes the events, admits them when they fit the
 * bounds and returns at once; a pump hands them to the producer (at most `maxInFlight` at a time)
 * and, when the producer gives up on one (Kafka unreachable past its delivery timeout), puts it
 * back at the head of the queue and tries again after a pause. So while Kafka is down the events
 * wait in memory and go out, in order, once it is back.
 *
 * Bounds and drops: everything not yet acknowledged (queued or in flight) counts against
 * `maxEvents` and `maxBytes`. When a group of events does not fit, the group itself (the newest
 * events) is dropped whole, and counted: events already handed to the producer cannot be called
 * back, and a call's request and response events are admitted or dropped together, so no
 * response is published without its request. An event the broker refuses for good (larger than
 * its message limit) is dropped and counted as `rejected`. Nothing is lost silently: every drop
 * is in {@linkcode PublisherStats}.
 *
 * @module
 */

import type { EventProducer } from "./producer.ts";

/** What the publisher needs of a producer ({@linkcode EventProducer} has it). */
export type PublisherProducer = Pick<EventProducer, "send">;

/** One event to publish. */
export interface OutgoingEvent {
  topic: string;
  key: string | null;
  /** An object (sent as JSON) or the JSON text itself. */
  value: unknown;
}

/** Options of {@linkcode BoundedPublisher}. */
export interface BoundedPublisherOptions {
  /** Events held at most (queued and in flight). Default 50,000. */
  maxEvents?: number;
  /** Bytes held at most (UTF-8 JSON of the values and keys). Default 64 MiB. */
  maxBytes?: number;
  /** Events handed to the producer at once. Default 2,000. */
  maxInFlight?: number;
  /** Pause before handing back events the producer gave up on. Default 1 s. */
  retryDelayMs?: number;
  /** Called with each failure of the producer (for logs). */
  onError?: (error: Error) => void;
}

/** The publisher's counts. */
export interface PublisherStats {
  /** Events waiting or in flight. */
  buffered: number;
  /** Their bytes. */
  bufferedBytes: number;
  /** Events acknowledged by Kafka. */
  published: number;
  /** Events dropped because the buffer was full. */
  dropped: number;
  /** Events the broker refused for good (too large) or that came after close. */
  rejected: number;
  /** Times the producer gave up on an event that was then queued again. */
  retries: number;
  /** The last failure of the producer, cleared by the next acknowledgement. */
  lastError: string | null;
  maxEvents: number;
  maxBytes: number;
}

interface Item {
  seq: number;
  topic: string;
  key: string | null;
  value: string;
  bytes: number;
}

const encoder = new TextEncoder();

/** UTF-8 bytes of a string, without encoding it when every character is one byte. */
function utf8Bytes(text: string): number {
  // deno-lint-ignore no-control-regex
  return /^[\u0000-\u007f]*$/.test(text) ? text.length : encoder.encode(text).length;
}

/** True for failures that retrying cannot fix. */
function permanent(error: Error): boolean {
  return /refused by the broker|producer is closed/.test(error.message);
}

/**
 * A bounded, non-blocking publisher.
 *
 * @example
 * ```ts ignore
 * const publisher = new BoundedPublisher(producer, { maxEvents: 10_000 });
 * publisher.publish([
 *   { topic: "llm.requests", key: id, value: requestEvent },
 *   { topic: "llm.responses", key: id, value: responseEvent },
 * ]); // true: admitted; false: dropped (counted)
 * publisher.stats().dropped;
 * await publisher.close(10_000);
 * ```
 */
export class BoundedPublisher {
  readonly maxEvents: number;
  readonly maxBytes: number;
  readonly #producer: PublisherProducer;
  readonly #maxInFlight: number;
  readonly #retryDelayMs: number;
  readonly #onError?: (error: Error) => void;
  #queue: Item[] = [];
  #head = 0;
  #inFlight = 0;
  #bytes = 0;
  #published = 0;
  #dropped = 0;
  #rejected = 0;
  #retries = 0;
  #lastError: string | null = null;
  #paused: ReturnType<typeof setTimeout> | null = null;
  /** Events the producer gave up on, back in the queue (in their order) after the pause. */
  #failedItems: Item[] = [];
  #seq = 0;
  #closed = false;
  #idle: (() => void)[] = [];

  constructor(producer: PublisherProducer, options: BoundedPublisherOptions = {}) {
    this.#producer = producer;
    this.maxEvents = positive("maxEvents", options.maxEvents ?? 50_000);
    this.maxBytes = positive("maxBytes", options.maxBytes ?? 64 * 1024 * 1024);
    this.#maxInFlight = positive("maxInFlight", options.maxInFlight ?? 2_000);
    this.#retryDelayMs = Math.max(0, options.retryDelayMs ?? 1_000);
    this.#onError = options.onError;
  }

  /** Events waiting or in flight. */
  get buffered(): number {
    return this.#queue.length - this.#head + this.#inFlight + this.#failedItems.length;
  }

  /** Events dropped because the buffer was full. */
  get dropped(): number {
    return this.#dropped;
  }

  /** The counts (for health and `/metrics`). */
  stats(): PublisherStats {
    return {
      buffered: this.buffered,
      bufferedBytes: this.#bytes,
      published: this.#published,
      dropped: this.#dropped,
      rejected: this.#rejected,
      retries: this.#retries,
      lastError: this.#lastError,
      maxEvents: this.maxEvents,
      maxBytes: this.maxBytes,
    };
  }

  /** True when `events` more events of `bytes` bytes in all would be admitted now. */
  hasRoom(events: number, bytes = 0): boolean {
    return !this.#closed && this.buffered + events <= this.maxEvents &&
      this.#bytes + bytes <= this.maxBytes;
  }

  /**
   * Admits the events together, or drops them together when they do not fit (counted in
   * `dropped`). Never waits. Objects are serialized here, so later changes to them do not leak.
   */
  publish(events: readonly OutgoingEvent[]): boolean {
    const items: Item[] = [];
    let bytes = 0;
    for (const e of events) {
      const value = typeof e.value === "string" ? e.value : JSON.stringify(e.value);
      const size = utf8Bytes(value) + (e.key === null ? 0 : e.key.length);
      items.push({ seq: this.#seq++, topic: e.topic, key: e.key, value, bytes: size });
      bytes += size;
    }
    if (this.#closed) {
      this.#rejected += items.length;
      return false;
    }
    if (!this.hasRoom(items.length, bytes)) {
      this.#dropped += items.length;
      return false;
    }
    for (const item of items) this.#queue.push(item);
    this.#bytes += bytes;
    this.#pump();
    return true;
  }

  #pump(): void {
    if (this.#paused !== null) return;
    while (this.#inFlight < this.#maxInFlight && this.#head < this.#queue.length) {
      const item = this.#queue[this.#head++];
      this.#inFlight++;
      this.#producer.send(item.topic, item.key, item.value).then(
        () => this.#settle(item, true),
        (error: Error) => this.#failed(item, error),
      );
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    this.#checkIdle();
  }

  #settle(item: Item, ok: boolean): void {
    this.#inFlight--;
    this.#bytes -= item.bytes;
    if (ok) {
      this.#published++;
      this.#lastError = null;
    } else this.#rejected++;
    this.#pump();
  }

  #failed(item: Item, error: Error): void {
    this.#lastError = error.message;
    this.#onError?.(error);
    if (permanent(error) || this.#closed) {
      this.#settle(item, false);
      return;
    }
    // Back at the head of the queue, in order, tried again after a pause (Kafka is down).
    this.#inFlight--;
    this.#retries++;
    this.#failedItems.push(item);
    if (this.#paused === null) {
      this.#paused = setTimeout(() => {
        this.#paused = null;
        const back = this.#failedItems.splice(0).sort((a, b) => a.seq - b.seq);
        this.#queue = [...back, ...this.#queue.slice(this.#head)];
        this.#head = 0;
        this.#pump();
      }, this.#retryDelayMs);
    }
  }

  #checkIdle(): void {
    if (this.buffered === 0 && this.#idle.length > 0) {
      for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  /** Resolves true once every admitted event is acknowledged, false after `timeoutMs`. */
  async flush(timeoutMs = 30_000): Promise<boolean> {
    if (this.buffered === 0) return true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const idle = new Promise<boolean>((resolve) => this.#idle.push(() => resolve(true)));
    const late = new Promise<boolean>((
      resolve,
    ) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return await Promise.race([idle, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Stops admitting events and waits up to `timeoutMs` for those held to be acknowledged; those
   * still held then are counted as dropped. Returns the number dropped at close.
   */
  async close(timeoutMs = 30_000): Promise<number> {
    const flushed = await this.flush(timeoutMs);
    this.#closed = true;
    if (this.#paused !== null) clearTimeout(this.#paused);
    this.#paused = null;
    if (flushed) return 0;
    const left = this.buffered;
    const waiting = [...this.#queue.slice(this.#head), ...this.#failedItems.splice(0)];
    for (const item of waiting) this.#bytes -= item.bytes;
    this.#dropped += waiting.length;
    this.#queue = [];
    this.#head = 0;
    return left;
  }
}

function positive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, found ${value}`);
  }
  return value;
}
