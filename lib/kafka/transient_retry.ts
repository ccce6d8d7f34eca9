/**
 * Admin reads (offsets, metadata) tried again on a broker's transient answer: a partition whose
 * leader moved (a Kafka node restarted), or a topic created a moment ago that its leader does not
 * serve yet ("This server is not the leader for that topic-partition"). kafkajs marks such
 * errors `retriable`; errors it marks as not retriable are thrown at once.
 *
 * @module
 */

/** Options of {@linkcode retryTransient}. */
export interface RetryTransientOptions {
  /** Attempts in all. Default 10. */
  attempts?: number;
  /** Wait after the n-th failure: n × this many ms. Default 200 (9 s in all over 10 attempts). */
  stepMs?: number;
  /** Waits (tests). Default a timer. */
  sleep?: (ms: number) => Promise<void>;
}

/** True unless kafkajs says that retrying cannot help (`retriable: false`). */
export function isTransientKafkaError(error: unknown): boolean {
  return (error as { retriable?: boolean } | null)?.retriable !== false;
}

/**
 * Runs `read` until it succeeds, at most `attempts` times, waiting a little longer after each
 * transient failure; the last failure, or the first one that is not transient, is thrown.
 *
 * @example
 * ```ts ignore
 * const offsets = await retryTransient(() => admin.fetchTopicOffsets("llm.responses"));
 * ```
 */
export async function retryTransient<T>(
  read: () => Promise<T>,
  options: RetryTransientOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 10;
  const stepMs = options.stepMs ?? 200;
  const sleep = options.sleep ??
    ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new RangeError(`Expected attempts to be a positive integer, found ${attempts}`);
  }
  for (let attempt = 1;; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (attempt >= attempts || !isTransientKafkaError(error)) throw error;
      await sleep(stepMs * attempt);
    }
  }
}
