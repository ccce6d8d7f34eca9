/**
 * The rows an A/B comparison of LLM traffic compares: one row per response, with the figures of
 * the call (latency, time to first token, tokens, tokens/s, length, success, cost) and the
 * request's feedback, plus the keys that pick the two sides (model, `variant` tag, time). The
 * dashboard's comparison view, `deno task export --compare` and the comparison notebook make
 * their rows with these functions, so they compare the same numbers. Pure and browser-safe.
 *
 * @module
 */

import { compareColumns, type CompareOptions, type ComparisonResult } from "./compare.ts";

/** The fields of a response event a comparison row reads. */
export interface ComparableResponse {
  request_id: string;
  ts_end: number;
  model: string;
  status: "success" | "error" | string;
  latency_ms: number;
  ttft_ms: number | null;
  prompt_tokens: number;
  completion_tokens: number;
  tokens_per_s: number;
  response_chars: number;
  cost_usd?: number;
  tags?: Readonly<Record<string, string>>;
}

/** One response as a comparison row. Figures of failed calls are null (not compared), except
 * `success` (0) and `cost_usd` (what the call cost). */
export interface ComparisonRow {
  [column: string]: string | number | null;
  request_id: string;
  /** End of the call, epoch ms: what time ranges select on. */
  ts_end: number;
  model: string;
  /** The request's `variant` tag, or null. */
  variant: string | null;
  latency_s: number | null;
  ttft_s: number | null;
  completion_tokens: number | null;
  prompt_tokens: number | null;
  tokens_per_s: number | null;
  response_chars: number | null;
  /** 1 for a successful call, 0 for a failed one. */
  success: number;
  cost_usd: number | null;
  /** Mean of the users' last scores on the request, or null without feedback. */
  feedback_score: number | null;
  /** 1 when most users' last feedback is favourable, 0 when most is not, null on a tie or
   * without feedback. */
  thumbs_up: number | null;
}

/** The columns compared by default, in display order (those without values on both sides are
 * left out by {@linkcode comparableColumns}). */
export const COMPARE_COLUMNS: readonly string[] = Object.freeze([
  "latency_s",
  "ttft_s",
  "completion_tokens",
  "tokens_per_s",
  "response_chars",
  "success",
  "cost_usd",
  "feedback_score",
  "thumbs_up",
]);

/** Every numeric column of a row (what `columns` may name). */
export const ROW_NUMERIC_COLUMNS: readonly string[] = Object.freeze([
  ...COMPARE_COLUMNS,
  "prompt_tokens",
]);

/** The feedback of one request, from its users' last feedbacks. */
export interface RequestFeedback {
  /** Mean of the users' last scores. */
  score: number;
  /** 1 / 0 by majority of favourable feedback (thumb up or rating ≥ 0.5), null on a tie. */
  thumbs_up: number | null;
  /** Users who gave feedback. */
  users: number;
}

/** A feedback as {@linkcode feedbackByRequest} reads it. */
export interface FeedbackLike {
  request_id: string;
  user_id: string;
  score: number;
  ts: number;
}

const favourable = (score: number) => score === 1 || (score !== -1 && score >= 0.5);

/**
 * Each request's feedback: the last feedback per (request, user) by `ts` counts (later in the
 * input wins a tie), then the request's score is the mean over its users and `thumbs_up` the
 * majority. O(n).
 *
 * @example
 * ```ts
 * feedbackByRequest([
 *   { request_id: "r", user_id: "a", score: -1, ts: 1 },
 *   { request_id: "r", user_id: "a", score: 1, ts: 2 },
 * ]).get("r"); // { score: 1, thumbs_up: 1, users: 1 }
 * ```
 */
export function feedbackByRequest(feedback: Iterable<FeedbackLike>): Map<string, RequestFeedback> {
  const last = new Map<string, FeedbackLike>();
  for (const f of feedback) {
    const key = `${f.request_id}\u0000${f.user_id}`;
    const known = last.get(key);
    if (!known || f.ts >= known.ts) last.set(key, f);
  }
  const sums = new Map<string, { sum: number; up: number; n: number }>();
  for (const f of last.values()) {
    const s = sums.get(f.request_id) ?? { sum: 0, up: 0, n: 0 };
    s.sum += f.score;
    s.n++;
    if (favourable(f.score)) s.up++;
    sums.set(f.request_id, s);
  }
  const out = new Map<string, RequestFeedback>();
  for (const [id, s] of sums) {
    const share = s.up / s.n;
    out.set(id, {
      score: s.sum / s.n,
      thumbs_up: share > 0.5 ? 1 : share < 0.5 ? 0 : null,
      users: s.n,
    });
  }
  return out;
}

/**
 * The comparison row of one response, with its request's feedback when given. O(1).
 *
 * @example
 * ```ts
 * comparisonRow(responseEvent).latency_s; // responseEvent.latency_ms / 1000
 * ```
 */
export function comparisonRow(
  event: ComparableResponse,
  feedback?: RequestFeedback,
): ComparisonRow {
  const ok = event.status === "success";
  return {
    request_id: event.request_id,
    ts_end: event.ts_end,
    model: event.model,
    variant: event.tags?.variant ?? null,
    latency_s: ok ? event.latency_ms / 1000 : null,
    ttft_s: ok && event.ttft_ms !== null ? event.ttft_ms / 1000 : null,
    completion_tokens: ok ? event.completion_tokens : null,
    prompt_tokens: ok ? event.prompt_tokens : null,
    tokens_per_s: ok ? event.tokens_per_s : null,
    response_chars: ok ? event.response_chars : null,
    success: ok ? 1 : 0,
    cost_usd: typeof event.cost_usd === "number" ? event.cost_usd : null,
    feedback_score: feedback?.score ?? null,
    thumbs_up: feedback?.thumbs_up ?? null,
  };
}

/**
 * Orders rows canonically: by `ts_end`, then request id. Comparisons sort their sides this way,
 * so the seeded bootstrap draws the same resamples wherever the rows come from (the dashboard's
 * window, an export, a notebook). O(n log n); returns a new array.
 *
 * @example
 * ```ts
 * sortRows(rows)[0].ts_end; // the earliest
 * ```
 */
export function sortRows<R extends { ts_end: number; request_id: string }>(
  rows: readonly R[],
): R[] {
  return [...rows].sort((x, y) =>
    x.ts_end - y.ts_end || (x.request_id < y.request_id ? -1 : x.request_id > y.request_id ? 1 : 0)
  );
}

/**
 * Rows of responses, joined with their feedback; one row per request id (the first response of
 * a request counts, as in the dashboard's aggregates: at-least-once delivery may repeat one).
 * O(n).
 *
 * @example
 * ```ts
 * comparisonRows(responses, feedbackByRequest(feedbackEvents)).length;
 * ```
 */
export function comparisonRows(
  events: Iterable<ComparableResponse>,
  feedback: ReadonlyMap<string, RequestFeedback> = new Map(),
): ComparisonRow[] {
  const byId = new Map<string, ComparisonRow>();
  for (const e of events) {
    if (!byId.has(e.request_id)) {
      byId.set(e.request_id, comparisonRow(e, feedback.get(e.request_id)));
    }
  }
  return [...byId.values()];
}

/** Which rows make one side of a comparison. */
export type Selection =
  | { by: "model"; value: string }
  | { by: "variant"; value: string }
  | { by: "time"; from: number; to: number };

/** A short label of a selection, e.g. `model smollm2:135m` or `time 10:00–11:00`. */
export function selectionLabel(s: Selection): string {
  if (s.by === "time") {
    return `${new Date(s.from).toISOString()} – ${new Date(s.to).toISOString()}`;
  }
  return `${s.by} ${s.value}`;
}

/**
 * The rows of one side: by model, by `variant` tag, or with `ts_end` in [from, to). O(n).
 *
 * @example
 * ```ts
 * selectRows(rows, { by: "variant", value: "B" }).length;
 * ```
 */
export function selectRows(rows: readonly ComparisonRow[], s: Selection): ComparisonRow[] {
  switch (s.by) {
    case "model":
      return rows.filter((r) => r.model === s.value);
    case "variant":
      return rows.filter((r) => r.variant === s.value);
    case "time":
      if (!(Number.isFinite(s.from) && Number.isFinite(s.to) && s.from < s.to)) {
        throw new RangeError(
          `Expected a time range with from < to (epoch ms), found ${s.from} – ${s.to}`,
        );
      }
      return rows.filter((r) => r.ts_end >= s.from && r.ts_end < s.to);
    default:
      throw new RangeError(
        `Expected a selection by model, variant or time, found ${JSON.stringify(s)}`,
      );
  }
}

const count = (rows: readonly ComparisonRow[], column: string) => {
  let n = 0;
  for (const r of rows) {
    const v = r[column];
    if (typeof v === "number" && Number.isFinite(v)) n++;
  }
  return n;
};

/**
 * The candidate columns that have at least two values on each side (the least a test needs),
 * in the candidates' order. O(columns · n).
 *
 * @example
 * ```ts
 * comparableColumns(a, b); // ["latency_s", "ttft_s", …, "success"]
 * ```
 */
export function comparableColumns(
  a: readonly ComparisonRow[],
  b: readonly ComparisonRow[],
  candidates: readonly string[] = COMPARE_COLUMNS,
): string[] {
  return candidates.filter((c) => count(a, c) >= 2 && count(b, c) >= 2);
}

/** The rows of a comparison as `compareColumns` reads them: only the compared columns. */
export function numericTable(
  rows: readonly ComparisonRow[],
  columns: readonly string[],
): Record<string, number | null>[] {
  return rows.map((r) =>
    Object.fromEntries(columns.map((c) => [c, typeof r[c] === "number" ? r[c] as number : null]))
  );
}

/** A comparison of two selections of rows. */
export interface SelectionComparison {
  a: { label: string; rows: number };
  b: { label: string; rows: number };
  /** The columns compared. */
  columns: string[];
  /** The tests (null when nothing can be compared: see `reason`). */
  result: ComparisonResult | null;
  /** Why nothing was compared, when `result` is null. */
  reason: string | null;
}

/**
 * Selects both sides, orders each with {@linkcode sortRows} and compares them with
 * {@linkcode compareColumns} over `columns` (default: the {@linkcode COMPARE_COLUMNS} with at
 * least two values on each side). A side without rows,
 * or no column with values on both sides, gives `result: null` and the reason instead of an
 * error (the dashboard shows it). Unknown or unusable requested columns throw a RangeError.
 * O(columns · (R·n + n log n)).
 *
 * @example
 * ```ts
 * const c = compareSelections(rows, { by: "model", value: "m1" }, { by: "model", value: "m2" });
 * c.result?.columns.map(verdictText);
 * ```
 */
export function compareSelections(
  rows: readonly ComparisonRow[],
  a: Selection,
  b: Selection,
  options: CompareOptions = {},
): SelectionComparison {
  for (const c of options.columns ?? []) {
    if (!ROW_NUMERIC_COLUMNS.includes(c)) {
      throw new RangeError(
        `unknown column "${c}": expected one of ${ROW_NUMERIC_COLUMNS.join(", ")}`,
      );
    }
  }
  const rowsA = sortRows(selectRows(rows, a));
  const rowsB = sortRows(selectRows(rows, b));
  const sides = {
    a: { label: selectionLabel(a), rows: rowsA.length },
    b: { label: selectionLabel(b), rows: rowsB.length },
  };
  const columns = options.columns ? [...options.columns] : comparableColumns(rowsA, rowsB);
  const empty = rowsA.length === 0 ? "A" : rowsB.length === 0 ? "B" : null;
  if (empty) {
    return {
      ...sides,
      columns,
      result: null,
      reason: `no responses in ${empty} (${empty === "A" ? sides.a.label : sides.b.label})`,
    };
  }
  if (columns.length === 0) {
    return {
      ...sides,
      columns,
      result: null,
      reason: `too few responses to compare: each side needs at least 2 (A has ${rowsA.length}, ` +
        `B has ${rowsB.length})`,
    };
  }
  const result = compareColumns(numericTable(rowsA, columns), numericTable(rowsB, columns), {
    ...options,
    columns,
  });
  return { ...sides, columns, result, reason: null };
}
