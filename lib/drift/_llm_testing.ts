// Synthetic LLM response events for the drift tests (not exported from mod.ts).
import { sampleResponse } from "../events/testing.ts";
import type { ResponseEvent } from "../events/mod.ts";

/** Deterministic uniform numbers in [0, 1) (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SHORT_PROMPTS = [
  "What is Apache Kafka?",
  "Explain consumer groups.",
  "What does a broker do?",
  "Define a topic partition.",
  "Why use event streaming?",
  "What is an offset?",
];
const LONG_PROMPTS = [
  "Écrivez une recette détaillée, étape par étape (4 à 6 personnes), pour une tarte aux pommes.",
  "Erklären Sie in 10 Punkten, wie man für 3 Tage eine Wanderung im Hochgebirge plant: Ausrüstung, Wetter, Höhe (über 2.500 m).",
  "Décrivez 5 différences entre le thé vert et le thé noir — goût, caféine (mg), température d'infusion (°C).",
  "Listen Sie 7 Übungen für Anfänger auf, mit Wiederholungen (z. B. 3×12) und Pausen in Sekunden.",
];
const SENTENCES = [
  "Kafka stores streams of records in topics.",
  "Each partition is an ordered, immutable log.",
  "Consumers track their position with offsets.",
  "Brokers replicate partitions for durability.",
  "Producers choose a partition by key.",
];

/**
 * Synthetic responses: `shifted` switches prompts to long, non-English, number-heavy ones,
 * makes answers longer and latency three times as long. Deterministic for a seed (except request
 * ids); `ts_end` increases strictly with the index, and sets of different seeds do not overlap
 * in time.
 */
export function responses(n: number, seed: number, shifted: boolean): ResponseEvent[] {
  const r = random(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  return Array.from({ length: n }, (_, i) => {
    const prompt = pick(shifted ? LONG_PROMPTS : SHORT_PROMPTS);
    const sentences = (shifted ? 4 : 1) + Math.floor(r() * 3);
    const response = Array.from({ length: sentences }, () => pick(SENTENCES)).join(" ");
    const latency = Math.round((800 + r() * 800) * (shifted ? 3 : 1));
    const completion = Math.round(response.length / 4 + r() * 4);
    const ts = 1_760_000_000_000 + seed * 1_000_000 + i * 5_000;
    return sampleResponse({
      prompt,
      response,
      response_chars: response.length,
      latency_ms: latency,
      ttft_ms: Math.round((100 + r() * 100) * (shifted ? 3 : 1)),
      prompt_tokens: Math.round(prompt.length / 4 + r() * 3),
      completion_tokens: completion,
      tokens_per_s: completion / (latency / 1000),
      ts,
      ts_start: ts + 5,
      ts_end: ts + 5 + latency,
    });
  });
}
