/**
 * `GET /metrics`: the Prometheus text exposition of the workbench (GenAI metrics of every
 * response, the pipeline's gauges), behind the same host check and token as every route.
 *
 * @module
 */

import { Hono } from "hono";
import { PROMETHEUS_CONTENT_TYPE } from "../../lib/gateway/prometheus.ts";
import type { AppDeps } from "../deps.ts";

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
    // a pipeline without metrics exports none: an empty exposition is valid text
    return c.body(deps.metricsText ? await deps.metricsText() : "", 200, {
      "content-type": PROMETHEUS_CONTENT_TYPE,
      "cache-control": "no-store",
    });
  });
  return app;
}
