/**
 * What the HTTP layer needs from the running pipeline. `server/pipeline.ts` provides the real
 * one; route tests use small in-memory doubles of it. Every shape is a lib type, so the UI reads
 * the same types.
 *
 * @module
 */

import type { AlertsApi, AlertsView } from "../lib/alerts/service.ts";
import type { HealthReport } from "../lib/consumers/health_report.ts";
import type { DriftStatus } from "../lib/drift/mod.ts";
import type { ComparisonRow } from "../lib/compare/response_rows.ts";
import type {
  FeedbackEvent,
  RequestEvent,
  RequestInput,
  ResponseEvent,
} from "../lib/events/mod.ts";
import type { FeedbackRecord, MetricsSnapshot } from "../lib/metrics/mod.ts";
import type { MlflowRun, RunsSummary } from "../lib/mlflow/mod.ts";
import type { StreamStatus } from "../lib/stream/engine.ts";

export type { RunsSummary } from "../lib/mlflow/mod.ts";

export type {
  ConsumerGroupHealth,
  HealthReport,
  ServiceHealth,
  WorkerHealth,
} from "../lib/consumers/health_report.ts";

/** A page of MLflow runs. */
export interface RunsPage {
  experiment_id: string;
  runs: MlflowRun[];
  next_page_token?: string;
}

/** Options of a stream started from the dashboard. */
export interface StreamStartOptions {
  file: string;
  delayS: number;
  loop: boolean;
  maxTokens?: number;
  /** Requests awaiting responses at once (the engine's default when absent). */
  concurrency?: number;
  /** Seconds to wait for each response (the engine's default, 120, when absent). */
  timeoutS?: number;
}

/**
 * Drift settings of POST /api/drift/config. `baseline`: "bundled" pins the bundled baseline
 * (`datasets/baseline_smollm2.csv`), "current" pins the newest M responses, null unpins it
 * (back to the first N responses); absent leaves the reference as it is.
 */
export interface DriftConfigOptions {
  referenceSize?: number;
  currentSize?: number;
  baseline?: "bundled" | "current" | null;
}

/** Live events pushed to browsers. */
export type LiveEvent =
  | { type: "response"; data: ResponseEvent }
  | { type: "token"; data: { request_id: string; text: string } }
  | { type: "metrics"; data: MetricsSnapshot }
  | { type: "health"; data: HealthReport }
  | { type: "drift"; data: DriftStatus }
  | { type: "stream"; data: StreamStatus }
  | { type: "runs"; data: { changed: true } }
  | { type: "alerts"; data: AlertsView }
  | { type: "feedback"; data: FeedbackEvent };

/** What the comparison view can compare: the newest responses the server keeps. */
export interface ComparisonWindow {
  /** One row per response, joined with its request's feedback, oldest first. */
  rows: ComparisonRow[];
  /** Most responses kept (older ones are not compared). */
  capacity: number;
}

/** The pipeline as the routes see it. */
export interface AppDeps {
  /** Time zone for displayed times (IANA name). */
  timezone: string;
  /** Default model and the tracking server's UI base. */
  defaultModel: string;
  health(): Promise<HealthReport>;
  metrics(): MetricsSnapshot;
  recentResponses(limit: number): ResponseEvent[];
  models(): Promise<string[]>;
  submit(input: RequestInput): Promise<RequestEvent>;
  searchRuns(
    request: { maxResults: number; pageToken?: string; orderBy?: string },
  ): Promise<RunsPage>;
  /** The experiment's run totals, or null while MLflow has not been counted yet (never waits long). */
  runsSummary(): Promise<RunsSummary | null>;
  mlflowUiUrl(experimentId: string, runId?: string): string;
  drift(): DriftStatus;
  /** Changes the drift windows or pins a baseline; a RangeError says why it cannot. */
  configureDrift(options: DriftConfigOptions): Promise<DriftStatus>;
  datasets(): Promise<{ name: string; count: number | null }[]>;
  startStream(options: StreamStartOptions): Promise<StreamStatus>;
  stopStream(): Promise<StreamStatus>;
  streamStatus(): StreamStatus;
  /**
   * Alerting: rules, channels, silences, alert states and history (`/api/alerts…`). Absent in
   * doubles that do not exercise it (the routes answer 503).
   */
  alerts?: AlertsApi;
  /** Subscribes to live events; returns an unsubscribe function. */
  subscribe(listener: (event: LiveEvent) => void): () => void;
  /**
   * Whether a request id was ever seen: in the index of the ids on `llm.requests` and
   * `llm.responses`, else (an older id) as an MLflow run of that name. Rejects when MLflow
   * cannot answer for an id the index does not hold.
   */
  knownRequest(requestId: string): Promise<boolean>;
  /** Produces a feedback to `llm.feedback`; resolves once Kafka has acknowledged it. */
  submitFeedback(event: FeedbackEvent): Promise<void>;
  /** A user's counted feedbacks (their last per request), newest first, at most `limit`. */
  userFeedback(userId: string, limit: number): FeedbackRecord[];
  /** The responses the comparison view compares. */
  comparisonWindow(): ComparisonWindow;
  /** `GET /metrics`: the Prometheus text exposition (absent: an empty exposition). */
  metricsText?(): Promise<string>;
}
