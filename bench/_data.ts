/**
 * Deterministic data for the benchmarks: a seeded PRNG and plausible response events.
 *
 * @module
 */

import type { ResponseEvent } from "../lib/events/mod.ts";
import { sampleResponse } from "../lib/events/testing.ts";

/** A small PRNG (mulberry32), so generated data is the same in every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A small valid response event (a few hundred bytes of JSON) with plausible, varied figures: the
 * `i`-th of a deterministic sequence, with a fresh request id.
 */
export function benchResponse(i: number, random: () => number): ResponseEvent {
  const success = random() >= 0.05;
  const completion = 4 + Math.floor(random() * 60);
  const latency = Math.round(200 + random() * 1800);
  const ts = 1_760_000_000_000 + i * 10;
  return sampleResponse({
    ts,
    ts_start: ts + 1,
    ts_end: ts + 1 + latency,
    model: random() < 0.7 ? "smollm2:135m" : "smollm2:360m",
    user_id: `user-${i % 50}`,
    status: success ? "success" : "error",
    ...(success ? {} : { error: { type: "timeout", message: "call timed out" } }),
    latency_ms: latency,
    ttft_ms: Math.round(20 + random() * 200),
    completion_tokens: success ? completion : 0,
    tokens_per_s: success ? Math.round(completion / (latency / 1000) * 10) / 10 : 0,
    response_chars: success ? completion * 5 : 0,
    response: success ? "Apache Kafka is a distributed event streaming platform." : "",
  });
}
