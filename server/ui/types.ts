/**
 * The shapes of the dashboard's JSON API and live events as the browser reads them. Every shape
 * is the lib's own type (imported, never restated); where JSON changes a value (a drift statistic
 * of NaN arrives as null) the lib type is wrapped in {@linkcode JsonSafe}. Type-only imports: the
 * bundle takes no code from these modules.
 *
 * @module
 */

import type { z } from "zod";
import type { ChannelConfig } from "../../lib/alerts/channels/config.ts";
import type { RetryOutcome } from "../../lib/alerts/deliver.ts";
import type { RuleReading } from "../../lib/alerts/engine.ts";
import type { AlertRule } from "../../lib/alerts/rules.ts";
import type { AlertsView } from "../../lib/alerts/service.ts";
import type { AlertSilenceEvent, AlertStateEvent } from "../../lib/events/alert.ts";
import type { HealthReport, KafkaNodeHealth } from "../../lib/consumers/health_report.ts";
import type { JsonSafe } from "../../lib/drift/report.ts";
import type { DriftStatus } from "../../lib/drift/tracker.ts";
import type { ResponseEvent } from "../../lib/events/schemas.ts";
import type {
  CostSnapshot,
  FeedbackRecord,
  FeedbackSnapshot,
  MetricsSnapshot,
  ResponsePoint,
} from "../../lib/metrics/mod.ts";
import type { FeedbackEvent } from "../../lib/events/feedback.ts";
import type { ComparisonResult } from "../../lib/compare/compare.ts";
import type { SelectionComparison } from "../../lib/compare/response_rows.ts";
import type { StreamStatus } from "../../lib/stream/engine.ts";
import type { RunsSummary } from "../../lib/mlflow/experiment_totals.ts";
import type { AppDeps, LiveEvent } from "../deps.ts";
import type { flattenRun } from "../routes/mlflow.ts";
import type { SubmitBodySchema } from "../routes/requests.ts";
import type { FeedbackBodySchema } from "../routes/feedback.ts";
import type { DriftConfigSchema } from "../routes/drift.ts";

export type {
  AlertRule,
  AlertSilenceEvent,
  AlertStateEvent,
  AlertsView,
  ChannelConfig,
  RetryOutcome,
  RuleReading,
};

/** One pending or firing alert of GET /api/alerts. */
export type ActiveAlert = AlertsView["active"][number];
export type {
  ComparisonResult,
  CostSnapshot,
  FeedbackEvent,
  FeedbackRecord,
  FeedbackSnapshot,
  HealthReport,
  JsonSafe,
  KafkaNodeHealth,
  MetricsSnapshot,
  ResponseEvent,
  ResponsePoint,
  StreamStatus,
};

/** The body of GET /api/drift (and of the `drift` live event): the lib's drift status as JSON. */
export type DriftBody = JsonSafe<DriftStatus>;

/** A drift report as JSON: the `report` of a {@linkcode DriftBody} that has one. */
export type DriftReportBody = NonNullable<DriftBody["report"]>;

/** One column of a drift report, as JSON. */
export type DriftColumnBody = DriftReportBody["columns"][number];

/** One run of GET /api/mlflow/runs, as the server flattens it. */
export type RunRow = ReturnType<typeof flattenRun>;

/** The body of GET /api/mlflow/runs: a page of flattened runs and the experiment's totals. */
export interface RunsPage {
  experiment_id: string;
  experiment_url: string | null;
  /** Null while the experiment's runs have not been counted yet. */
  summary: RunsSummary | null;
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

/** A dataset of prompts for Auto Streaming (GET /api/datasets). */
export type Dataset = Awaited<ReturnType<AppDeps["datasets"]>>[number];

/** The body of POST /api/drift/config, as the server's schema reads it. */
export type DriftConfigBody = z.input<typeof DriftConfigSchema>;

/** The body of POST /api/requests, as the server's schema reads it. */
export type SubmitBody = z.input<typeof SubmitBodySchema>;

/**
 * The data of each live event by name, as JSON: the server's {@linkcode LiveEvent}s, with the
 * drift status in its JSON form.
 */
export type LiveData = {
  [E in LiveEvent as E["type"]]: E["type"] extends "drift" ? JsonSafe<E["data"]> : E["data"];
};

/** The body of a `token` live event. */
export type TokenEvent = LiveData["token"];

/** The body of POST /api/feedback, as the server's schema reads it. */
export type FeedbackBody = z.input<typeof FeedbackBodySchema>;

/** The answer of POST /api/feedback. */
export type FeedbackAccepted = Pick<FeedbackEvent, "request_id" | "user_id" | "score" | "ts">;

/** What the comparison view selects by. */
export type CompareBy = "model" | "variant" | "time";

/** The body of GET /api/compare: the lib's selection comparison as JSON, with verdicts. */
export type CompareBody = JsonSafe<SelectionComparison> & {
  by: CompareBy;
  /** One plain sentence per compared column (lib/compare's `verdictText`). */
  verdicts: string[];
  window: { rows: number; capacity: number };
};

/** One compared column, as JSON. */
export type CompareColumnBody = NonNullable<CompareBody["result"]>["columns"][number];

/** A group that can be selected, with its number of responses. */
export interface CompareGroup {
  name: string;
  count: number;
}

/** The body of GET /api/compare/groups. */
export interface CompareGroups {
  models: CompareGroup[];
  variants: CompareGroup[];
  rows: number;
  capacity: number;
  first_ts: number | null;
  last_ts: number | null;
}
