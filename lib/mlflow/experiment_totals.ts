/**
 * The totals of an experiment's runs (how many, their average latency and tokens, how many
 * finished) without reading every run each time somebody asks.
 *
 * Reading every run is a search of a thousand runs per page with all their metrics, params and
 * tags: seconds for a few thousand runs on a busy single-worker MLflow, and it grows without end.
 * So the runs are counted once (in the background, page by page, oldest first), and then the runs
 * the sink logs are added as it reports them ({@linkcode ExperimentTotals.add}). A recount every
 * `recountMs` (default 5 min) brings in runs that other writers logged and settles the rare run
 * that two ways counted twice (a crashed sink's unfinished run completed later). Asking never
 * waits longer than the caller says: before the first count is done the totals are `null`.
 *
 * A run the sink logs while a count is under way may be seen by the count too (it exists in
 * MLflow before the sink reports it, and the report may come after the count has ended). The
 * count remembers what it saw of the runs that started within `recentMs` before it began and of
 * those already reported, and such a run is taken once, as the sink reports it. A run that a
 * sink far behind creates for an old response during a count, and reports after the count saw
 * it, is the one case counted twice until the next recount.
 *
 * @module
 */

import type { ResponseEvent } from "../events/mod.ts";
import type { MlflowClient, MlflowRun } from "./client.ts";
import { responseToRun, tagOf } from "./mapping.ts";

/** Totals over every run of an experiment, as `GET /api/mlflow/runs` gives them. */
export interface RunsSummary {
  total_runs: number;
  avg_latency_s: number | null;
  avg_tokens: number | null;
  successful_runs: number;
  /** When the runs were last counted in MLflow (ISO 8601); the sink's runs are added since. */
  counted_at: string;
}

/** What the totals need from MLflow (an `MlflowClient`, or a test double). */
export type RunsSearchApi = Pick<MlflowClient, "searchRuns">;

/** Options of {@linkcode ExperimentTotals}. */
export interface ExperimentTotalsOptions {
  mlflow: RunsSearchApi;
  /** The experiment's id (resolved when first needed). */
  experimentId: () => Promise<string>;
  /** How old a count may get before the next ask starts a recount in the background. 5 min. */
  recountMs?: number;
  /** Runs per search page. Default 1,000 (MLflow's largest page). */
  pageSize?: number;
  /**
   * Runs that started this long before a count began are remembered by it, in case the sink
   * reports them while it runs. Default 15 min.
   */
  recentMs?: number;
  /** Called when a count has finished (the totals may have changed). */
  onCounted?: () => void;
  /** Called when a count fails (the next ask tries again). */
  onError?: (error: Error) => void;
  now?: () => number;
}

/** What one run adds to the totals. */
export interface RunContribution {
  latencyS: number;
  tokens: number;
  finished: boolean;
}

/**
 * The contribution of a run as MLflow holds it (missing metrics count as 0).
 *
 * @example
 * ```ts
 * runContribution(run); // { latencyS: 1.2, tokens: 40, finished: true }
 * ```
 */
export function runContribution(run: MlflowRun): RunContribution {
  const metric = (key: string) => run.data.metrics?.find((m) => m.key === key)?.value ?? 0;
  return {
    latencyS: metric("latency_s"),
    tokens: metric("tokens"),
    finished: run.info.status === "FINISHED",
  };
}

/**
 * The contribution of the run a response becomes (see `responseToRun`).
 *
 * @example
 * ```ts
 * responseContribution(event).latencyS; // event.latency_ms / 1000
 * ```
 */
export function responseContribution(event: ResponseEvent): RunContribution {
  const record = responseToRun(event);
  const metric = (key: string) => record.metrics.find((m) => m.key === key)?.value ?? 0;
  return {
    latencyS: metric("latency_s"),
    tokens: metric("tokens"),
    finished: record.status === "FINISHED",
  };
}

/** Sums of run contributions. */
class Sums {
  runs = 0;
  latencyS = 0;
  tokens = 0;
  finished = 0;

  add(c: RunContribution, sign: 1 | -1 = 1): void {
    this.runs += sign;
    this.latencyS += sign * c.latencyS;
    this.tokens += sign * c.tokens;
    if (c.finished) this.finished += sign;
  }
}

/** A count under way: what it has summed, and what it must settle at its end. */
interface Count {
  sums: Sums;
  /** Runs the sink reported while the count ran, by request id. */
  reported: Map<string, RunContribution>;
  /** What the count saw of recent runs and of reported ones, by request id. */
  seen: Map<string, RunContribution>;
}

/**
 * An experiment's run totals, counted in MLflow now and then and kept up to date in between.
 *
 * @example
 * ```ts
 * const totals = new ExperimentTotals({ mlflow, experimentId: () => Promise.resolve("3") });
 * const sink = new MlflowSink({ ...options, onLogged: (events) => totals.add(events) });
 * await totals.summary(2_000); // { total_runs: 1234, …, counted_at: "2026-…" } or null
 * ```
 */
export class ExperimentTotals {
  readonly #o: Required<Omit<ExperimentTotalsOptions, "onCounted" | "onError">>;
  readonly #onCounted?: () => void;
  readonly #onError?: (error: Error) => void;
  #sums: Sums | null = null;
  #countedAt = 0;
  #count: Count | null = null;
  #counting: Promise<void> | null = null;
  /** What the last count saw of recent runs the sink had not reported yet, by request id. */
  #unreported = new Map<string, RunContribution>();

  constructor(options: ExperimentTotalsOptions) {
    this.#o = {
      mlflow: options.mlflow,
      experimentId: options.experimentId,
      recountMs: options.recountMs ?? 300_000,
      pageSize: options.pageSize ?? 1_000,
      recentMs: options.recentMs ?? 900_000,
      now: options.now ?? Date.now,
    };
    this.#onCounted = options.onCounted;
    this.#onError = options.onError;
  }

  /**
   * The totals, or null while the first count is not done after `waitMs`. Starts a count when
   * none was done or the last is older than `recountMs` (a recount does not hold up the answer).
   */
  async summary(waitMs = 0): Promise<RunsSummary | null> {
    const stale = this.#o.now() - this.#countedAt >= this.#o.recountMs;
    if (this.#sums === null || stale) this.recount().catch(() => {});
    if (this.#sums === null && waitMs > 0 && this.#counting) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        this.#counting.catch(() => {}),
        new Promise((resolve) => timer = setTimeout(resolve, waitMs)),
      ]);
      clearTimeout(timer);
    }
    return this.#summaryNow();
  }

  /** Adds the runs the sink has just logged, one per response. */
  add(events: readonly ResponseEvent[]): void {
    for (const event of events) {
      const c = responseContribution(event);
      if (this.#count) this.#count.reported.set(event.request_id, c);
      else this.#addReported(event.request_id, c);
    }
  }

  /** Counts the experiment's runs in MLflow (one count at a time; a caller joins the one running). */
  recount(): Promise<void> {
    this.#counting ??= this.#countAll().finally(() => {
      this.#counting = null;
    });
    return this.#counting;
  }

  /** Adds a run the sink reported, in place of what the last count saw of it, if anything. */
  #addReported(requestId: string, c: RunContribution): void {
    const counted = this.#unreported.get(requestId);
    if (counted) {
      this.#sums?.add(counted, -1);
      this.#unreported.delete(requestId);
    }
    this.#sums?.add(c);
  }

  #summaryNow(): RunsSummary | null {
    const s = this.#sums;
    if (s === null) return null;
    return {
      total_runs: s.runs,
      avg_latency_s: s.runs ? s.latencyS / s.runs : null,
      avg_tokens: s.runs ? s.tokens / s.runs : null,
      successful_runs: s.finished,
      counted_at: new Date(this.#countedAt).toISOString(),
    };
  }

  async #countAll(): Promise<void> {
    const startedAt = this.#o.now();
    const count: Count = { sums: new Sums(), reported: new Map(), seen: new Map() };
    this.#count = count;
    try {
      const experimentId = await this.#o.experimentId();
      const recentFrom = startedAt - this.#o.recentMs;
      // Oldest first, so runs logged during the count land after the pages already read; a run
      // inserted before the read position shifts the next page by one, which the previous
      // page's ids catch.
      let previous = new Set<string>();
      let pageToken: string | undefined;
      do {
        const page = await this.#o.mlflow.searchRuns({
          experiment_ids: [experimentId],
          order_by: ["attributes.start_time ASC"],
          max_results: this.#o.pageSize,
          page_token: pageToken,
        });
        const ids = new Set<string>();
        for (const run of page.runs) {
          ids.add(run.info.run_id);
          if (previous.has(run.info.run_id)) continue;
          const c = runContribution(run);
          count.sums.add(c);
          const requestId = tagOf(run, "request_id");
          if (
            requestId &&
            (Number(run.info.start_time ?? 0) >= recentFrom || count.reported.has(requestId))
          ) count.seen.set(requestId, c);
        }
        previous = ids;
        pageToken = page.next_page_token;
      } while (pageToken);
      for (const [requestId, c] of count.reported) {
        const seen = count.seen.get(requestId);
        if (seen) count.sums.add(seen, -1);
        count.sums.add(c);
        count.seen.delete(requestId);
      }
      this.#sums = count.sums;
      this.#unreported = count.seen;
      this.#countedAt = startedAt;
    } catch (error) {
      // what the sink reported meanwhile is in MLflow: the totals kept so far still lack it
      this.#count = null;
      for (const [requestId, c] of count.reported) this.#addReported(requestId, c);
      this.#onError?.(error as Error);
      throw error;
    } finally {
      this.#count = null;
    }
    this.#onCounted?.();
  }
}
