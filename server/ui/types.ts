/**
 * Shapes of the dashboard's JSON API and live events, as the browser reads them.
 *
 * @module
 */

import type { MetricsSnapshot, ResponsePoint } from "../../lib/metrics/mod.ts";
import type { ResponseEvent } from "../../lib/events/schemas.ts";
import type { ColumnKind, ColumnQuality, StatTestName } from "../../lib/drift/mod.ts";
import type { HealthReport } from "../deps.ts";
import type { flattenRun } from "../routes/mlflow.ts";

export type { MetricsSnapshot, ResponseEvent, ResponsePoint };

/** The body of GET /api/health (and of the `health` live event), as the server defines it. */
export type Health = HealthReport;

/** One run of GET /api/mlflow/runs, as the server flattens it. */
export type RunRow = ReturnType<typeof flattenRun>;

/** The body of GET /api/mlflow/runs. */
export interface RunsPage {
  experiment_id: string;
  experiment_url: string | null;
  summary: {
    total_runs: number;
    avg_latency_s: number | null;
    avg_tokens: number | null;
    successful_runs: number;
  };
  runs: RunRow[];
  next_page_token: string | null;
}

/** Sortable run columns (the server maps them to MLflow expressions). */
export type RunOrderColumn =
  | "start_time"
  | "latency_s"
  | "tokens"
  | "response_length"
  | "tokens_per_s";

/** One column of a drift report. */
export interface DriftColumn {
  column: string;
  kind: ColumnKind;
  stattest: StatTestName | string;
  statistic: number | null;
  p_value: number | null;
  score: number | null;
  threshold: number | null;
  drifted: boolean;
}

/** A correlation matrix as `lib/drift/correlation.ts` makes it. */
export interface CorrelationMatrixBody {
  columns: string[];
  values: (number | null)[][];
}

/** A drift report as the server sends it (JSON-safe: non-finite numbers are null). */
export interface DriftReportBody {
  reference_rows: number;
  current_rows: number;
  dataset_drift: boolean;
  drift_share: number;
  share_of_drifted_columns: number;
  drifted_columns: number;
  columns_total: number;
  columns: DriftColumn[];
  quality?: ColumnQuality[] | Record<string, ColumnQuality>;
  correlations?: {
    reference?: Record<string, unknown>;
    current?: Record<string, unknown>;
  };
}

/** One column's raw values in reference and current, for the distribution plots. */
export interface DistributionBody {
  kind: ColumnKind;
  reference: (number | string | null)[];
  current: (number | string | null)[];
}

/** The body of GET /api/drift (and of the `drift` live event). */
export interface DriftBody {
  report: DriftReportBody | null;
  reason?: string;
  windows?: Record<string, unknown>;
  distributions?: Record<string, DistributionBody>;
  computed_at?: number | null;
  responses_seen?: number;
  alerts?: unknown[];
}

/** The body of GET /api/stream/status (and of the `stream` live event). */
export interface StreamStatus {
  state: "idle" | "running" | "stopping" | "finished";
  file: string | null;
  total_planned: number | null;
  sent: number;
  succeeded: number;
  failed: number;
  failed_by_type?: Record<string, number>;
  in_flight: number;
  elapsed_s: number | null;
  rate_per_s: number | null;
  progress: number | null;
  loop?: boolean;
  delay_s?: number;
}

/** A dataset of prompts for Auto Streaming. */
export interface Dataset {
  name: string;
  count: number;
}

/** The body of a `token` live event. */
export interface TokenEvent {
  request_id: string;
  text: string;
}

/** The body of POST /api/requests. */
export interface SubmitBody {
  prompt: string;
  model?: string;
  temperature?: number;
  max_tokens?: number;
  user_id?: string;
  source?: "test" | "api";
}
