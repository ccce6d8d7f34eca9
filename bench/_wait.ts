/**
 * Polling without fixed sleeps.
 *
 * @module
 */

/** Polls `done` every few milliseconds until true or `timeoutMs` passes; true when done. */
export async function waitFor(
  done: () => boolean,
  timeoutMs: number,
  intervalMs = 5,
): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return true;
}
