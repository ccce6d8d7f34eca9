/**
 * Fingerprints of alert episodes and idempotency keys of notifications: stable strings computed
 * from what identifies them, so the same episode gets the same fingerprint after a restart.
 *
 * @module
 */

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

/**
 * FNV-1a, 64 bits, of a string's UTF-8 bytes, as 16 hex digits. O(length). Not a cryptographic
 * hash: it names things, it does not protect them.
 *
 * @example
 * ```ts
 * import { fnv1a64 } from "./fingerprint.ts";
 * fnv1a64(""); // "cbf29ce484222325"
 * ```
 */
export function fnv1a64(text: string): string {
  let hash = FNV_OFFSET;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * FNV_PRIME) & MASK;
  }
  return hash.toString(16).padStart(16, "0");
}

/**
 * The fingerprint of one alert episode: rule id + labels (sorted by name) + the episode's start.
 * A new episode of the same rule (after it resolved) gets a new fingerprint.
 *
 * @example
 * ```ts
 * import { episodeFingerprint } from "./fingerprint.ts";
 * episodeFingerprint("r1", { b: "2", a: "1" }, 1000) ===
 *   episodeFingerprint("r1", { a: "1", b: "2" }, 1000); // true
 * ```
 */
export function episodeFingerprint(
  ruleId: string,
  labels: Readonly<Record<string, string>>,
  startedAt: number,
): string {
  const sorted = Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join("\u0001");
  return fnv1a64(`${ruleId}\u0000${sorted}\u0000${startedAt}`);
}

/**
 * The idempotency key of a notification: `<fingerprint>:<state>:<seq>`. Every delivery of it, to
 * every channel and on every retry, carries this key.
 *
 * @example
 * ```ts
 * import { notificationKey } from "./fingerprint.ts";
 * notificationKey("abc", "firing", 1); // "abc:firing:1"
 * ```
 */
export function notificationKey(
  fingerprint: string,
  state: "firing" | "resolved",
  seq: number,
): string {
  return `${fingerprint}:${state}:${seq}`;
}
