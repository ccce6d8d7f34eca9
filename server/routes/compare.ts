/**
 * GET /api/compare: two selections of the newest responses (by model, by `variant` tag or by
 * time range) compared with lib/compare, with the verdict of each column. GET
 * /api/compare/groups: what can be selected.
 */
import { Hono } from "hono";
import {
  ADJUST_METHODS,
  type AdjustMethod,
  groupCounts,
  verdictText,
} from "../../lib/compare/mod.ts";
import {
  compareSelections,
  ROW_NUMERIC_COLUMNS,
  type Selection,
} from "../../lib/compare/response_rows.ts";
import { toJsonSafe } from "../../lib/drift/report.ts";
import type { AppDeps } from "../deps.ts";
import { ApiError } from "../http_errors.ts";

const bad = (message: string) => new ApiError(400, "bad_request", message);

/**
 * A time query parameter: epoch milliseconds or an ISO 8601 date-time; throws a 400 naming it.
 *
 * @example
 * ```ts
 * timeParam("2026-12-01T10:00:00Z", "a_from"); // 1796119200000
 * ```
 */
export function timeParam(value: string | undefined, name: string): number {
  if (value === undefined || value.trim() === "") throw bad(`${name} is required with by=time`);
  const text = value.trim();
  const ms = /^\d{1,15}$/.test(text)
    ? Number(text)
    : /^\d{4}-\d\d-\d\d/.test(text)
    ? Date.parse(text)
    : NaN;
  if (!Number.isFinite(ms)) {
    throw bad(
      `${name} must be epoch milliseconds or an ISO date-time, found "${text.slice(0, 40)}"`,
    );
  }
  return ms;
}

function selection(
  by: string,
  side: "a" | "b",
  q: (name: string) => string | undefined,
): Selection {
  if (by === "time") {
    const from = timeParam(q(`${side}_from`), `${side}_from`);
    const to = timeParam(q(`${side}_to`), `${side}_to`);
    if (from >= to) throw bad(`${side}_from must be before ${side}_to`);
    return { by: "time", from, to };
  }
  const value = q(side);
  if (!value) throw bad(`${side} is required: the ${by} of side ${side.toUpperCase()}`);
  if (value.length > 200) throw bad(`${side} must be at most 200 characters`);
  return { by: by as "model" | "variant", value };
}

/** Routes of the comparison view. */
export function compareRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get("/compare", (c) => {
    const q = (name: string) => c.req.query(name);
    const by = q("by") ?? "";
    if (!["model", "variant", "time"].includes(by)) {
      throw bad(`by must be model, variant or time, found "${by.slice(0, 40)}"`);
    }
    const a = selection(by, "a", q);
    const b = selection(by, "b", q);
    const columns = q("columns")?.split(",").map((s) => s.trim()).filter(Boolean);
    for (const column of columns ?? []) {
      if (!ROW_NUMERIC_COLUMNS.includes(column)) {
        throw bad(
          `columns: unknown column "${column.slice(0, 40)}"; expected some of ${
            ROW_NUMERIC_COLUMNS.join(", ")
          }`,
        );
      }
    }
    const alphaText = q("alpha");
    const alpha = alphaText === undefined ? undefined : Number(alphaText);
    if (alpha !== undefined && !(alpha > 0 && alpha < 1)) {
      throw bad(`alpha must be a number between 0 and 1, found "${alphaText!.slice(0, 40)}"`);
    }
    const adjust = q("adjust");
    if (adjust !== undefined && !ADJUST_METHODS.includes(adjust as AdjustMethod)) {
      throw bad(`adjust must be ${ADJUST_METHODS.join(" or ")}, found "${adjust.slice(0, 40)}"`);
    }
    const window = deps.comparisonWindow();
    let comparison;
    try {
      comparison = compareSelections(window.rows, a, b, {
        columns: columns?.length ? columns : undefined,
        alpha,
        adjust: adjust as AdjustMethod | undefined,
      });
    } catch (error) {
      if (error instanceof RangeError || error instanceof TypeError) throw bad(error.message);
      throw error;
    }
    return c.json({
      by,
      ...toJsonSafe(comparison),
      verdicts: comparison.result?.columns.map(verdictText) ?? [],
      window: { rows: window.rows.length, capacity: window.capacity },
    });
  });
  app.get("/compare/groups", (c) => {
    const { rows, capacity } = deps.comparisonWindow();
    let first: number | null = null;
    let last: number | null = null;
    for (const r of rows) {
      first = first === null ? r.ts_end : Math.min(first, r.ts_end);
      last = last === null ? r.ts_end : Math.max(last, r.ts_end);
    }
    // every model and variant with its rows, by name
    const list = (key: "model" | "variant") =>
      groupCounts(rows, key, 1).sort(([x], [y]) => x.localeCompare(y))
        .map(([name, count]) => ({ name, count }));
    return c.json({
      models: list("model"),
      variants: list("variant"),
      rows: rows.length,
      capacity,
      first_ts: first,
      last_ts: last,
    });
  });
  return app;
}
