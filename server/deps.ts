/**
 * What the HTTP layer needs from the running pipeline. `server/pipeline.ts` provides the real
 * one; route tests use small in-memory doubles of it.
 *
 * @module
 */

import type { RequestEvent, RequestInput, ResponseEvent } from "../lib/events/mod.ts";
import type { MetricsSnapshot } from "../lib/metrics/mod.ts";
import type { MlflowRun } from "../lib/mlflow/mod.ts";

/** Health of one service. */
export interface ServiceHealth {
  healthy: boolean;
  url: string;
  version: string | null;
  [extra: string]: unknown;
}

/** The body of GET /api/health. */
export interface HealthReport {
  kafka: ServiceHealth;
  mlflow: ServiceHealth & { experiment: string; experiment_url: string | null };
  ollama: ServiceHealth & { models: string[]; model: string; model_present: boolean };
  workers: { id: string; healthy: boolean; in_flight: number; succeeded: number; failed: number }[];
  consumers: { group: string; lag: number | null; retrying: boolean; last_error: string | null }[];
  timezone: string;
}

/** A page of MLflow runs. */
export interface RunsPage {
  experiment_id: string;
  runs: MlflowRun[];
  next_page_token?: string;
}

/** Live events pushed to browsers. */
export type LiveEvent =
  | { type: "response"; data: ResponseEvent }
  | { type: "token"; data: { request_id: string; text: string } }
  | { type: "metrics"; data: MetricsSnapshot }
  | { type: "health"; data: HealthReport }
  | { type: "drift"; data: unknown }
  | { type: "stream"; data: unknown }
  | { type: "runs"; data: { changed: true } };

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
  runsSummary(): Promise<
    {
      total_runs: number;
      avg_latency_s: number | null;
      avg_tokens: number | null;
      successful_runs: number;
    }
  >;
  mlflowUiUrl(experimentId: string, runId?: string): string;
  drift(): unknown;
  configureDrift(options: { referenceSize?: number; currentSize?: number }): Promise<unknown>;
  datasets(): Promise<{ name: string; count: number | null }[]>;
  startStream(
    options: { file: string; delayS: number; loop: boolean; maxTokens?: number },
  ): Promise<unknown>;
  stopStream(): Promise<unknown>;
  streamStatus(): unknown;
  /** Subscribes to live events; returns an unsubscribe function. */
  subscribe(listener: (event: LiveEvent) => void): () => void;
}
