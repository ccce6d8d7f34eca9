/**
 * A bounded whole-number setting from the environment, shared by serve and the gateway.
 *
 * @module
 */

/**
 * Parses a whole-number environment variable within bounds (decimal digits only).
 *
 * @example
 * ```ts
 * intSetting("LLMOPS_MAX_STREAMS", "50", 1, 10_000, 100); // 50
 * ```
 */
export function intSetting(
  name: string,
  value: string | undefined,
  min: number,
  max: number,
  fallback: number,
): number {
  const text = value?.trim() ?? "";
  if (text === "") return fallback;
  const n = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, found "${value}"`);
  }
  return n;
}
