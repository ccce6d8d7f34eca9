/**
 * A/B variants of a stream: a variant is a model plus its sampling parameters and system prompt
 * (a JSON file, or just a model name); each request of the stream is assigned one at random
 * with a seeded generator and the weights of `--split`, and carries the tag `variant`. Per
 * variant the stream keeps the figures of its responses, and at the end compares every variant
 * with the first one using lib/compare.
 *
 * A variant file:
 *
 * ```json
 * { "name": "concise", "model": "smollm2:135m-concise",
 *   "params": { "temperature": 0.2, "num_predict": 64 }, "system": "Answer briefly." }
 * ```
 *
 * Every field is optional; `name` defaults to the file name without `.json`. Unknown fields are
 * refused. An entry's own model, params and system prompt are overridden by the variant's, and
 * the command line's `--temperature` / `--max-tokens` override both.
 *
 * @module
 */

import { basename } from "node:path";
import { LIMITS } from "../events/mod.ts";
import { mulberry32, type Random } from "../compare/mod.ts";
import type { DatasetParams } from "./dataset.ts";

/** One arm of an A/B run. */
export interface Variant {
  /** Recorded as the requests' `variant` tag. */
  name: string;
  /** The model (default: the entry's, else the default model). */
  model?: string;
  /** Sampling parameters (over the entry's). */
  params?: DatasetParams;
  /** System prompt (replaces the entry's). */
  system?: string;
}

/** A variant file or definition that cannot be used; the message names the file and field. */
export class VariantError extends Error {
  override name = "VariantError";
}

const KEYS = ["name", "model", "params", "system"];
const PARAM_KEYS = ["temperature", "top_p", "num_predict", "seed"];
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return JSON.stringify(v.slice(0, 40));
  return `${typeof v} ${String(v)}`;
}

/**
 * Validates one variant definition (the parsed JSON of a variant file). `source` names it in
 * errors and gives the default name.
 *
 * @example
 * ```ts
 * parseVariant({ model: "smollm2:135m-concise" }, "concise.json").name; // "concise"
 * ```
 */
export function parseVariant(value: unknown, source: string): Variant {
  const fail = (problem: string): never => {
    throw new VariantError(`${source}: ${problem}`);
  };
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    fail(`a variant must be a JSON object, found ${describe(value)}`);
  }
  const raw = value as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!KEYS.includes(key)) fail(`unknown field "${key}" (expected ${KEYS.join(", ")})`);
  }
  const text = (field: string, max: number, oneLine: boolean): string | undefined => {
    const v = raw[field];
    if (v === undefined) return undefined;
    if (typeof v !== "string" || v.trim() === "") {
      fail(`${field} must be a non-empty string, found ${describe(v)}`);
    }
    const s = v as string;
    if (s.length > max) fail(`${field} has ${s.length} characters, at most ${max} allowed`);
    if (oneLine && CONTROL.test(s)) fail(`${field} must not contain control characters`);
    return s;
  };
  const name = text("name", 64, true) ?? basename(source).replace(/\.json$/i, "");
  if (!name || CONTROL.test(name) || name.length > 64) {
    fail(`the variant needs a name (a "name" field or a file name), found ${describe(name)}`);
  }
  const variant: Variant = { name };
  const model = text("model", LIMITS.idChars, true);
  if (model) variant.model = model;
  const system = text("system", LIMITS.systemChars, false);
  if (system) variant.system = system;
  if (raw.params !== undefined) {
    const p = raw.params;
    if (p === null || typeof p !== "object" || Array.isArray(p)) {
      fail(`params must be an object, found ${describe(p)}`);
    }
    const params = p as Record<string, unknown>;
    for (const key of Object.keys(params)) {
      if (!PARAM_KEYS.includes(key)) {
        fail(`unknown param "${key}" (expected ${PARAM_KEYS.join(", ")})`);
      }
    }
    const number = (key: string, ok: (n: number) => boolean, expected: string) => {
      const v = params[key];
      if (v === undefined) return undefined;
      if (typeof v !== "number" || !Number.isFinite(v) || !ok(v)) {
        fail(`params.${key} must be ${expected}, found ${describe(v)}`);
      }
      return v as number;
    };
    const out: DatasetParams = {};
    const t = number("temperature", (n) => n >= 0 && n <= 2, "a number in [0, 2]");
    const top = number("top_p", (n) => n > 0 && n <= 1, "a number in (0, 1]");
    const np = number(
      "num_predict",
      (n) => Number.isInteger(n) && n >= 1 && n <= LIMITS.maxTokens,
      `an integer in [1, ${LIMITS.maxTokens}]`,
    );
    const seed = number("seed", Number.isInteger, "an integer");
    if (t !== undefined) out.temperature = t;
    if (top !== undefined) out.top_p = top;
    if (np !== undefined) out.num_predict = np;
    if (seed !== undefined) out.seed = seed;
    variant.params = out;
  }
  return variant;
}

/**
 * Reads and validates a variant file. Throws {@linkcode VariantError} naming the file.
 *
 * @example
 * ```ts ignore
 * const b = await loadVariant("variants/concise.json");
 * ```
 */
export async function loadVariant(path: string): Promise<Variant> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "file not found"
      : (error as Error).message;
    throw new VariantError(`${path}: ${reason}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new VariantError(`${path}: invalid JSON (${(error as Error).message})`);
  }
  return parseVariant(value, path);
}

/**
 * Variants of bare model names (`--models m1,m2`): each named after its model.
 *
 * @example
 * ```ts
 * variantsOfModels(["smollm2:135m", "smollm2:135m-concise"])[1].name; // "smollm2:135m-concise"
 * ```
 */
export function variantsOfModels(models: readonly string[]): Variant[] {
  return models.map((m, i) => parseVariant({ name: m, model: m }, `model ${i + 1}`));
}

/**
 * Checks a set of variants and their split, and returns the weights normalised to sum 1: at
 * least two variants with distinct names, one positive weight per variant (default equal).
 * Throws a RangeError naming the problem.
 *
 * @example
 * ```ts
 * splitWeights([{ name: "a" }, { name: "b" }], [70, 30]); // [0.7, 0.3]
 * ```
 */
export function splitWeights(variants: readonly Variant[], split?: readonly number[]): number[] {
  if (!Array.isArray(variants) || variants.length < 2) {
    throw new RangeError(`an A/B run needs at least 2 variants, found ${variants?.length ?? 0}`);
  }
  const names = new Set<string>();
  for (const v of variants) {
    if (names.has(v.name)) throw new RangeError(`variant names must differ: "${v.name}" repeats`);
    names.add(v.name);
  }
  const weights = split ?? variants.map(() => 1);
  if (weights.length !== variants.length) {
    throw new RangeError(
      `split needs one weight per variant: ${variants.length} variants, ${weights.length} weights`,
    );
  }
  for (const w of weights) {
    if (typeof w !== "number" || !Number.isFinite(w) || w <= 0) {
      throw new RangeError(`split weights must be numbers > 0, found ${w}`);
    }
  }
  const total = weights.reduce((s, w) => s + w, 0);
  return weights.map((w) => w / total);
}

/**
 * Assigns variants at random with fixed weights from a seed: the same seed gives the same
 * sequence of assignments. O(variants) per draw.
 *
 * @example
 * ```ts
 * const assign = new VariantAssigner([0.5, 0.5], 7);
 * assign.next(); // 0 or 1, the same for seed 7 every time
 * ```
 */
export class VariantAssigner {
  readonly #cumulative: number[];
  readonly #random: Random;

  constructor(weights: readonly number[], seed: number) {
    if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, found ${seed}`);
    let sum = 0;
    this.#cumulative = weights.map((w) => (sum += w));
    this.#random = mulberry32(seed);
  }

  /** The index of the next request's variant. */
  next(): number {
    const u = this.#random() * this.#cumulative[this.#cumulative.length - 1];
    const i = this.#cumulative.findIndex((c) => u < c);
    return i === -1 ? this.#cumulative.length - 1 : i;
  }
}
