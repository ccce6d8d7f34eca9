/**
 * Prometheus text exposition (format 0.0.4) of the workbench's metrics: a small registry of
 * counters, gauges and histograms with labels, fed by response events through
 * {@linkcode GenAiMetrics}, which follows the OpenTelemetry GenAI metric conventions with the
 * spec's bucket boundaries:
 *
 * - `gen_ai_client_operation_duration_seconds` (histogram),
 * - `gen_ai_client_token_usage` (histogram, label `gen_ai_token_type` input|output),
 * - `gen_ai_server_time_to_first_token_seconds` (histogram, successful calls with a TTFT),
 * - `llmops_llm_requests_total` (counter by `status` and `error_type`),
 *
 * each labelled `gen_ai_operation_name`, `gen_ai_provider_name`, `gen_ai_request_model` and
 * `source` (plus `error_type` on failures). Gauges and counters of the pipeline (consumer lag,
 * DLQ, sink, gateway drops) are set by their owners. A metric keeps at most `maxSeries` label
 * sets; later ones are counted under the label value `__overflow__`, so hostile model names
 * cannot grow it without bound. Free of `Deno.*`.
 *
 * @module
 */

/** The Content-Type of the text format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** `gen_ai.client.operation.duration` buckets (seconds), from the GenAI metrics spec. */
export const DURATION_BUCKETS_S: readonly number[] = Object.freeze([
  0.01,
  0.02,
  0.04,
  0.08,
  0.16,
  0.32,
  0.64,
  1.28,
  2.56,
  5.12,
  10.24,
  20.48,
  40.96,
  81.92,
]);

/** `gen_ai.client.token.usage` buckets (tokens), from the GenAI metrics spec. */
export const TOKEN_BUCKETS: readonly number[] = Object.freeze([
  1,
  4,
  16,
  64,
  256,
  1024,
  4096,
  16384,
  65536,
  262144,
  1048576,
  4194304,
  16777216,
  67108864,
]);

/** `gen_ai.server.time_to_first_token` buckets (seconds), from the GenAI metrics spec. */
export const TTFT_BUCKETS_S: readonly number[] = Object.freeze([
  0.001,
  0.005,
  0.01,
  0.02,
  0.04,
  0.06,
  0.08,
  0.1,
  0.25,
  0.5,
  0.75,
  1.0,
  2.5,
  5.0,
  7.5,
  10.0,
]);

/** Label names and values of one series. */
export type Labels = Readonly<Record<string, string>>;

/** Label value standing for every label set past a metric's `maxSeries`. */
export const OVERFLOW_LABEL_VALUE = "__overflow__";

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Escapes a label value for the text format (backslash, double quote, newline).
 *
 * @example
 * ```ts
 * escapeLabelValue('say "hi"\n'); // 'say \\"hi\\"\\n'
 * ```
 */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/**
 * A sample value in the text format (`+Inf`, `-Inf`, `NaN` spelled as Prometheus reads them).
 *
 * @example
 * ```ts
 * formatValue(Infinity); // "+Inf"
 * ```
 */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

function labelText(names: readonly string[], values: readonly string[], extra?: string): string {
  const parts: string[] = [];
  for (let i = 0; i < names.length; i++) {
    parts.push(`${names[i]}="${escapeLabelValue(values[i])}"`);
  }
  if (extra !== undefined) parts.push(extra);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

/** Options shared by every metric. */
export interface MetricOptions {
  name: string;
  help: string;
  /** Label names every series of the metric has (more may be given per series). */
  labelNames?: readonly string[];
  /** Most label sets kept (default 2,000). */
  maxSeries?: number;
}

interface Series<V> {
  names: string[];
  values: string[];
  value: V;
}

abstract class Metric<V> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly maxSeries: number;
  protected series = new Map<string, Series<V>>();
  /** Series by a caller's own key, so a hot path skips building and sorting label sets. */
  #fast = new Map<string, Series<V>>();
  abstract readonly type: "counter" | "gauge" | "histogram";

  constructor(options: MetricOptions) {
    if (!METRIC_NAME.test(options.name)) {
      throw new TypeError(`metric name must match ${METRIC_NAME}, found "${options.name}"`);
    }
    for (const l of options.labelNames ?? []) {
      if (!LABEL_NAME.test(l) || l.startsWith("__")) {
        throw new TypeError(
          `label name must match ${LABEL_NAME} without a leading __, found "${l}"`,
        );
      }
    }
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames ?? [];
    this.maxSeries = options.maxSeries ?? 2_000;
  }

  protected abstract initial(): V;

  /** The series of a label set, if it exists. */
  protected peek(labels: Labels): Series<V> | undefined {
    const names = Object.keys(labels).sort();
    return this.series.get(names.map((n) => `${n}\u0000${String(labels[n])}`).join("\u0001"));
  }

  /** The series for a label set, created when new (or the overflow series past maxSeries). */
  protected at(labels: Labels): Series<V> {
    const names = Object.keys(labels).sort();
    const values = names.map((n) => String(labels[n]));
    const key = names.map((n, i) => `${n}\u0000${values[i]}`).join("\u0001");
    let s = this.series.get(key);
    if (s) return s;
    for (const n of names) {
      if (!LABEL_NAME.test(n) || n.startsWith("__") || (this.type === "histogram" && n === "le")) {
        throw new TypeError(`invalid label name "${n}" for ${this.name}`);
      }
    }
    if (this.series.size >= this.maxSeries) {
      const overflowValues = names.map(() => OVERFLOW_LABEL_VALUE);
      const overflowKey = names.map((n) => `${n}\u0000${OVERFLOW_LABEL_VALUE}`).join("\u0001");
      s = this.series.get(overflowKey);
      if (s) return s;
      s = { names, values: overflowValues, value: this.initial() };
      this.series.set(overflowKey, s);
      return s;
    }
    s = { names, values, value: this.initial() };
    this.series.set(key, s);
    return s;
  }

  /** Number of label sets. */
  get size(): number {
    return this.series.size;
  }

  /**
   * The series of a label set known by the caller's key (one key per label set, chosen by the
   * caller): the labels are built only the first time a key is seen.
   */
  protected fastSeries(key: string, labels: () => Labels): Series<V> {
    let s = this.#fast.get(key);
    if (s) return s;
    s = this.at(labels());
    if (this.#fast.size < 2 * this.maxSeries) this.#fast.set(key, s);
    return s;
  }

  /** Removes every series (for gauges whose label sets come and go, such as lag per group). */
  reset(): void {
    this.series.clear();
    this.#fast.clear();
  }

  protected abstract samples(out: string[], s: Series<V>): void;

  /** The metric's HELP, TYPE and sample lines. */
  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${escapeHelp(this.help)}`);
    out.push(`# TYPE ${this.name} ${this.type}`);
    for (const s of this.series.values()) this.samples(out, s);
  }
}

/**
 * A monotonically increasing count.
 *
 * @example
 * ```ts
 * const c = new Counter({ name: "calls_total", help: "Calls." });
 * c.inc({ status: "success" });
 * ```
 */
export class Counter extends Metric<number> {
  readonly type = "counter" as const;
  protected initial(): number {
    return 0;
  }

  /** Adds `by` (default 1, never negative). */
  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0) || !Number.isFinite(by)) {
      throw new RangeError(`a counter grows by a finite non-negative amount, found ${by}`);
    }
    this.at(labels).value += by;
  }

  /** Adds `by` to the series of `labels`, known by the caller's `key` (see `fastSeries`). */
  incFast(key: string, labels: () => Labels, by = 1): void {
    this.fastSeries(key, labels).value += by;
  }

  /** Sets the total kept elsewhere (for example a gateway's count of dropped events). */
  setTotal(labels: Labels, total: number): void {
    if (!(total >= 0)) throw new RangeError(`a counter total is non-negative, found ${total}`);
    this.at(labels).value = total;
  }

  /** The current value of a label set (0 when absent). */
  get(labels: Labels = {}): number {
    return this.peek(labels)?.value ?? 0;
  }

  protected samples(out: string[], s: Series<number>): void {
    out.push(`${this.name}${labelText(s.names, s.values)} ${formatValue(s.value)}`);
  }
}

/**
 * A value that goes up and down.
 *
 * @example
 * ```ts
 * const lag = new Gauge({ name: "llmops_consumer_lag", help: "Lag.", labelNames: ["group"] });
 * lag.set({ group: "mlflow-sink" }, 12);
 * ```
 */
export class Gauge extends Metric<number> {
  readonly type = "gauge" as const;
  protected initial(): number {
    return 0;
  }

  /** Sets the value of a label set. */
  set(labels: Labels, value: number): void {
    this.at(labels).value = value;
  }

  /** The current value of a label set (0 when absent). */
  get(labels: Labels = {}): number {
    return this.peek(labels)?.value ?? 0;
  }

  protected samples(out: string[], s: Series<number>): void {
    out.push(`${this.name}${labelText(s.names, s.values)} ${formatValue(s.value)}`);
  }
}

interface HistogramValue {
  counts: Float64Array;
  sum: number;
  count: number;
}

/**
 * A histogram with fixed upper bounds: `_bucket{le=…}` (cumulative, ending with `+Inf`),
 * `_sum` and `_count` lines. Observing is O(buckets).
 *
 * @example
 * ```ts
 * const h = new Histogram({ name: "latency_seconds", help: "Latency.", buckets: [0.1, 1] });
 * h.observe({}, 0.5);
 * ```
 */
export class Histogram extends Metric<HistogramValue> {
  readonly type = "histogram" as const;
  readonly buckets: readonly number[];
  readonly #le: string[];

  constructor(options: MetricOptions & { buckets: readonly number[] }) {
    super(options);
    const b = options.buckets;
    if (b.length === 0 || b.some((x, i) => !Number.isFinite(x) || (i > 0 && x <= b[i - 1]))) {
      throw new RangeError("histogram buckets must be finite and strictly increasing");
    }
    this.buckets = [...b];
    this.#le = this.buckets.map((x) => `le="${formatValue(x)}"`);
  }

  protected initial(): HistogramValue {
    return { counts: new Float64Array(this.buckets.length), sum: 0, count: 0 };
  }

  /** Records a value (NaN is ignored). */
  observe(labels: Labels, value: number): void {
    if (Number.isNaN(value)) return;
    this.#record(this.at(labels).value, value);
  }

  /** Records a value in the series of `labels`, known by the caller's `key`. */
  observeFast(key: string, labels: () => Labels, value: number): void {
    if (Number.isNaN(value)) return;
    this.#record(this.fastSeries(key, labels).value, value);
  }

  #record(v: HistogramValue, value: number): void {
    const b = this.buckets;
    for (let i = 0; i < b.length; i++) {
      if (value <= b[i]) {
        v.counts[i]++;
        break;
      }
    }
    v.sum += value;
    v.count++;
  }

  /** The number of observations of a label set. */
  count(labels: Labels = {}): number {
    return this.peek(labels)?.value.count ?? 0;
  }

  protected samples(out: string[], s: Series<HistogramValue>): void {
    let cumulative = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      cumulative += s.value.counts[i];
      out.push(`${this.name}_bucket${labelText(s.names, s.values, this.#le[i])} ${cumulative}`);
    }
    out.push(`${this.name}_bucket${labelText(s.names, s.values, 'le="+Inf"')} ${s.value.count}`);
    out.push(`${this.name}_sum${labelText(s.names, s.values)} ${formatValue(s.value.sum)}`);
    out.push(`${this.name}_count${labelText(s.names, s.values)} ${s.value.count}`);
  }
}

/**
 * A set of metrics rendered together.
 *
 * @example
 * ```ts
 * const registry = new PrometheusRegistry();
 * const dropped = registry.counter({ name: "dropped_total", help: "Dropped events." });
 * registry.render(); // "# HELP dropped_total Dropped events.\n# TYPE dropped_total counter\n"
 * ```
 */
export class PrometheusRegistry {
  #metrics = new Map<string, Counter | Gauge | Histogram>();

  #add<M extends Counter | Gauge | Histogram>(metric: M): M {
    const existing = this.#metrics.get(metric.name);
    if (existing) {
      if (existing.type !== metric.type) {
        throw new TypeError(
          `metric ${metric.name} is already registered as a ${existing.type}, not a ${metric.type}`,
        );
      }
      return existing as M;
    }
    this.#metrics.set(metric.name, metric);
    return metric;
  }

  /** Registers (or returns the registered) counter of this name. */
  counter(options: MetricOptions): Counter {
    return this.#add(new Counter(options));
  }

  /** Registers (or returns the registered) gauge of this name. */
  gauge(options: MetricOptions): Gauge {
    return this.#add(new Gauge(options));
  }

  /** Registers (or returns the registered) histogram of this name. */
  histogram(options: MetricOptions & { buckets: readonly number[] }): Histogram {
    return this.#add(new Histogram(options));
  }

  /** The metric of a name, if registered. */
  get(name: string): Counter | Gauge | Histogram | undefined {
    return this.#metrics.get(name);
  }

  /** The text exposition of every metric, ending with a newline. */
  render(): string {
    const out: string[] = [];
    for (const m of this.#metrics.values()) m.render(out);
    return out.length === 0 ? "" : `${out.join("\n")}\n`;
  }
}

/** The part of a response event the GenAI metrics read. */
export interface MeteredResponse {
  model: string;
  source: string;
  status: "success" | "error";
  error?: { type: string };
  latency_ms: number;
  ttft_ms: number | null;
  prompt_tokens: number;
  completion_tokens: number;
  /** USD of the call, when it was priced (`llm.response.v2`'s `cost_usd`). */
  cost_usd?: number;
  tags?: Readonly<Record<string, string>>;
}

/**
 * The GenAI metrics over a registry, fed one response event at a time. The provider label is
 * the event's `provider` tag, else "ollama" (the workbench's own calls); the operation its
 * `operation` tag, else "chat".
 *
 * @example
 * ```ts
 * const registry = new PrometheusRegistry();
 * const genai = new GenAiMetrics(registry);
 * genai.observe(responseEvent);
 * registry.render(); // includes gen_ai_client_operation_duration_seconds_count{…} 1
 * ```
 */
export class GenAiMetrics {
  readonly duration: Histogram;
  readonly tokens: Histogram;
  readonly ttft: Histogram;
  readonly requests: Counter;
  /** `llmops_cost_usd_total`: USD of the priced calls, by model and source. */
  readonly cost: Counter;

  constructor(readonly registry: PrometheusRegistry, options: { maxSeries?: number } = {}) {
    const base = [
      "gen_ai_operation_name",
      "gen_ai_provider_name",
      "gen_ai_request_model",
      "source",
    ];
    const maxSeries = options.maxSeries;
    this.duration = registry.histogram({
      name: "gen_ai_client_operation_duration_seconds",
      help: "GenAI operation duration (gen_ai.client.operation.duration), seconds.",
      labelNames: base,
      buckets: DURATION_BUCKETS_S,
      maxSeries,
    });
    this.tokens = registry.histogram({
      name: "gen_ai_client_token_usage",
      help: "Number of input and output tokens used (gen_ai.client.token.usage).",
      labelNames: [...base, "gen_ai_token_type"],
      buckets: TOKEN_BUCKETS,
      maxSeries,
    });
    this.ttft = registry.histogram({
      name: "gen_ai_server_time_to_first_token_seconds",
      help: "Time to first token of successful streamed responses " +
        "(gen_ai.server.time_to_first_token), seconds.",
      labelNames: base,
      buckets: TTFT_BUCKETS_S,
      maxSeries,
    });
    this.requests = registry.counter({
      name: "llmops_llm_requests_total",
      help: "LLM calls recorded, by outcome (status, error_type), model and source.",
      labelNames: [...base, "status"],
      maxSeries,
    });
    this.cost = registry.counter({
      name: "llmops_cost_usd_total",
      help: "USD of the priced LLM calls (cost_usd of their response events), by model and source.",
      labelNames: base,
      maxSeries,
    });
  }

  /** Records one response event. */
  observe(event: MeteredResponse): void {
    const operation = event.tags?.operation ?? "chat";
    const provider = event.tags?.provider ?? "ollama";
    const failed = event.status === "error";
    const errorType = failed ? event.error?.type ?? "unknown" : "";
    const key =
      `${operation}\u0000${provider}\u0000${event.model}\u0000${event.source}\u0000${errorType}`;
    const labels = (): Record<string, string> => ({
      gen_ai_operation_name: operation,
      gen_ai_provider_name: provider,
      gen_ai_request_model: event.model,
      source: event.source,
    });
    const withError = () => failed ? { ...labels(), error_type: errorType } : labels();
    this.duration.observeFast(key, withError, event.latency_ms / 1000);
    this.requests.incFast(key, () => ({ ...withError(), status: event.status }));
    if (event.prompt_tokens > 0 || event.completion_tokens > 0 || !failed) {
      this.tokens.observeFast(
        `${key}\u0000input`,
        () => ({ ...labels(), gen_ai_token_type: "input" }),
        event.prompt_tokens,
      );
      this.tokens.observeFast(
        `${key}\u0000output`,
        () => ({ ...labels(), gen_ai_token_type: "output" }),
        event.completion_tokens,
      );
    }
    if (!failed && event.ttft_ms !== null) {
      this.ttft.observeFast(key, labels, event.ttft_ms / 1000);
    }
    if (
      typeof event.cost_usd === "number" && event.cost_usd >= 0 && Number.isFinite(event.cost_usd)
    ) {
      this.cost.incFast(key, labels, event.cost_usd);
    }
  }
}

/**
 * The pipeline's own gauges and counters, for their owners to set before each scrape:
 * `llmops_consumer_lag{group}`, `llmops_dlq_messages`, `llmops_sink_retrying{sink}`,
 * `llmops_gateway_events_dropped_total`, `llmops_gateway_events_buffered`,
 * `llmops_otlp_spans_total{outcome}`.
 *
 * @example
 * ```ts
 * const pipeline = new PipelineMetrics(registry);
 * pipeline.consumerLag.set({ group: "mlflow-sink" }, 3);
 * ```
 */
export class PipelineMetrics {
  readonly consumerLag: Gauge;
  readonly dlqMessages: Gauge;
  readonly sinkRetrying: Gauge;
  readonly gatewayEventsDropped: Counter;
  readonly gatewayEventsBuffered: Gauge;
  readonly otlpSpans: Counter;

  constructor(registry: PrometheusRegistry) {
    this.consumerLag = registry.gauge({
      name: "llmops_consumer_lag",
      help: "Messages a consumer group has not yet processed, summed over partitions.",
      labelNames: ["group"],
    });
    this.dlqMessages = registry.gauge({
      name: "llmops_dlq_messages",
      help: "Messages in the dead-letter topic llm.dlq.",
    });
    this.sinkRetrying = registry.gauge({
      name: "llmops_sink_retrying",
      help: "1 while a sink is retrying a failed write (MLflow unreachable), else 0.",
      labelNames: ["sink"],
    });
    this.gatewayEventsDropped = registry.counter({
      name: "llmops_gateway_events_dropped_total",
      help: "Events the gateway could not publish and dropped because its buffer was full.",
    });
    this.gatewayEventsBuffered = registry.gauge({
      name: "llmops_gateway_events_buffered",
      help: "Events the gateway holds while Kafka is unreachable.",
    });
    this.otlpSpans = registry.counter({
      name: "llmops_otlp_spans_total",
      help: "OTLP spans received, by outcome (accepted, skipped, rejected).",
      labelNames: ["outcome"],
    });
  }
}
