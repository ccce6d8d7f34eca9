/**
 * Polling with a deadline, for the demo's waits on a live dashboard.
 *
 * @module
 */

/**
 * Calls `check` every `intervalMs` until it returns true (resolves true) or `timeoutMs` has passed
 * (resolves false). An error thrown by `check` is thrown.
 *
 * @example
 * ```ts
 * import { poll } from "./poll.ts";
 * let n = 0;
 * await poll(() => ++n === 3, { intervalMs: 1 }); // true
 * ```
 */
export async function poll(
  check: () => boolean | Promise<boolean>,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<boolean> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const intervalMs = options.intervalMs ?? 500;
  if (!(timeoutMs >= 0) || !(intervalMs >= 0)) {
    throw new RangeError(
      `Expected timeoutMs and intervalMs ≥ 0, found ${timeoutMs} and ${intervalMs}`,
    );
  }
  const deadline = Date.now() + timeoutMs;
  while (true) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
