/** GET /api/mlflow/runs: the experiment's runs, paginated and sortable, flattened for tables. */
import { Hono } from "hono";
import type { AppDeps } from "../deps.ts";
import { ApiError } from "../http_errors.ts";
import { intParam } from "./observe.ts";
import { MlflowError, type MlflowRun, tagOf } from "../../lib/mlflow/mod.ts";

/** Sortable columns and the MLflow expression each maps to. */
export const RUN_ORDER_COLUMNS: Readonly<Record<string, string>> = Object.freeze({
  start_time: "attributes.start_time",
  latency_s: "metrics.latency_s",
  tokens: "metrics.tokens",
  response_length: "metrics.response_length",
  tokens_per_s: "metrics.tokens_per_s",
});

/** A run as the MLflow tab's table shows it. */
export function flattenRun(run: MlflowRun, url: string) {
  const metric = (key: string) => run.data.metrics?.find((m) => m.key === key)?.value ?? null;
  return {
    run_id: run.info.run_id,
    run_name: run.info.run_name ?? null,
    request_id: tagOf(run, "request_id") ?? null,
    status: run.info.status,
    start_time: run.info.start_time ?? null,
    end_time: run.info.end_time ?? null,
    model: tagOf(run, "model") ?? null,
    user_id: tagOf(run, "user_id") ?? null,
    latency_s: metric("latency_s"),
    ttft_s: metric("ttft_s"),
    tokens: metric("tokens"),
    prompt_tokens: metric("prompt_tokens"),
    response_length: metric("response_length"),
    tokens_per_s: metric("tokens_per_s"),
    success: metric("success"),
    url,
  };
}

/** Parses `order_by=column [ASC|DESC]` into MLflow's form, or throws a 400 listing the columns. */
export function parseOrderBy(value: string | undefined): string {
  if (!value) return "attributes.start_time DESC";
  const match = /^([a-z_]+)(?:\s+(ASC|DESC))?$/i.exec(value.trim());
  const column = match?.[1];
  if (!column || !Object.hasOwn(RUN_ORDER_COLUMNS, column)) {
    throw new ApiError(
      400,
      "bad_request",
      `order_by must be one of ${
        Object.keys(RUN_ORDER_COLUMNS).join(", ")
      } with ASC or DESC, found "${value.slice(0, 100)}"`,
    );
  }
  return `${RUN_ORDER_COLUMNS[column]} ${(match![2] ?? "DESC").toUpperCase()}`;
}

/**
 * The API's answer to a failed MLflow call: MLflow refusing the query (4xx, for example a bad
 * page token) is the caller's 400, in our words; only MLflow not answering (unreachable, 5xx) is
 * a 503. MLflow's own text is never relayed (it names internals).
 */
export function mlflowApiError(error: unknown, hadPageToken: boolean): ApiError {
  if (error instanceof MlflowError && error.status >= 400 && error.status < 500) {
    return new ApiError(
      400,
      "bad_request",
      hadPageToken
        ? "page_token is not a page of these runs: start again from the first page"
        : `MLflow refused the query (HTTP ${error.status})`,
    );
  }
  const status = error instanceof MlflowError && error.status > 0 ? ` (HTTP ${error.status})` : "";
  return new ApiError(503, "unavailable", `MLflow is not answering${status}; retry shortly`);
}

/** Routes over MLflow. */
export function mlflowRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get("/mlflow/runs", async (c) => {
    const maxResults = intParam(c.req.query("max_results"), "max_results", 1, 500, 25);
    const orderBy = parseOrderBy(c.req.query("order_by"));
    const pageToken = c.req.query("page_token") || undefined;
    if (pageToken !== undefined && (pageToken.length > 4096 || !/^[\x21-\x7e]+$/.test(pageToken))) {
      throw new ApiError(400, "bad_request", "page_token must be the token of an earlier page");
    }
    let page, summary;
    try {
      [page, summary] = await Promise.all([
        deps.searchRuns({ maxResults, pageToken, orderBy }),
        deps.runsSummary(),
      ]);
    } catch (error) {
      throw mlflowApiError(error, pageToken !== undefined);
    }
    return c.json({
      experiment_id: page.experiment_id,
      experiment_url: deps.mlflowUiUrl(page.experiment_id),
      summary,
      runs: page.runs.map((run) =>
        flattenRun(run, deps.mlflowUiUrl(page.experiment_id, run.info.run_id))
      ),
      next_page_token: page.next_page_token ?? null,
    });
  });
  return app;
}
