/**
 * Retrying a consumer's unit of work while a service it writes to is failing (MLflow down,
 * Ollama restarting): the work is tried again with exponential backoff (250 ms doubling, at most
 * `maxBackoffMs`), the group member keeps heartbeating while it waits so the group does not think
 * it died, and the wait ends as soon as the member is stopping. The member's health shows it:
 * `retrying` is true from a failure until the next success, `lastError` is the latest failure.
 *
 * @module
 */

/** A member's retry state, as the health report shows it (`retrying`, `last_error`). */
export interface RetryStatus {
  /** True from a failure until the work next succeeds. */
  retrying: boolean;
  /** The latest failure's message (also other errors the member records), or null. */
  lastError: string | null;
}

/** Options of {@linkcode retryWithBackoff}. */
export interface RetryWithBackoffOptions {
  /** Updated on each failure (retrying, last error) and success (not retrying). */
  status: RetryStatus;
  /** False once the member is stopping: the wait ends and the work is not tried again. */
  live: () => boolean;
  /** The member's heartbeat, called after each second of waiting (its failures are ignored). */
  heartbeat: () => Promise<void>;
  /** Called on each failure that will be retried, with the attempt it ended (1, 2, …). */
  onError?: (error: Error, attempt: number) => void;
  /** Longest wait between two attempts. Default 10 s. */
  maxBackoffMs?: number;
  /**
   * Also heartbeat every this many ms while the work runs (and during the wait after it), for
   * work that may take longer than the group's session. Default: only while waiting.
   */
  heartbeatEveryMs?: number;
  /**
   * True for an error retrying cannot help: it is thrown at once, and `status` is left as it
   * was. Default: every error is retried.
   */
  isPermanent?: (error: unknown) => boolean;
  /** The clock (tests). Default `Date.now`. */
  now?: () => number;
  /** Waits (tests). Default a timer. */
  sleep?: (ms: number) => Promise<void>;
}

/** The wait after the `attempt`-th failure: 250 ms doubling (500 ms after the first), at most `maxMs`. */
export function backoffMs(attempt: number, maxMs: number): number {
  return Math.min(maxMs, 250 * 2 ** Math.min(attempt, 10));
}

const timer = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` until it succeeds, waiting with backoff after each failure; null when the member
 * stopped while waiting (the work's result is then unknown: leave its input uncommitted).
 *
 * @example
 * ```ts ignore
 * const status: RetryStatus = { retrying: false, lastError: null };
 * const failures = await retryWithBackoff(() => handle(items), {
 *   status, live: () => running && isRunning(), heartbeat,
 *   onError: (error, attempt) => console.error(`attempt ${attempt}: ${error.message}`),
 * });
 * if (failures === null) return; // stopping
 * ```
 */
export async function retryWithBackoff<T>(
  work: () => Promise<T>,
  options: RetryWithBackoffOptions,
): Promise<T | null> {
  const { status, live, heartbeat } = options;
  const maxBackoff = options.maxBackoffMs ?? 10_000;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? timer;
  for (let attempt = 1;; attempt++) {
    const beat = options.heartbeatEveryMs === undefined
      ? undefined
      : setInterval(() => heartbeat().catch(() => {}), options.heartbeatEveryMs);
    try {
      const result = await work();
      status.retrying = false;
      return result;
    } catch (error) {
      if (options.isPermanent?.(error)) throw error;
      status.retrying = true;
      status.lastError = (error as Error).message;
      options.onError?.(error as Error, attempt);
      const until = now() + backoffMs(attempt, maxBackoff);
      while (now() < until) {
        if (!live()) return null;
        await sleep(Math.min(1_000, until - now()));
        await heartbeat().catch(() => {});
      }
    } finally {
      clearInterval(beat);
    }
  }
}
