/**
 * The running pipeline behind the dashboard: the LLM worker(s), the MLflow sink, the MLflow
 * feedback consumer, the drift monitor, the dashboard's own consumers of `llm.responses`,
 * `llm.requests` and `llm.feedback` feeding the live aggregates (metrics, cost, feedback, the
 * index of known request ids and the comparison window), the Auto Streaming job, and the fan-out
 * of live events to browsers.
 *
 * On start the dashboard consumer reads `llm.responses` from the beginning, so a restarted
 * server shows the same totals, charts and response stream as before.
 *
 * @module
 */

import type { Kafka } from "kafkajs";
import { LlmClient } from "../lib/client/llm_client.ts";
import { AlertConfigStore, ALERTS_FILE_NAME, type AlertService } from "../lib/alerts/mod.ts";
import { type ComparisonRow, comparisonRow, feedbackByRequest } from "../lib/compare/mod.ts";
import {
  AlertEvaluator,
  DashboardIngest,
  DriftMonitor,
  FeedbackIngest,
  groupMembers,
  LlmWorker,
  MlflowFeedback,
  MlflowSink,
  MlflowTraces,
  noWorkerReason,
  RequestIngest,
  WORKER_CONCURRENCY,
} from "../lib/consumers/mod.ts";
import { GenAiMetrics, PipelineMetrics, PrometheusRegistry } from "../lib/gateway/prometheus.ts";
import type { PublisherStats } from "../lib/kafka/bounded_publisher.ts";
import {
  BUNDLED_BASELINE,
  type DriftSettings,
  type DriftStatus,
  parseBaseline,
} from "../lib/drift/mod.ts";
import { createRequestEvent } from "../lib/events/mod.ts";
import type {
  FeedbackEvent,
  RequestEvent,
  RequestInput,
  ResponseEvent,
} from "../lib/events/mod.ts";
import { consumerLag, createKafka, EventProducer, GROUPS, TOPICS } from "../lib/kafka/mod.ts";
import type { PriceTable } from "../lib/llm/prices.ts";
import {
  CostTotals,
  type FeedbackRecord,
  type FeedbackSnapshot,
  FeedbackTotals,
  type MetricsSnapshot,
  RequestIndex,
  RingBuffer,
} from "../lib/metrics/mod.ts";
import { ExperimentTotals, MlflowClient, type RunsSummary } from "../lib/mlflow/mod.ts";
import type { StackConfig } from "../lib/stack/config.ts";
import { kafkaStatus } from "../lib/stack/kafka.ts";
import { mlflowStatus } from "../lib/stack/mlflow.ts";
import { ollamaModels, ollamaStatus } from "../lib/stack/ollama.ts";
import { listDatasets, loadDataset, StreamJob } from "../lib/stream/mod.ts";
import { CachedValue } from "../lib/util/cached_value.ts";
import type { StreamStatus } from "../lib/stream/engine.ts";
import type {
  AppDeps,
  ComparisonWindow,
  DriftConfigOptions,
  HealthReport,
  LiveEvent,
  RunsPage,
  StreamStartOptions,
  WorkerHealth,
} from "./deps.ts";
import { ALERTS_EVENT_HISTORY, LiveHub } from "./live_hub.ts";
import { StreamSupervisor } from "./stream_supervisor.ts";

/** How long a health report is reused: every browser stream and API call shares one check. */
export const HEALTH_CACHE_MS = 1_500;

/** How long `GET /api/mlflow/runs` waits for the first count of the runs before it answers without. */
export const RUNS_SUMMARY_WAIT_MS = 2_000;

/** Responses the comparison view can compare: the newest 10,000 (the metrics window's size). */
export const COMPARISON_WINDOW = 10_000;

/** Options of {@linkcode Pipeline.start}. */
export interface PipelineOptions {
  config: StackConfig;
  /** Port of this server (names the dashboard's consumer group). */
  port: number;
  /** Workers started in this process. Default 1 (0: use workers running elsewhere). */
  workers?: number;
  /** Calls in flight per worker. Default 2. */
  workerConcurrency?: number;
  /** Time zone of displayed times. Default Asia/Kolkata (IST). */
  timezone?: string;
  /** Folder of the stream datasets. */
  datasetsDir: string;
  /** Topics (defaults: `llm.requests`, `llm.responses`, `llm.feedback`); tests use their own. */
  topics?: { requests: string; responses: string; feedback?: string };
  /** The price table the workers price responses with (null or absent: none). */
  prices?: PriceTable | null;
  /**
   * Alerting: where rules and channels are kept, the alerts topic, the dashboard's URL. With
   * private `topics` and no alerts topic, no evaluator runs.
   */
  alerts?: PipelineAlertOptions;
}

/** Alerting options of the pipeline. */
export interface PipelineAlertOptions {
  /** The rules-and-channels file. Default `$LLMOPS_STATE_DIR/alerts.json`. */
  file?: string;
  /** The topic of alert records. Default `llm.alerts` (another one gets its own election group). */
  topic?: string;
  /** Base URL of the dashboard for links in notifications. */
  dashboardUrl?: string;
}

/** The pipeline, as the HTTP layer uses it. */
export class Pipeline implements AppDeps {
  readonly timezone: string;
  readonly defaultModel: string;
  readonly #config: StackConfig;
  readonly #kafka: Kafka;
  readonly #producer: EventProducer;
  readonly #workers: LlmWorker[] = [];
  readonly #sink: MlflowSink;
  readonly #feedbackSink: MlflowFeedback;
  readonly #traces: MlflowTraces;
  readonly #drift: DriftMonitor;
  readonly #dashboard: DashboardIngest;
  readonly #requestIngest: RequestIngest;
  readonly #feedbackIngest: FeedbackIngest;
  readonly #prices: PriceTable | null;
  /** Request ids seen on llm.requests and llm.responses, with model and variant. */
  readonly #index = new RequestIndex();
  /** The last feedback per (request, user). */
  readonly #feedback = new FeedbackTotals();
  readonly #cost = new CostTotals();
  /** The newest responses as comparison rows (feedback joined when asked). */
  readonly #comparison = new RingBuffer<ComparisonRow>(COMPARISON_WINDOW);
  #feedbackSnapshot: { key: string; value: FeedbackSnapshot } | null = null;
  readonly #hub: LiveHub;
  readonly #dashboardGroup: string;
  readonly #mlflow: MlflowClient;
  readonly #datasetsDir: string;
  readonly #topics: { requests: string; responses: string; feedback: string };
  readonly #groups: {
    worker: string;
    mlflowSink: string;
    mlflowTraces: string;
    driftMonitor: string;
    mlflowFeedback: string;
  };
  readonly #dashboardGroups: { requests: string; feedback: string };
  /** `/metrics`: the GenAI metrics of every response ingested, and the pipeline's gauges. */
  readonly #registry = new PrometheusRegistry();
  readonly #genai = new GenAiMetrics(this.#registry);
  readonly #gauges = new PipelineMetrics(this.#registry);
  #gatewayStats: (() => PublisherStats) | null = null;
  readonly #streams = new StreamSupervisor((error) => console.error(`stream: ${error.message}`));
  #streamClient: Promise<LlmClient> | null = null;
  /** The health report, computed at most every 1.5 s and shared by every caller. */
  readonly #health = new CachedValue(() => this.#computeHealth(), HEALTH_CACHE_MS);
  #healthTimer: ReturnType<typeof setInterval> | null = null;
  /** The experiment's run totals: counted in MLflow now and then, the sink's runs added between. */
  readonly #runTotals: ExperimentTotals;
  #evaluator: AlertEvaluator | null = null;

  private constructor(options: PipelineOptions) {
    const config = options.config;
    this.#config = config;
    this.timezone = options.timezone ?? "Asia/Kolkata";
    this.defaultModel = config.ollama.model;
    this.#datasetsDir = options.datasetsDir;
    const topics = {
      requests: options.topics?.requests ?? TOPICS.requests,
      responses: options.topics?.responses ?? TOPICS.responses,
      feedback: options.topics?.feedback ?? TOPICS.feedback,
    };
    this.#topics = topics;
    this.#prices = options.prices ?? null;
    // Groups are per topic: a kafkajs group must not mix members of different topics.
    const group = (base: string) => options.topics ? `${base}.${topics.requests}` : base;
    this.#groups = {
      worker: group(GROUPS.worker),
      mlflowSink: group(GROUPS.mlflowSink),
      mlflowTraces: group(GROUPS.mlflowTraces),
      driftMonitor: group(GROUPS.driftMonitor),
      mlflowFeedback: group(GROUPS.mlflowFeedback),
    };
    this.#kafka = createKafka(config.kafka.brokers, `llmops-server-${options.port}`);
    this.#producer = new EventProducer(this.#kafka);
    this.#mlflow = new MlflowClient(config.mlflow.uri);
    for (let i = 0; i < (options.workers ?? 1); i++) {
      const workerId = `worker-${crypto.randomUUID().slice(0, 8)}`;
      this.#workers.push(
        new LlmWorker({
          // a client of its own, so the group's members name each worker
          kafka: createKafka(config.kafka.brokers, workerId),
          workerId,
          producer: this.#producer,
          ollamaHost: config.ollama.host,
          concurrency: options.workerConcurrency ?? WORKER_CONCURRENCY,
          topics,
          groupId: this.#groups.worker,
          prices: this.#prices,
          onToken: (request_id, text) => this.#emit({ type: "token", data: { request_id, text } }),
        }),
      );
    }
    this.#sink = new MlflowSink({
      kafka: this.#kafka,
      dlq: this.#producer,
      mlflow: this.#mlflow,
      experiment: config.mlflow.experiment,
      topic: topics.responses,
      groupId: this.#groups.mlflowSink,
      onLogged: (logged) => {
        this.#runTotals.add(logged);
        this.#emit({ type: "runs", data: { changed: true } });
      },
    });
    this.#runTotals = new ExperimentTotals({
      mlflow: this.#mlflow,
      experimentId: () => this.#experimentId(),
      onCounted: () => this.#emit({ type: "runs", data: { changed: true } }),
      onError: (error) => console.error(`mlflow run totals: ${error.message}`),
    });
    this.#feedbackSink = new MlflowFeedback({
      kafka: this.#kafka,
      dlq: this.#producer,
      mlflow: this.#mlflow,
      experiment: config.mlflow.experiment,
      topic: topics.feedback,
      groupId: this.#groups.mlflowFeedback,
      onLogged: () => {
        this.#emit({ type: "runs", data: { changed: true } });
      },
    });
    this.#traces = new MlflowTraces({
      kafka: this.#kafka,
      dlq: this.#producer,
      mlflow: this.#mlflow,
      trackingUri: config.mlflow.uri,
      experiment: config.mlflow.experiment,
      topic: topics.responses,
      groupId: this.#groups.mlflowTraces,
    });
    this.#drift = new DriftMonitor({
      kafka: this.#kafka,
      dlq: this.#producer,
      topic: topics.responses,
      groupId: this.#groups.driftMonitor,
      onReport: () => this.#emit({ type: "drift", data: this.drift() }),
    });
    this.#dashboardGroup = `dashboard-${options.port}`;
    this.#dashboard = new DashboardIngest({
      kafka: this.#kafka,
      dlq: this.#producer,
      topic: topics.responses,
      groupId: this.#dashboardGroup,
      onIngest: (event) => {
        this.#index.add(event.request_id, { model: event.model, variant: event.tags?.variant });
        this.#cost.add(event);
        this.#comparison.push(comparisonRow(event));
        this.#genai.observe(event);
        this.#hub.response(event);
      },
    });
    this.#dashboardGroups = {
      requests: `dashboard-requests-${options.port}`,
      feedback: `dashboard-feedback-${options.port}`,
    };
    this.#requestIngest = new RequestIngest({
      kafka: this.#kafka,
      dlq: this.#producer,
      topic: topics.requests,
      groupId: this.#dashboardGroups.requests,
      onRequest: (r) => this.#index.add(r.request_id, { model: r.model, variant: r.tags?.variant }),
    });
    this.#feedbackIngest = new FeedbackIngest({
      kafka: this.#kafka,
      dlq: this.#producer,
      topic: topics.feedback,
      groupId: this.#dashboardGroups.feedback,
      onFeedback: (event) => {
        if (!this.#feedback.add(event)) return;
        this.#emit({ type: "feedback", data: event });
        this.#hub.changed();
      },
    });
    this.#hub = new LiveHub(
      () => this.metrics(),
      () => this.#evaluator!.service.view(ALERTS_EVENT_HISTORY),
    );
  }

  /**
   * Alerting: rules, channels, silences, states (the evaluator's service). Undefined for a
   * pipeline on private topics without an alerts topic of its own (tests): it must not join the
   * product's election nor evaluate the product's rules on other traffic.
   */
  get alerts(): AlertService | undefined {
    return this.#evaluator?.service;
  }

  /**
   * The alert evaluator over this pipeline's topics: drift from the drift monitor's latest
   * report, health from the cached health report.
   */
  async #startAlerts(options: PipelineOptions): Promise<void> {
    const topic = options.alerts?.topic ?? TOPICS.alerts;
    const store = await AlertConfigStore.open(
      options.alerts?.file ?? `${this.#config.stateDir}/${ALERTS_FILE_NAME}`,
    );
    const own = topic !== TOPICS.alerts;
    let lastError = "";
    this.#evaluator = new AlertEvaluator({
      kafka: this.#kafka,
      producer: this.#producer,
      store,
      topics: { responses: this.#topics.responses, alerts: topic },
      groupId: own ? `${GROUPS.alertEvaluator}.${topic}` : GROUPS.alertEvaluator,
      dashboardUrl: options.alerts?.dashboardUrl ?? `http://127.0.0.1:${options.port}`,
      drift: () => {
        const snapshot = this.#drift.latest();
        return snapshot ? { report: snapshot.report, ts: snapshot.computed_at } : null;
      },
      health: async () => {
        const h = await this.health();
        return {
          services: {
            kafka: h.kafka.healthy,
            mlflow: h.mlflow.healthy,
            ollama: h.ollama.healthy,
            workers: h.workers.some((w) => w.healthy),
          },
          consumer_lag: Object.fromEntries(
            h.consumers.flatMap((c) => (c.lag === null ? [] : [[c.group, c.lag]])),
          ),
        };
      },
      onChange: () => this.#hub.alertsChanged(),
      onError: (error) => {
        // one line per new error, not one per evaluation while it lasts
        if (error.message !== lastError) console.error(`alerts: ${error.message}`);
        lastError = error.message;
      },
    });
    try {
      await this.#evaluator.start();
    } catch (error) {
      // the dashboard runs without alerting rather than not at all (the routes answer 503)
      console.error(`alerts: not running: ${(error as Error).message}`);
      await this.#evaluator.stop().catch(() => {});
      this.#evaluator = null;
    }
  }

  /** Connects to Kafka and MLflow and starts every consumer. */
  static async start(options: PipelineOptions): Promise<Pipeline> {
    const pipeline = new Pipeline(options);
    await pipeline.#producer.connect();
    // The dashboard and the drift monitor keep their state in memory: both rebuild it from the
    // whole topic on every start, so a restart loses no history and the drift reference is
    // always the first responses of the topic.
    const admin = pipeline.#kafka.admin();
    await admin.connect();
    const resets: [string, string][] = [
      [pipeline.#dashboardGroup, pipeline.#topics.responses],
      [pipeline.#groups.driftMonitor, pipeline.#topics.responses],
      [pipeline.#dashboardGroups.requests, pipeline.#topics.requests],
      [pipeline.#dashboardGroups.feedback, pipeline.#topics.feedback],
    ];
    for (const [groupId, topic] of resets) {
      await admin.resetOffsets({ groupId, topic, earliest: true })
        .catch(() => {/* a new group has no offsets to reset; a busy one keeps its own */});
    }
    await admin.disconnect();
    await Promise.all([
      ...pipeline.#workers.map((w) => w.start()),
      pipeline.#sink.start(),
      pipeline.#feedbackSink.start(),
      pipeline.#traces.start(),
      pipeline.#drift.start(),
      pipeline.#dashboard.start(),
      ...(options.topics && !options.alerts?.topic ? [] : [pipeline.#startAlerts(options)]),
      pipeline.#requestIngest.start(),
      pipeline.#feedbackIngest.start(),
    ]);
    pipeline.#healthTimer = setInterval(() => {
      if (pipeline.#hub.listenerCount === 0) return;
      pipeline.health().then((data) => pipeline.#emit({ type: "health", data })).catch(() => {});
    }, 5_000);
    return pipeline;
  }

  #emit(event: LiveEvent): void {
    this.#hub.emit(event);
  }

  subscribe(listener: (event: LiveEvent) => void): () => void {
    return this.#hub.subscribe(listener);
  }

  metrics(): MetricsSnapshot {
    return {
      ...this.#dashboard.metrics.snapshot(),
      cost: this.#cost.snapshot(this.#prices?.hosted ?? []),
      feedback: this.#feedbackKpis(),
    };
  }

  /** The feedback KPIs, recomputed only when the feedback or the index changed. */
  #feedbackKpis(): FeedbackSnapshot {
    const key = `${this.#feedback.version}:${this.#index.version}`;
    if (this.#feedbackSnapshot?.key !== key) {
      this.#feedbackSnapshot = {
        key,
        value: this.#feedback.snapshot((id) => this.#index.get(id)?.model),
      };
    }
    return this.#feedbackSnapshot.value;
  }

  recentResponses(limit: number): ResponseEvent[] {
    return this.#dashboard.recent.newest(limit);
  }

  models(): Promise<string[]> {
    return ollamaModels(this.#config.ollama.host);
  }

  async submit(input: RequestInput): Promise<RequestEvent> {
    const event = createRequestEvent(input, {
      model: this.defaultModel,
      source: input.source ?? "api",
    });
    await this.#producer.send(this.#topics.requests, event.request_id, event);
    this.#index.add(event.request_id, { model: event.model, variant: event.tags?.variant });
    return event;
  }

  async knownRequest(requestId: string): Promise<boolean> {
    if (this.#index.has(requestId)) return true;
    // older than the index holds: a request that got as far as MLflow has a run of its name
    const { runs } = await this.#mlflow.searchRuns({
      experiment_ids: [await this.#experimentId()],
      filter: `attributes.run_name = '${requestId.replace(/'/g, "")}'`,
      max_results: 1,
    });
    const model = runs[0]?.data.tags?.find((t) => t.key === "model")?.value;
    if (runs.length > 0) this.#index.add(requestId, { model });
    return runs.length > 0;
  }

  async submitFeedback(event: FeedbackEvent): Promise<void> {
    await this.#producer.send(this.#topics.feedback, event.request_id, event);
  }

  userFeedback(userId: string, limit: number): FeedbackRecord[] {
    return this.#feedback.latestOfUser(userId, limit);
  }

  comparisonWindow(): ComparisonWindow {
    const feedback = feedbackByRequest(this.#feedback.records());
    const rows = this.#comparison.toArray().map((row) => {
      const f = feedback.get(row.request_id);
      return f ? { ...row, feedback_score: f.score, thumbs_up: f.thumbs_up } : row;
    });
    return { rows, capacity: COMPARISON_WINDOW };
  }

  health(): Promise<HealthReport> {
    return this.#health.get();
  }

  async #computeHealth(): Promise<HealthReport> {
    const config = this.#config;
    const [kafka, mlflow, ollama, groups] = await Promise.all([
      kafkaStatus(config),
      mlflowStatus(config),
      ollamaStatus(config),
      this.#groupHealth(),
    ]);
    const experimentId = this.#sink.experimentId;
    const servicesUp = ollama.healthy && kafka.healthy;
    const local = new Map(this.#workers.map((w) => [w.workerId, w]));
    const workers: WorkerHealth[] = groups.members.map((m) => {
      const worker = local.get(m.clientId);
      local.delete(m.clientId);
      return {
        id: m.clientId,
        host: m.clientHost.replace(/^\//, "") || null,
        local: worker !== undefined,
        healthy: servicesUp,
        in_flight: worker?.inFlight ?? null,
        succeeded: worker?.stats.succeeded ?? null,
        failed: worker?.stats.failed ?? null,
      };
    });
    // a local worker that is not (yet, or no longer) a member of the group
    for (const worker of local.values()) {
      workers.push({
        id: worker.workerId,
        host: null,
        local: true,
        healthy: false,
        in_flight: worker.inFlight,
        succeeded: worker.stats.succeeded,
        failed: worker.stats.failed,
      });
    }
    return {
      kafka,
      mlflow: {
        ...mlflow,
        experiment_url: experimentId ? this.#mlflow.uiUrl(experimentId) : null,
      },
      ollama,
      workers,
      // said wherever a request could wait for nobody: the sidebar, Test LLM, Auto Streaming
      workers_reason: groups.members.length ? null : noWorkerReason(this.#topics.requests),
      consumers: groups.lags,
      sink: {
        ...this.#sink.status(),
        lag: groups.lags.find((g) => g.group === this.#groups.mlflowSink)?.lag ?? null,
      },
      timezone: this.timezone,
    };
  }

  /** The lag of every group and the members of the worker group. */
  async #groupHealth(): Promise<{
    lags: HealthReport["consumers"];
    members: Awaited<ReturnType<typeof groupMembers>>;
  }> {
    const admin = this.#kafka.admin();
    const groups: [string, string, { isRetrying: boolean; lastError: string | null } | null][] = [
      [this.#groups.worker, this.#topics.requests, null],
      [this.#groups.mlflowSink, this.#topics.responses, this.#sink],
      [this.#groups.mlflowFeedback, this.#topics.feedback, this.#feedbackSink],
      [this.#groups.mlflowTraces, this.#topics.responses, this.#traces],
      [this.#groups.driftMonitor, this.#topics.responses, null],
      [this.#dashboardGroup, this.#topics.responses, null],
    ];
    try {
      await admin.connect();
      const [lags, members] = await Promise.all([
        Promise.all(groups.map(async ([group, topic, state]) => {
          const lag = await consumerLag(admin, group, topic).then((l) => l.lag).catch(() => null);
          return {
            group,
            lag,
            retrying: state?.isRetrying ?? false,
            last_error: state?.isRetrying ? state.lastError : null,
          };
        })),
        groupMembers(admin, this.#groups.worker).catch(() => []),
      ]);
      return { lags, members };
    } catch {
      return {
        lags: groups.map(([group]) => ({ group, lag: null, retrying: false, last_error: null })),
        members: [],
      };
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }

  /** Shows the counts of the gateway running in this process in `/metrics`. */
  attachGateway(stats: () => PublisherStats): void {
    this.#gatewayStats = stats;
  }

  /**
   * The Prometheus text of `/metrics`: the GenAI metrics of every response the dashboard
   * ingested (each request id once), consumer lag per group and sink retrying (from the shared
   * health report), messages in the dead-letter topic, and the in-process gateway's counts.
   */
  async metricsText(): Promise<string> {
    const health = await this.health().catch(() => null);
    const lag = this.#gauges.consumerLag;
    lag.reset();
    this.#gauges.sinkRetrying.reset();
    for (const group of health?.consumers ?? []) {
      if (group.lag !== null) lag.set({ group: group.group }, group.lag);
      if (group.group === this.#groups.mlflowSink || group.group === this.#groups.mlflowTraces) {
        this.#gauges.sinkRetrying.set(
          { sink: group.group === this.#groups.mlflowSink ? "mlflow-runs" : "mlflow-traces" },
          group.retrying ? 1 : 0,
        );
      }
    }
    const dlq = await this.#dlqMessages.get().catch(() => null);
    if (dlq !== null) this.#gauges.dlqMessages.set({}, dlq);
    const gateway = this.#gatewayStats?.();
    if (gateway) {
      this.#gauges.gatewayEventsDropped.setTotal({}, gateway.dropped);
      this.#gauges.gatewayEventsBuffered.set({}, gateway.buffered);
    }
    return this.#registry.render();
  }

  /** Messages in the dead-letter topic (all partitions), read at most every 1.5 s. */
  readonly #dlqMessages = new CachedValue(async () => {
    const admin = this.#kafka.admin();
    try {
      await admin.connect();
      const offsets = await admin.fetchTopicOffsets(TOPICS.dlq);
      return offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }, HEALTH_CACHE_MS);

  async #experimentId(): Promise<string> {
    return this.#sink.experimentId ??
      await this.#mlflow.getOrCreateExperiment(this.#config.mlflow.experiment);
  }

  async searchRuns(
    request: { maxResults: number; pageToken?: string; orderBy?: string },
  ): Promise<RunsPage> {
    const experimentId = await this.#experimentId();
    const page = await this.#mlflow.searchRuns({
      experiment_ids: [experimentId],
      max_results: request.maxResults,
      page_token: request.pageToken,
      order_by: request.orderBy ? [request.orderBy] : undefined,
    });
    return { experiment_id: experimentId, ...page };
  }

  /**
   * The experiment's run totals, or null when the first count of its runs in MLflow has not
   * finished within {@linkcode RUNS_SUMMARY_WAIT_MS} (the runs page does not wait for it; a live
   * `runs` event follows when the count is done).
   */
  runsSummary(): Promise<RunsSummary | null> {
    return this.#runTotals.summary(RUNS_SUMMARY_WAIT_MS);
  }

  /** The experiment's page in the MLflow UI, once the sink knows its id (else null). */
  experimentUrl(): string | null {
    const id = this.#sink.experimentId;
    return id ? this.#mlflow.uiUrl(id) : null;
  }

  mlflowUiUrl(experimentId: string, runId?: string): string {
    return this.#mlflow.uiUrl(experimentId, runId);
  }

  drift(): DriftStatus {
    return this.#drift.status();
  }

  async configureDrift(options: DriftConfigOptions): Promise<DriftStatus> {
    const settings: DriftSettings = {
      referenceSize: options.referenceSize,
      currentSize: options.currentSize,
    };
    if (options.baseline === "bundled") {
      settings.baselineRows = await this.#bundledBaseline();
      settings.baselineLabel =
        `${BUNDLED_BASELINE.file} (bundled: ${BUNDLED_BASELINE.model} on ${BUNDLED_BASELINE.dataset})`;
    } else if (options.baseline === null) settings.baselineRows = null;
    this.#drift.configure(settings);
    if (options.baseline === "current") this.#drift.pinCurrent();
    return this.drift();
  }

  /** The rows of `datasets/baseline_smollm2.csv`; a RangeError says how to make a missing one. */
  async #bundledBaseline() {
    const path = `${this.#datasetsDir}/${BUNDLED_BASELINE.file}`;
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      throw new RangeError(
        `the bundled baseline ${BUNDLED_BASELINE.file} is missing from the datasets folder: ` +
          "make it with `deno task baseline`",
      );
    }
    return parseBaseline(text, BUNDLED_BASELINE.file);
  }

  async datasets(): Promise<{ name: string; count: number | null }[]> {
    return (await listDatasets(this.#datasetsDir)).map((d) => ({
      name: `${d.name}.json`,
      count: d.count,
    }));
  }

  startStream(options: StreamStartOptions): Promise<StreamStatus> {
    return this.#streams.start(async () => {
      this.#streamClient ??= LlmClient.connect({
        config: this.#config,
        kafka: this.#kafka,
        producer: this.#producer,
        source: "stream",
        topics: this.#topics,
      }).catch((error) => {
        this.#streamClient = null; // try again on the next start
        throw error;
      });
      const client = await this.#streamClient;
      const dataset = await loadDataset(`${this.#datasetsDir}/${options.file}`);
      return new StreamJob({
        client,
        entries: dataset.entries,
        file: options.file,
        delayS: options.delayS,
        loop: options.loop,
        maxTokens: options.maxTokens,
        concurrency: options.concurrency,
        timeoutS: options.timeoutS,
        onProgress: (status) => this.#emit({ type: "stream", data: status }),
      });
    });
  }

  stopStream(): Promise<StreamStatus> {
    return this.#streams.stop();
  }

  streamStatus(): StreamStatus {
    return this.#streams.status();
  }

  /** Stops the stream, the consumers and the workers, then flushes and closes the producer. */
  async stop(): Promise<void> {
    if (this.#healthTimer) clearInterval(this.#healthTimer);
    await this.#streams.stop().catch(() => {});
    await this.#evaluator?.stop().catch(() => {});
    await (await this.#streamClient?.catch(() => null))?.close().catch(() => {});
    await Promise.allSettled([
      ...this.#workers.map((w) => w.stop()),
      this.#sink.stop(),
      this.#feedbackSink.stop(),
      this.#traces.stop(),
      this.#drift.stop(),
      this.#dashboard.stop(),
      this.#requestIngest.stop(),
      this.#feedbackIngest.stop(),
    ]);
    this.#hub.close();
    await this.#producer.disconnect();
  }
}
