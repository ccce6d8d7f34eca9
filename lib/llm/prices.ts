/**
 * Pricing of LLM calls from a versioned price table: per model either **token prices** (USD per
 * million input and per million output tokens) or a **compute price** (USD per hour of the
 * serving machine, charged by the call's own Ollama durations), and an optional list of hosted
 * models' token prices for "what this traffic would cost on X". Pure: no file, no Kafka, no
 * `Deno.*` (the dashboard's bundle may use it); `price_file.ts` reads a table from disk.
 *
 * A call is priced once, where its response event is made ({@linkcode withCost}), with the
 * table's `version` stored beside the cost, so a later table never re-prices history silently.
 *
 * **Cached prompt tokens are never counted twice.** Ollama's `prompt_eval_count` (the event's
 * `prompt_tokens`) is the whole prompt: v0.6.5 sets it to the length of the prompt before the
 * KV cache is consulted (`runner/llamarunner/runner.go`: `numPromptInputs: len(inputs)`), so a
 * prefix served from the cache is in it (only `prompt_eval_duration` shrinks); later versions
 * report `prompt_eval_count` = cached + newly evaluated and the cached part separately. The
 * price therefore charges `prompt_tokens` once at the input price. A caller that knows how many
 * of those tokens came from a cache (OpenAI's `usage.prompt_tokens_details.cached_tokens`,
 * Ollama's `prompt_eval_cached_count`) passes `cached_prompt_tokens`: they are a part of
 * `prompt_tokens`, charged at `cached_input_per_1m` (the input price when the table has none)
 * instead of the input price, never in addition to it.
 *
 * @module
 */

/** Token prices of a model, USD per million tokens. */
export interface TokenPrice {
  /** USD per 1M prompt (input) tokens. */
  input_per_1m: number;
  /** USD per 1M completion (output) tokens. */
  output_per_1m: number;
  /** USD per 1M prompt tokens served from a prompt cache (default: the input price). */
  cached_input_per_1m?: number;
}

/** A compute price: the serving machine's hourly price, shared by its parallel slots. */
export interface ComputePrice {
  /** USD per hour of the machine that serves the model. */
  usd_per_hour: number;
  /**
   * Calls the machine serves at once (Ollama's `OLLAMA_NUM_PARALLEL`), default 1: a call is
   * charged `usd_per_hour / parallel` per hour of its duration, so overlapping calls do not pay
   * for the machine twice.
   */
  parallel?: number;
}

/** The price of one model: token prices or a compute price. */
export type ModelPrice = TokenPrice | ComputePrice;

/** A hosted model's token prices, for comparison. */
export interface HostedPrice extends TokenPrice {
  /** Name shown on the dashboard, e.g. "gpt-4o-mini". */
  name: string;
  /** Where the price comes from, or anything worth knowing. */
  note?: string;
}

/** A validated price table. */
export interface PriceTable {
  /** Stored with every priced event as `price_version`. */
  version: string;
  description?: string;
  /** Prices by exact model name. */
  models: Readonly<Record<string, ModelPrice>>;
  /** Price of models the table does not name; without it they stay unpriced. */
  default?: ModelPrice;
  /** Hosted models to compare the traffic with. */
  hosted: readonly HostedPrice[];
}

/** The figures of a call that pricing reads (a response event has them all). */
export interface PriceableCall {
  model: string;
  prompt_tokens: number;
  completion_tokens: number;
  /** Ollama's total duration of the call, ns (null when the call failed before it ended). */
  total_duration_ns: number | null;
  /** The call's latency as measured by the caller, ms (used when there is no Ollama duration). */
  latency_ms: number;
  /** How many of `prompt_tokens` were served from a prompt cache, when known. */
  cached_prompt_tokens?: number;
}

/** The cost of a call and the table version it comes from. */
export interface CallCost {
  cost_usd: number;
  price_version: string;
}

/** A price table that does not validate: the message names the source and the field. */
export class PriceTableError extends Error {
  override name = "PriceTableError";
}

const VERSION_MAX = 200;
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;

function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return `${typeof v} ${String(v)}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * Validates a price table (the parsed JSON of a price file). `source` names the file in error
 * messages. Throws {@linkcode PriceTableError} naming the field, what was expected and what was
 * found; unknown fields are refused, so a typo does not pass silently.
 *
 * @example
 * ```ts
 * const table = parsePriceTable({
 *   version: "2026-12",
 *   models: { "smollm2:135m": { usd_per_hour: 0.1, parallel: 2 } },
 *   hosted: [{ name: "gpt-4o-mini", input_per_1m: 0.15, output_per_1m: 0.6 }],
 * }, "prices.json");
 * table.version; // "2026-12"
 * ```
 */
export function parsePriceTable(value: unknown, source = "price table"): PriceTable {
  const fail = (path: string, problem: string): never => {
    throw new PriceTableError(`${source}: ${path ? `${path} ` : ""}${problem}`);
  };
  if (!isObject(value)) fail("", `must be a JSON object, found ${describe(value)}`);
  const raw = value as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!["version", "description", "models", "default", "hosted"].includes(key)) {
      fail(
        "",
        `has an unknown field "${key}" (expected version, description, models, default, hosted)`,
      );
    }
  }
  const version = raw.version;
  if (
    typeof version !== "string" || version.trim() === "" || version.length > VERSION_MAX ||
    CONTROL.test(version)
  ) {
    fail(
      "version",
      `must be a non-empty string of at most ${VERSION_MAX} characters without control characters, found ${
        describe(version)
      }`,
    );
  }
  if (raw.description !== undefined && typeof raw.description !== "string") {
    fail("description", `must be a string, found ${describe(raw.description)}`);
  }
  if (!isObject(raw.models)) {
    fail("models", `must be an object of model prices, found ${describe(raw.models)}`);
  }
  const models: Record<string, ModelPrice> = {};
  for (const [name, price] of Object.entries(raw.models as Record<string, unknown>)) {
    if (name.trim() === "") fail("models", "must not have an empty model name");
    models[name] = parseModelPrice(price, `models[${JSON.stringify(name)}]`, fail);
  }
  const fallback = raw.default === undefined || raw.default === null
    ? undefined
    : parseModelPrice(raw.default, "default", fail);
  const hosted: HostedPrice[] = [];
  if (raw.hosted !== undefined) {
    if (!Array.isArray(raw.hosted)) {
      fail("hosted", `must be an array, found ${describe(raw.hosted)}`);
    }
    const names = new Set<string>();
    (raw.hosted as unknown[]).forEach((entry, i) => {
      const path = `hosted[${i}]`;
      if (!isObject(entry)) fail(path, `must be an object, found ${describe(entry)}`);
      const e = entry as Record<string, unknown>;
      for (const key of Object.keys(e)) {
        if (
          !["name", "note", "input_per_1m", "output_per_1m", "cached_input_per_1m"].includes(key)
        ) {
          fail(
            path,
            `has an unknown field "${key}" (expected name, note, input_per_1m, output_per_1m, cached_input_per_1m)`,
          );
        }
      }
      if (typeof e.name !== "string" || e.name.trim() === "" || e.name.length > VERSION_MAX) {
        fail(`${path}.name`, `must be a non-empty string, found ${describe(e.name)}`);
      }
      if (names.has(e.name as string)) fail(`${path}.name`, `repeats "${e.name}"`);
      names.add(e.name as string);
      if (e.note !== undefined && typeof e.note !== "string") {
        fail(`${path}.note`, `must be a string, found ${describe(e.note)}`);
      }
      const tokens = parseTokenPrice(e, path, fail);
      hosted.push({
        name: e.name as string,
        ...(e.note ? { note: e.note as string } : {}),
        ...tokens,
      });
    });
  }
  return Object.freeze({
    version: version as string,
    ...(raw.description ? { description: raw.description as string } : {}),
    models: Object.freeze(models),
    ...(fallback ? { default: fallback } : {}),
    hosted: Object.freeze(hosted),
  });
}

function price(
  v: unknown,
  path: string,
  fail: (path: string, problem: string) => never,
): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
    fail(path, `must be a finite number ≥ 0 (USD), found ${describe(v)}`);
  }
  return v as number;
}

function parseTokenPrice(
  e: Record<string, unknown>,
  path: string,
  fail: (path: string, problem: string) => never,
): TokenPrice {
  const out: TokenPrice = {
    input_per_1m: price(e.input_per_1m, `${path}.input_per_1m`, fail),
    output_per_1m: price(e.output_per_1m, `${path}.output_per_1m`, fail),
  };
  if (e.cached_input_per_1m !== undefined) {
    out.cached_input_per_1m = price(e.cached_input_per_1m, `${path}.cached_input_per_1m`, fail);
  }
  return out;
}

function parseModelPrice(
  value: unknown,
  path: string,
  fail: (path: string, problem: string) => never,
): ModelPrice {
  if (!isObject(value)) {
    fail(path, `must be an object with token prices or a compute price, found ${describe(value)}`);
  }
  const e = value as Record<string, unknown>;
  const tokenKeys = ["input_per_1m", "output_per_1m", "cached_input_per_1m"];
  const computeKeys = ["usd_per_hour", "parallel"];
  const keys = Object.keys(e);
  const hasTokens = keys.some((k) => tokenKeys.includes(k));
  const hasCompute = keys.some((k) => computeKeys.includes(k));
  for (const key of keys) {
    if (!tokenKeys.includes(key) && !computeKeys.includes(key)) {
      fail(
        path,
        `has an unknown field "${key}" (expected input_per_1m and output_per_1m, or usd_per_hour and parallel)`,
      );
    }
  }
  if (hasTokens === hasCompute) {
    fail(
      path,
      hasTokens
        ? "mixes token prices and a compute price: give either input_per_1m and output_per_1m, or usd_per_hour"
        : "must give either input_per_1m and output_per_1m (token prices) or usd_per_hour (compute price)",
    );
  }
  if (hasTokens) return parseTokenPrice(e, path, fail);
  const compute: ComputePrice = {
    usd_per_hour: price(e.usd_per_hour, `${path}.usd_per_hour`, fail),
  };
  if (e.parallel !== undefined) {
    if (typeof e.parallel !== "number" || !Number.isInteger(e.parallel) || e.parallel < 1) {
      fail(`${path}.parallel`, `must be an integer ≥ 1, found ${describe(e.parallel)}`);
    }
    compute.parallel = e.parallel as number;
  }
  return compute;
}

/**
 * The price that applies to a model: its own entry, else the table's `default`, else null.
 *
 * @example
 * ```ts
 * modelPrice(table, "smollm2:135m"); // { usd_per_hour: 0.1, parallel: 2 }
 * ```
 */
export function modelPrice(table: PriceTable, model: string): ModelPrice | null {
  return Object.hasOwn(table.models, model) ? table.models[model] : table.default ?? null;
}

/** True for a compute price. */
export function isComputePrice(p: ModelPrice): p is ComputePrice {
  return (p as ComputePrice).usd_per_hour !== undefined;
}

function checkCount(name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
    throw new RangeError(`Expected ${name} to be a count ≥ 0, found ${describe(v)}`);
  }
  return v;
}

/**
 * USD of `prompt` input tokens (of which `cached` came from a prompt cache) and `completion`
 * output tokens at token prices. Cached tokens are a part of `prompt`, charged at the cached
 * price (the input price when none is given): never on top. O(1).
 *
 * @example
 * ```ts
 * tokenCost({ input_per_1m: 1, output_per_1m: 2 }, 1_000, 500); // 0.002
 * ```
 */
export function tokenCost(p: TokenPrice, prompt: number, completion: number, cached = 0): number {
  checkCount("prompt tokens", prompt);
  checkCount("completion tokens", completion);
  checkCount("cached prompt tokens", cached);
  if (cached > prompt) {
    throw new RangeError(
      `Expected cached prompt tokens (${cached}) to be a part of the prompt tokens (${prompt})`,
    );
  }
  const cachedPrice = p.cached_input_per_1m ?? p.input_per_1m;
  return ((prompt - cached) * p.input_per_1m + cached * cachedPrice +
    completion * p.output_per_1m) / 1e6;
}

/**
 * The cost of one call under a table, or null when the table has no price for its model.
 *
 * - token prices: `prompt_tokens` at the input price (its `cached_prompt_tokens` at the cached
 *   price instead), `completion_tokens` at the output price;
 * - compute price: `usd_per_hour / parallel` for the call's Ollama `total_duration_ns` (load,
 *   prompt evaluation and generation); a call that ended before Ollama reported a duration
 *   (an error) is charged its measured `latency_ms`, the time it held a slot.
 *
 * O(1).
 *
 * @example
 * ```ts
 * priceOf(responseEvent, table); // { cost_usd: 0.0000123, price_version: "2026-12" }
 * ```
 */
export function priceOf(call: PriceableCall, table: PriceTable): CallCost | null {
  if (call === null || typeof call !== "object") {
    throw new TypeError(`Expected a call to price, found ${describe(call)}`);
  }
  const p = modelPrice(table, call.model);
  if (!p) return null;
  let cost: number;
  if (isComputePrice(p)) {
    const seconds = typeof call.total_duration_ns === "number"
      ? checkCount("total_duration_ns", call.total_duration_ns) / 1e9
      : checkCount("latency_ms", call.latency_ms) / 1e3;
    cost = (p.usd_per_hour / (p.parallel ?? 1)) * (seconds / 3600);
  } else {
    const prompt = checkCount("prompt_tokens", call.prompt_tokens);
    const cached = Math.min(
      prompt,
      checkCount("cached_prompt_tokens", call.cached_prompt_tokens ?? 0),
    );
    cost = tokenCost(p, prompt, checkCount("completion_tokens", call.completion_tokens), cached);
  }
  return { cost_usd: cost, price_version: table.version };
}

/**
 * The event with its `cost_usd` and `price_version` set from the table (computed once, where
 * the event is made: the LLM worker calls it, and so can the gateway and the OTLP intake).
 * Returns the event unchanged without a table, without a price for its model, for a v1 event
 * (whose contract has no cost), or when it already carries a cost (history is not re-priced).
 *
 * @example
 * ```ts
 * const priced = withCost(toResponseEvent(request, measurement, workerId), table);
 * priced.cost_usd; // e.g. 0.0000123
 * ```
 */
export function withCost<
  E extends PriceableCall & { schema: string; cost_usd?: number; price_version?: string },
>(event: E, table: PriceTable | null | undefined): E {
  if (!table || event.schema === "llm.response.v1" || event.cost_usd !== undefined) return event;
  const cost = priceOf(event, table);
  return cost ? { ...event, ...cost } : event;
}

/** What the traffic would cost on one hosted model. */
export interface HostedCost {
  name: string;
  /** USD for all the calls' tokens. */
  total_usd: number;
  /** USD per 1,000 calls, or null without calls. */
  per_1k_calls_usd: number | null;
}

/**
 * What `calls` calls with these token totals would cost on each hosted model of the table.
 * O(hosted models).
 *
 * @example
 * ```ts
 * hostedCosts({ calls: 2, prompt_tokens: 1_000, completion_tokens: 500 }, table.hosted);
 * // [{ name: "gpt-4o-mini", total_usd: 0.00045, per_1k_calls_usd: 0.225 }]
 * ```
 */
export function hostedCosts(
  totals: { calls: number; prompt_tokens: number; completion_tokens: number },
  hosted: readonly HostedPrice[],
): HostedCost[] {
  return hosted.map((h) => {
    const total = tokenCost(h, totals.prompt_tokens, totals.completion_tokens);
    return {
      name: h.name,
      total_usd: total,
      per_1k_calls_usd: totals.calls > 0 ? (total / totals.calls) * 1000 : null,
    };
  });
}
