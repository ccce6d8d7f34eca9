/**
 * Live cost aggregates over response events: total cost, cost per 1,000 calls, per model, the
 * price versions seen, and what the same traffic (its token totals) would cost on hosted models.
 * Each response is counted once by its caller (the dashboard feeds the responses it has not seen
 * before). Free of `Deno.*`.
 *
 * @module
 */

/** The fields of a response the cost aggregates read. */
export interface CostedResponse {
  model: string;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd?: number;
  price_version?: string;
}

/** A hosted model's token prices (as a price table lists them). */
export interface HostedTokenPrice {
  name: string;
  input_per_1m: number;
  output_per_1m: number;
}

/** Cost figures of one group of calls. */
export interface CostGroup {
  /** Calls counted. */
  calls: number;
  /** Calls that carry a cost. */
  priced_calls: number;
  /** USD over the priced calls. */
  total_usd: number;
  /** USD per 1,000 priced calls, or null without any. */
  per_1k_calls_usd: number | null;
}

/** What the traffic would cost on a hosted model. */
export interface HostedCostFigure {
  name: string;
  total_usd: number;
  per_1k_calls_usd: number | null;
}

/** Everything the dashboard shows about cost. */
export interface CostSnapshot extends CostGroup {
  /** Prompt and completion tokens over every call counted. */
  prompt_tokens: number;
  completion_tokens: number;
  /** The price table versions the costs come from. */
  price_versions: string[];
  per_model: Record<string, CostGroup>;
  /** The traffic's token totals priced on each hosted model. */
  hosted: HostedCostFigure[];
}

interface Sums {
  calls: number;
  priced: number;
  usd: number;
}

function group(s: Sums): CostGroup {
  return {
    calls: s.calls,
    priced_calls: s.priced,
    total_usd: s.usd,
    per_1k_calls_usd: s.priced ? (s.usd / s.priced) * 1000 : null,
  };
}

/**
 * Sums of cost and tokens over responses. `add` is O(1); `snapshot` O(models + hosted).
 *
 * @example
 * ```ts
 * const cost = new CostTotals();
 * cost.add({ model: "m", prompt_tokens: 10, completion_tokens: 5, cost_usd: 0.002 });
 * cost.snapshot().per_1k_calls_usd; // 2
 * ```
 */
export class CostTotals {
  readonly #all: Sums = { calls: 0, priced: 0, usd: 0 };
  readonly #perModel = new Map<string, Sums>();
  readonly #versions = new Set<string>();
  #prompt = 0;
  #completion = 0;

  /** Counts one response. */
  add(event: CostedResponse): void {
    const model = this.#perModel.get(event.model) ?? { calls: 0, priced: 0, usd: 0 };
    for (const s of [this.#all, model]) {
      s.calls++;
      if (typeof event.cost_usd === "number" && Number.isFinite(event.cost_usd)) {
        s.priced++;
        s.usd += event.cost_usd;
      }
    }
    this.#perModel.set(event.model, model);
    if (event.price_version) this.#versions.add(event.price_version);
    this.#prompt += event.prompt_tokens;
    this.#completion += event.completion_tokens;
  }

  /** The figures; `hosted` lists the models to compare with (a price table's `hosted`). */
  snapshot(hosted: readonly HostedTokenPrice[] = []): CostSnapshot {
    const per_model: Record<string, CostGroup> = {};
    for (const [model, s] of [...this.#perModel].sort(([a], [b]) => a.localeCompare(b))) {
      per_model[model] = group(s);
    }
    const calls = this.#all.calls;
    return {
      ...group(this.#all),
      prompt_tokens: this.#prompt,
      completion_tokens: this.#completion,
      price_versions: [...this.#versions].sort(),
      per_model,
      hosted: hosted.map((h) => {
        const total = (this.#prompt * h.input_per_1m + this.#completion * h.output_per_1m) / 1e6;
        return {
          name: h.name,
          total_usd: total,
          per_1k_calls_usd: calls ? (total / calls) * 1000 : null,
        };
      }),
    };
  }
}
