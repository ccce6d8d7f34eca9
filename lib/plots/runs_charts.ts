/**
 * The charts over MLflow runs (dashboard tab 3 and notebook 03): latency over time, tokens
 * against latency, and a numeric field per group as box plots.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { PALETTE, statusColorScale } from "./palette.ts";
import { CHART_TITLES } from "./titles.ts";

/** The time zone of time axes unless told otherwise: the dashboard's default (IST). */
export const CHART_TIME_ZONE = "Asia/Kolkata";

/** One run (one LLM call) as the run charts read it. */
export interface RunPoint {
  /** Start of the call, ms since the epoch. */
  start_time: number;
  latency_s: number;
  /** Completion tokens. */
  tokens: number;
  /** Response length in characters. */
  response_length: number;
  /** "success" or "error". */
  status: string;
  /** The model, when the runs come from several. */
  model?: string | null;
  /** A name to show in tips (run name or request id). */
  run?: string | null;
}

/** Options of {@linkcode latencyOverTimeSpec}. */
export interface LatencyOverTimeOptions {
  /** IANA time zone of the time axis. Default {@linkcode CHART_TIME_ZONE}. */
  timeZone?: string;
}

function timeTick(timeZone: string): (d: Date) => string {
  const f = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  });
  return (d: Date) => f.format(d);
}

/**
 * Latency (s) of each run over its start time: a line per model through the runs in time order,
 * a dot per run coloured by status, with a tip. Times are shown in `timeZone`. O(n log n).
 *
 * @example
 * ```ts
 * Plot.plot(latencyOverTimeSpec(runs, { timeZone: "UTC" }));
 * ```
 */
export function latencyOverTimeSpec(
  points: readonly Pick<RunPoint, "start_time" | "latency_s" | "status" | "model" | "run">[],
  options: LatencyOverTimeOptions = {},
): Plot.PlotOptions {
  const timeZone = options.timeZone ?? CHART_TIME_ZONE;
  const tick = timeTick(timeZone); // throws a RangeError for an unknown time zone
  const rows = points.map((p) => ({
    time: new Date(p.start_time),
    latency_s: p.latency_s,
    status: p.status,
    model: p.model ?? null,
    run: p.run ?? null,
  })).sort((a, b) => a.time.getTime() - b.time.getTime());
  return {
    title: CHART_TITLES.latencyOverTime,
    height: 260,
    marginLeft: 50,
    x: { type: "time", label: `Start time (${timeZone})`, tickFormat: tick },
    y: { label: "Latency (s)", grid: true, zero: true },
    color: statusColorScale(),
    marks: [
      Plot.lineY(rows, {
        x: "time",
        y: "latency_s",
        z: "model",
        stroke: PALETTE.current,
        strokeOpacity: 0.6,
      }),
      Plot.dot(rows, {
        x: "time",
        y: "latency_s",
        fill: "status",
        r: 3,
        tip: true,
        channels: { model: "model", run: "run" },
      }),
    ],
  };
}

/**
 * Completion tokens against latency, one dot per run: colour = status, size = response length,
 * with a tip naming the run.
 *
 * @example
 * ```ts
 * Plot.plot(tokensVsLatencySpec(runs));
 * ```
 */
export function tokensVsLatencySpec(
  points: readonly Pick<RunPoint, "tokens" | "latency_s" | "status" | "response_length" | "run">[],
): Plot.PlotOptions {
  const rows = points.map((p) => ({
    tokens: p.tokens,
    latency_s: p.latency_s,
    status: p.status,
    response_length: p.response_length,
    run: p.run ?? null,
  }));
  return {
    title: CHART_TITLES.tokensVsLatency,
    height: 280,
    marginLeft: 50,
    inset: 12,
    x: { label: "Completion tokens", grid: true },
    y: { label: "Latency (s)", grid: true, zero: true },
    r: { range: [2, 12], label: "Response length (characters)" },
    color: statusColorScale(),
    marks: [
      Plot.dot(rows, {
        x: "tokens",
        y: "latency_s",
        fill: "status",
        fillOpacity: 0.7,
        r: "response_length",
        tip: true,
        channels: { run: "run" },
      }),
    ],
  };
}

/**
 * A numeric field's distribution per group (for example latency per model), as box plots.
 *
 * @example
 * ```ts
 * Plot.plot(boxByGroupSpec(rows, "model", "latency_s", "Latency (s)"));
 * ```
 */
export function boxByGroupSpec<T extends Record<string, unknown>>(
  rows: readonly T[],
  group: keyof T & string,
  value: keyof T & string,
  label: string,
): Plot.PlotOptions {
  return {
    title: `${label} by ${group}`,
    marginLeft: 110,
    x: { label, grid: true },
    y: { label: null },
    marks: [Plot.boxX(rows, { x: value, y: group, fill: PALETTE.current, fillOpacity: 0.2 })],
  };
}
