/**
 * A small client for MLflow's tracking REST API (2.0 paths, as MLflow 3.x serves them):
 * experiments (get or create), runs (create, update, get), `log-batch` split to MLflow's limits,
 * and `runs/search` with pagination. Every failure is an {@linkcode MlflowError} carrying the
 * HTTP status (0 when the server could not be reached) and the body.
 *
 * @module
 */

/** A failed MLflow call. */
export class MlflowError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly path: string,
  ) {
    super(
      status === 0
        ? `MLflow unreachable at ${path}: ${body}`
        : `MLflow ${path} answered ${status}: ${body.slice(0, 500)}`,
    );
    this.name = "MlflowError";
  }

  /** MLflow's error code (for example RESOURCE_DOES_NOT_EXIST), when the body has one. */
  get errorCode(): string | null {
    try {
      return (JSON.parse(this.body) as { error_code?: string }).error_code ?? null;
    } catch {
      return null;
    }
  }

  /** True for failures worth retrying: unreachable, 429 or 5xx. */
  get transient(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

/** MLflow's limits for one `runs/log-batch` request. */
export const LOG_BATCH_LIMITS = Object.freeze({
  metrics: 1000,
  params: 100,
  tags: 100,
  total: 1000,
});

/** A metric as MLflow stores it. */
export interface MlflowMetric {
  key: string;
  value: number;
  timestamp: number;
  step?: number;
}

/** A key/value pair (params and tags). */
export interface MlflowKeyValue {
  key: string;
  value: string;
}

/** A run as `runs/get` and `runs/search` return it. */
export interface MlflowRun {
  info: {
    run_id: string;
    run_name?: string;
    experiment_id: string;
    status: "RUNNING" | "SCHEDULED" | "FINISHED" | "FAILED" | "KILLED";
    start_time?: number;
    end_time?: number;
    lifecycle_stage?: string;
  };
  data: { metrics?: MlflowMetric[]; params?: MlflowKeyValue[]; tags?: MlflowKeyValue[] };
}

/** Arguments of {@linkcode MlflowClient.searchRuns}. */
export interface SearchRunsRequest {
  experiment_ids: string[];
  filter?: string;
  max_results?: number;
  order_by?: string[];
  page_token?: string;
}

/**
 * Talks to one MLflow tracking server.
 *
 * @example
 * ```ts
 * const mlflow = new MlflowClient("http://127.0.0.1:5000");
 * const experimentId = await mlflow.getOrCreateExperiment("llm-monitoring");
 * ```
 */
export class MlflowClient {
  readonly uri: string;
  readonly #timeoutMs: number;

  constructor(uri: string, options: { timeoutMs?: number } = {}) {
    if (!/^https?:\/\//.test(uri)) {
      throw new TypeError(
        `MLflow tracking URI must start with http:// or https://, found "${uri}"`,
      );
    }
    this.uri = uri.replace(/\/+$/, "");
    this.#timeoutMs = options.timeoutMs ?? 15_000;
  }

  async #call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const url = `${this.uri}/api/2.0/mlflow/${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: body === undefined ? undefined : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw new MlflowError(0, (error as Error).message, path);
    }
    const text = await response.text();
    if (!response.ok) throw new MlflowError(response.status, text, path);
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** The experiment's id, or null when there is none of that name. */
  async getExperimentId(name: string): Promise<string | null> {
    try {
      const { experiment } = await this.#call<{ experiment: { experiment_id: string } }>(
        "GET",
        `experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`,
      );
      return experiment.experiment_id;
    } catch (error) {
      if (error instanceof MlflowError && error.errorCode === "RESOURCE_DOES_NOT_EXIST") {
        return null;
      }
      throw error;
    }
  }

  /** The experiment's id, creating it when missing (safe when two processes race). */
  async getOrCreateExperiment(name: string): Promise<string> {
    const existing = await this.getExperimentId(name);
    if (existing) return existing;
    try {
      const { experiment_id } = await this.#call<{ experiment_id: string }>(
        "POST",
        "experiments/create",
        { name },
      );
      return experiment_id;
    } catch (error) {
      if (error instanceof MlflowError && error.errorCode === "RESOURCE_ALREADY_EXISTS") {
        const id = await this.getExperimentId(name);
        if (id) return id;
      }
      throw error;
    }
  }

  /** Creates a run and returns it. */
  async createRun(request: {
    experiment_id: string;
    run_name?: string;
    start_time?: number;
    tags?: MlflowKeyValue[];
  }): Promise<MlflowRun> {
    const { run } = await this.#call<{ run: MlflowRun }>("POST", "runs/create", request);
    return run;
  }

  /** Sets a run's status and end time. */
  async updateRun(runId: string, status: MlflowRun["info"]["status"], endTime?: number) {
    await this.#call("POST", "runs/update", { run_id: runId, status, end_time: endTime });
  }

  /** Reads one run. */
  async getRun(runId: string): Promise<MlflowRun> {
    const { run } = await this.#call<{ run: MlflowRun }>(
      "GET",
      `runs/get?run_id=${encodeURIComponent(runId)}`,
    );
    return run;
  }

  /**
   * Logs metrics, params and tags, in as many requests as MLflow's per-request limits need.
   * Returns the number of requests made.
   */
  async logBatch(
    runId: string,
    data: { metrics?: MlflowMetric[]; params?: MlflowKeyValue[]; tags?: MlflowKeyValue[] },
  ): Promise<number> {
    const batches = splitLogBatch(data);
    for (const batch of batches) {
      await this.#call("POST", "runs/log-batch", { run_id: runId, ...batch });
    }
    return batches.length;
  }

  /** One page of `runs/search`. */
  async searchRuns(
    request: SearchRunsRequest,
  ): Promise<{ runs: MlflowRun[]; next_page_token?: string }> {
    type Page = { runs?: MlflowRun[]; next_page_token?: string };
    const search = () => this.#call<Page>("POST", "runs/search", { max_results: 1000, ...request });
    let page: Page;
    try {
      page = await search();
    } catch (error) {
      // A search only reads, so one retry is safe: of a server error (MLflow 3.17 answers 500
      // to one of two concurrent first searches of a fresh server, a race on a lazy import), and
      // of no answer in time (a single-worker server busy with a sink's writes on a loaded
      // machine; seen in CI after 15 s).
      const retriable = error instanceof MlflowError &&
        (error.status >= 500 || error.status === 0);
      if (!retriable) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
      page = await search();
    }
    return { runs: page.runs ?? [], next_page_token: page.next_page_token || undefined };
  }

  /** Every run matching the search, following page tokens (at most `limit`). */
  async searchAllRuns(request: Omit<SearchRunsRequest, "page_token">, limit = Infinity) {
    const runs: MlflowRun[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.searchRuns({ ...request, page_token: pageToken });
      runs.push(...page.runs);
      pageToken = page.next_page_token;
    } while (pageToken && runs.length < limit);
    return runs.slice(0, limit);
  }

  /** Link to the MLflow UI for an experiment, or one of its runs. */
  uiUrl(experimentId: string, runId?: string): string {
    return runId
      ? `${this.uri}/#/experiments/${experimentId}/runs/${runId}`
      : `${this.uri}/#/experiments/${experimentId}`;
  }
}

/**
 * Splits log-batch data into requests within {@linkcode LOG_BATCH_LIMITS}.
 *
 * @example
 * ```ts
 * splitLogBatch({ params: new Array(250).fill({ key: "k", value: "v" }) }).length; // 3
 * ```
 */
export function splitLogBatch(
  data: { metrics?: MlflowMetric[]; params?: MlflowKeyValue[]; tags?: MlflowKeyValue[] },
): { metrics: MlflowMetric[]; params: MlflowKeyValue[]; tags: MlflowKeyValue[] }[] {
  const metrics = [...(data.metrics ?? [])];
  const params = [...(data.params ?? [])];
  const tags = [...(data.tags ?? [])];
  const batches = [];
  while (metrics.length || params.length || tags.length) {
    const p = params.splice(0, LOG_BATCH_LIMITS.params);
    const t = tags.splice(0, LOG_BATCH_LIMITS.tags);
    const room = LOG_BATCH_LIMITS.total - p.length - t.length;
    const m = metrics.splice(0, Math.min(LOG_BATCH_LIMITS.metrics, room));
    batches.push({ metrics: m, params: p, tags: t });
  }
  return batches;
}
