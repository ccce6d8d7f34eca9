/**
 * An in-memory double of the pipeline for route tests (no Kafka, MLflow or Ollama): records
 * submissions and stream starts, serves canned state, and can be told to fail like MLflow does.
 *
 * @module
 */

import type {
  AppDeps,
  ComparisonWindow,
  HealthReport,
  LiveEvent,
  RunsPage,
  RunsSummary,
} from "./deps.ts";
import { createRequestEvent, type FeedbackEvent, type RequestInput } from "../lib/events/mod.ts";
import type { ComparisonRow } from "../lib/compare/response_rows.ts";
import { FeedbackTotals } from "../lib/metrics/feedback_totals.ts";
import { sampleResponse } from "../lib/events/testing.ts";
import { MetricsAggregator } from "../lib/metrics/mod.ts";
import { DriftTracker } from "../lib/drift/mod.ts";
import { idleStreamStatus } from "../lib/stream/mod.ts";
import { AlertConfigStore, AlertService } from "../lib/alerts/mod.ts";
import type { AlertEvent, AlertNotificationEvent } from "../lib/events/mod.ts";

/** An in-memory double of the pipeline: records submissions, serves canned state. */
export class PipelineDouble implements AppDeps {
  timezone = "Asia/Kolkata";
  defaultModel = "smollm2:135m";
  submitted: RequestInput[] = [];
  streamStarts: unknown[] = [];
  metricsAggregator = new MetricsAggregator();
  listeners = new Set<(e: LiveEvent) => void>();
  responses = [sampleResponse(), sampleResponse()];
  lastRunsRequest: unknown = null;
  driftConfig: unknown = null;
  tracker = new DriftTracker({ referenceSize: 2, currentSize: 2 });
  /** Alert records the service wrote, and notifications it sent (channel name, notification). */
  alertRecords: AlertEvent[] = [];
  alertsSent: { channel: string; notification: AlertNotificationEvent }[] = [];
  alerts = new AlertService({
    store: AlertConfigStore.inMemory(),
    publish: (records) => {
      this.alertRecords.push(...records);
      return Promise.resolve();
    },
    send: (channel, notification) => {
      this.alertsSent.push({ channel: channel.name, notification });
      return Promise.resolve();
    },
  });
  health(): Promise<HealthReport> {
    const service = { healthy: true, url: "x", version: "1" };
    return Promise.resolve({
      kafka: service,
      mlflow: { ...service, experiment: "llm-monitoring", experiment_url: null },
      ollama: { ...service, models: ["smollm2:135m"], model: "smollm2:135m", model_present: true },
      workers: [],
      workers_reason: null,
      consumers: [],
      timezone: this.timezone,
    });
  }
  metrics() {
    return this.metricsAggregator.snapshot();
  }
  recentResponses(limit: number) {
    return this.responses.slice(0, limit);
  }
  models() {
    return Promise.resolve(["smollm2:135m"]);
  }
  submit(input: RequestInput) {
    this.submitted.push(input);
    return Promise.resolve(createRequestEvent(input, { model: this.defaultModel }));
  }
  /** When set, `searchRuns` fails with it (as the MLflow client would). */
  searchFailure: Error | null = null;
  searchRuns(
    request: { maxResults: number; pageToken?: string; orderBy?: string },
  ): Promise<RunsPage> {
    this.lastRunsRequest = request;
    if (this.searchFailure) return Promise.reject(this.searchFailure);
    return Promise.resolve({
      experiment_id: "7",
      runs: [{
        info: {
          run_id: "r1",
          run_name: "q1",
          experiment_id: "7",
          status: "FINISHED",
          start_time: 1,
          end_time: 2,
        },
        data: {
          metrics: [{ key: "latency_s", value: 1.5, timestamp: 2 }],
          tags: [{ key: "request_id", value: "q1" }],
        },
      }],
      next_page_token: "next",
    });
  }
  runsSummary(): Promise<RunsSummary | null> {
    return Promise.resolve({
      total_runs: 1,
      avg_latency_s: 1.5,
      avg_tokens: 10,
      successful_runs: 1,
      counted_at: "2026-01-01T00:00:00.000Z",
    });
  }
  mlflowUiUrl(experimentId: string, runId?: string) {
    return runId
      ? `http://m/#/experiments/${experimentId}/runs/${runId}`
      : `http://m/#/experiments/${experimentId}`;
  }
  drift() {
    return this.tracker.status();
  }
  /** When set, `configureDrift` fails with it (e.g. a RangeError: no baseline file). */
  driftError: Error | null = null;
  configureDrift(options: unknown) {
    if (this.driftError) return Promise.reject(this.driftError);
    this.driftConfig = options;
    return Promise.resolve(this.tracker.status());
  }
  datasets() {
    return Promise.resolve([{ name: "quick_test.json", count: 10 }]);
  }
  /** When set, `startStream` fails with it (a stream already running). */
  startFailure: Error | null = null;
  startStream(options: unknown) {
    if (this.startFailure) return Promise.reject(this.startFailure);
    this.streamStarts.push(options);
    return Promise.resolve({ ...idleStreamStatus(), state: "running" as const });
  }
  stopStream() {
    return Promise.resolve({ ...idleStreamStatus(), state: "finished" as const });
  }
  streamStatus() {
    return idleStreamStatus();
  }
  subscribe(listener: (e: LiveEvent) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  /** Request ids the double knows (the pipeline's index and MLflow fallback in one). */
  knownIds = new Set<string>(this.responses.map((r) => r.request_id));
  /** When set, `knownRequest` fails with it (MLflow not answering). */
  knownFailure: Error | null = null;
  knownRequest(requestId: string) {
    if (this.knownFailure) return Promise.reject(this.knownFailure);
    return Promise.resolve(this.knownIds.has(requestId));
  }
  feedbackSent: FeedbackEvent[] = [];
  feedbackTotals = new FeedbackTotals();
  submitFeedback(event: FeedbackEvent) {
    this.feedbackSent.push(event);
    this.feedbackTotals.add(event);
    return Promise.resolve();
  }
  userFeedback(userId: string, limit: number) {
    return this.feedbackTotals.latestOfUser(userId, limit);
  }
  comparisonRows: ComparisonRow[] = [];
  comparisonWindow(): ComparisonWindow {
    return { rows: this.comparisonRows, capacity: 10_000 };
  }
  metricsText() {
    return Promise.resolve("# HELP double_up A double.\n# TYPE double_up gauge\ndouble_up 1\n");
  }
}
