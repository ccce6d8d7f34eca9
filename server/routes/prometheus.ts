/**
 * `GET /metrics`: the Prometheus text exposition of the workbench (GenAI metrics of every
 * response, the pipeline's gauges), behind the same host check and token as every route.
 *
 * @module
 */

import { Hono } from "hono";
import { PROMETHEUS_CONTENT_TYPE } from "../../lib/gateway/prometheus.ts";
import type { AppDeps } from "../deps.ts";
import { jsonError } from "../http_errors.ts";

/**
 * The `/metrics` route.
 *
 * @example
 * ```ts ignore
 * app.route("/", prometheusRoutes(pipeline));
 * ```
 */
export function prometheusRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get("/metrics", async (c) => {
    if (!deps.metricsText) return jsonError(c, 404, "not_found", "this server exports no metrics");
    return c.body(await deps.metricsText(), 200, {
      "content-type": PROMETHEUS_CONTENT_TYPE,
      "cache-control": "no-store",
    });
  });
  return app;
}
