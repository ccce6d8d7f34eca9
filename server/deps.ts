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
import type { RequestEvent, RequestInput, ResponseEvent } from "../lib/events/mod.ts";
import type { MetricsSnapshot } from "../lib/metrics/mod.ts";
import type { MlflowRun } from "../lib/mlflow/mod.ts";
import type { StreamStatus } from "../lib/stream/engine.ts";

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

/** Totals over every run of the experiment. */
export interface RunsSummary {
  total_runs: number;
  avg_latency_s: number | null;
  avg_tokens: number | null;
  successful_runs: number;
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
  | { type: "alerts"; data: AlertsView };

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
  runsSummary(): Promise<RunsSummary>;
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
}
