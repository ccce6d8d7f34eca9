/**
 * Fetch helpers for the dashboard's JSON API (same origin). Every helper throws an
 * {@linkcode ApiError} carrying the server's own message when the answer is not a success.
 *
 * @module
 */

import type {
  AlertRule,
  AlertSilenceEvent,
  AlertsView,
  ChannelConfig,
  CompareBody,
  CompareBy,
  CompareGroups,
  Dataset,
  DriftBody,
  DriftConfigBody,
  FeedbackAccepted,
  FeedbackBody,
  FeedbackRecord,
  HealthReport,
  MetricsSnapshot,
  ResponseEvent,
  RetryOutcome,
  RunOrderColumn,
  RunsPage,
  StreamStatus,
  SubmitBody,
} from "./types.ts";

/** An error answer of the API: status, code and the server's message. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

/**
 * The message to show for an error answer: the server's `{error: {message}}` when present, else
 * the status line.
 *
 * @example
 * ```ts
 * errorFromBody(400, { error: { code: "bad_request", message: "prompt: must not be empty" } })
 *   .message; // "prompt: must not be empty"
 * ```
 */
export function errorFromBody(status: number, body: unknown, statusText = ""): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const message = typeof error?.message === "string" && error.message
    ? error.message
    : `The server answered ${status}${statusText ? ` ${statusText}` : ""}`;
  const code = typeof error?.code === "string" ? error.code : "http_error";
  return new ApiError(status, code, message);
}

/**
 * Calls the API and returns its JSON body, or throws an {@linkcode ApiError}.
 *
 * @example
 * ```ts
 * const health = await requestJson<HealthReport>("/api/health");
 * ```
 */
export async function requestJson<T>(path: string, init: RequestInit = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      ...init,
      headers: { accept: "application/json", ...(init.headers ?? {}) },
    });
  } catch (error) {
    throw new ApiError(0, "network", `The server cannot be reached: ${(error as Error).message}`);
  }
  const text = await res.text();
  let body: unknown = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      if (res.ok) throw new ApiError(res.status, "bad_json", `Expected JSON from ${path}`);
    }
  }
  if (!res.ok) throw errorFromBody(res.status, body, res.statusText);
  return body as T;
}

function postJson<T>(path: string, body: unknown): Promise<T> {
  return sendJson<T>("POST", path, body);
}

function sendJson<T>(method: string, path: string, body?: unknown): Promise<T> {
  return requestJson<T>(path, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
}

const part = (value: string) => encodeURIComponent(value);

/** Options of a runs page request. */
export interface RunsQuery {
  maxResults?: number;
  pageToken?: string | null;
  orderBy?: RunOrderColumn;
  direction?: "ASC" | "DESC";
}

/**
 * The query string of GET /api/mlflow/runs.
 *
 * @example
 * ```ts
 * runsQueryString({ maxResults: 25, orderBy: "latency_s", direction: "ASC" });
 * // "max_results=25&order_by=latency_s+ASC"
 * ```
 */
export function runsQueryString(query: RunsQuery): string {
  const params = new URLSearchParams();
  params.set("max_results", String(query.maxResults ?? 25));
  if (query.pageToken) params.set("page_token", query.pageToken);
  if (query.orderBy) params.set("order_by", `${query.orderBy} ${query.direction ?? "DESC"}`);
  return params.toString();
}

/** One side of a comparison: a model or variant name, or a time range (epoch ms). */
export type CompareSide = { value: string } | { from: number; to: number };

/** Options of a comparison request. */
export interface CompareQuery {
  by: CompareBy;
  a: CompareSide;
  b: CompareSide;
  columns?: string[];
  alpha?: number;
}

/**
 * The query string of GET /api/compare.
 *
 * @example
 * ```ts
 * compareQueryString({ by: "model", a: { value: "m1" }, b: { value: "m2" } });
 * // "by=model&a=m1&b=m2"
 * ```
 */
export function compareQueryString(query: CompareQuery): string {
  const params = new URLSearchParams();
  params.set("by", query.by);
  for (const [name, side] of [["a", query.a], ["b", query.b]] as const) {
    if ("value" in side) params.set(name, side.value);
    else {
      params.set(`${name}_from`, String(side.from));
      params.set(`${name}_to`, String(side.to));
    }
  }
  if (query.columns?.length) params.set("columns", query.columns.join(","));
  if (query.alpha !== undefined) params.set("alpha", String(query.alpha));
  return params.toString();
}

/** The API, one function per route. */
export const api = {
  health: (): Promise<HealthReport> => requestJson("/api/health"),
  metrics: (): Promise<MetricsSnapshot> => requestJson("/api/metrics"),
  responses: (limit = 200): Promise<{ responses: ResponseEvent[] }> =>
    requestJson(`/api/responses?limit=${encodeURIComponent(String(limit))}`),
  runs: (query: RunsQuery): Promise<RunsPage> =>
    requestJson(`/api/mlflow/runs?${runsQueryString(query)}`),
  drift: (): Promise<DriftBody> => requestJson("/api/drift"),
  driftConfig: (body: DriftConfigBody): Promise<DriftBody> => postJson("/api/drift/config", body),
  models: (): Promise<{ models: string[]; default: string }> => requestJson("/api/models"),
  submit: (body: SubmitBody): Promise<{ request_id: string; model?: string }> =>
    postJson("/api/requests", body),
  datasets: (): Promise<{ datasets: Dataset[] }> => requestJson("/api/datasets"),
  streamStart: (
    body: { file: string; delay_s: number; loop: boolean; max_tokens?: number },
  ): Promise<StreamStatus> => postJson("/api/stream/start", body),
  streamStop: (): Promise<StreamStatus> => postJson("/api/stream/stop", {}),
  streamStatus: (): Promise<StreamStatus> => requestJson("/api/stream/status"),
  alerts: (): Promise<AlertsView> => requestJson("/api/alerts"),
  alertRules: (): Promise<{ rules: AlertRule[] }> => requestJson("/api/alerts/rules"),
  createRule: (body: Record<string, unknown>): Promise<AlertRule> =>
    postJson("/api/alerts/rules", body),
  replaceRule: (id: string, body: Record<string, unknown>): Promise<AlertRule> =>
    sendJson("PUT", `/api/alerts/rules/${part(id)}`, body),
  deleteRule: (id: string): Promise<{ deleted: AlertRule }> =>
    sendJson("DELETE", `/api/alerts/rules/${part(id)}`),
  channels: (): Promise<{ channels: ChannelConfig[] }> => requestJson("/api/alerts/channels"),
  saveChannel: (body: Record<string, unknown>): Promise<ChannelConfig> =>
    postJson("/api/alerts/channels", body),
  deleteChannel: (name: string): Promise<{ deleted: ChannelConfig }> =>
    sendJson("DELETE", `/api/alerts/channels/${part(name)}`),
  testChannel: (name: string): Promise<RetryOutcome> =>
    sendJson("POST", `/api/alerts/channels/${part(name)}/test`),
  silence: (
    body: { rule_id: string; duration_s: number; comment?: string },
  ): Promise<AlertSilenceEvent> => postJson("/api/alerts/silences", body),
  unsilence: (id: string): Promise<AlertSilenceEvent> =>
    sendJson("DELETE", `/api/alerts/silences/${part(id)}`),
  feedback: (body: FeedbackBody): Promise<FeedbackAccepted> => postJson("/api/feedback", body),
  userFeedback: (userId: string): Promise<{ user_id: string; feedback: FeedbackRecord[] }> =>
    requestJson(`/api/feedback?user_id=${encodeURIComponent(userId)}&limit=500`),
  compare: (query: CompareQuery): Promise<CompareBody> =>
    requestJson(`/api/compare?${compareQueryString(query)}`),
  compareGroups: (): Promise<CompareGroups> => requestJson("/api/compare/groups"),
};

/** The message of anything thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
