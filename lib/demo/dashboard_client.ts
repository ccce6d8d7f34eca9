/**
 * The dashboard's HTTP API as the demo uses it: health, live metrics, the drift monitor and its
 * settings, the Auto Streaming job, the newest MLflow run, and (when the dashboard has them) the
 * alert rules. Every error answer becomes a {@linkcode DashboardError} with the server's message.
 *
 * @module
 */

import type { HealthReport } from "../consumers/health_report.ts";
import type { JsonSafe } from "../drift/report.ts";
import type { DriftStatus } from "../drift/tracker.ts";
import type { MetricsSnapshot } from "../metrics/mod.ts";
import type { StreamStatus } from "../stream/engine.ts";

/** An error answer of the dashboard (or no answer: status 0). */
export class DashboardError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = "DashboardError";
  }
}

/** The drift status as the API serves it (JSON: non-finite numbers are null). */
export type DriftBody = JsonSafe<DriftStatus>;

/** Body of POST /api/stream/start. */
export interface StreamStartBody {
  file: string;
  delay_s: number;
  loop: boolean;
  max_tokens?: number;
  concurrency?: number;
  timeout_s?: number;
}

/** Body of POST /api/drift/config. */
export interface DriftConfigBody {
  reference_size?: number;
  current_size?: number;
  baseline?: "bundled" | "current" | null;
}

/** One alert of GET /api/alerts (the fields the demo reads). */
export interface AlertBody {
  rule_id: string;
  state: string;
  rule_name?: string;
}

/**
 * A client of one dashboard.
 *
 * @example
 * ```ts ignore
 * const dashboard = new DashboardClient("http://127.0.0.1:8000");
 * (await dashboard.health()).workers_reason; // null when a worker consumes the requests
 * ```
 */
export class DashboardClient {
  readonly origin: string;
  readonly #headers: Record<string, string>;

  /** `origin`: e.g. `http://127.0.0.1:8000`; `token`: LLMOPS_TOKEN when the dashboard needs it. */
  constructor(origin: string, options: { token?: string } = {}) {
    if (!/^https?:\/\/[^/]+$/.test(origin)) {
      throw new TypeError(`Expected an origin like http://127.0.0.1:8000, found "${origin}"`);
    }
    this.origin = origin;
    this.#headers = { accept: "application/json" };
    if (options.token) this.#headers.authorization = `Bearer ${options.token}`;
  }

  async #request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.origin}${path}`, {
        method,
        headers: body === undefined
          ? this.#headers
          : { ...this.#headers, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new DashboardError(
        0,
        `the dashboard at ${this.origin} does not answer: ${(error as Error).message}`,
      );
    }
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: the status says enough
    }
    if (!res.ok) {
      const message = (json as { error?: { message?: unknown } } | null)?.error?.message;
      throw new DashboardError(
        res.status,
        `${method} ${path}: ${typeof message === "string" ? message : `answered ${res.status}`}`,
      );
    }
    return json as T;
  }

  /** True when a dashboard answers `/api/health` here. */
  async answers(): Promise<boolean> {
    try {
      await this.#request("GET", "/api/health");
      return true;
    } catch {
      return false;
    }
  }

  health(): Promise<HealthReport> {
    return this.#request("GET", "/api/health");
  }

  metrics(): Promise<MetricsSnapshot> {
    return this.#request("GET", "/api/metrics");
  }

  drift(): Promise<DriftBody> {
    return this.#request("GET", "/api/drift");
  }

  driftConfig(body: DriftConfigBody): Promise<DriftBody> {
    return this.#request("POST", "/api/drift/config", body);
  }

  streamStart(body: StreamStartBody): Promise<StreamStatus> {
    return this.#request("POST", "/api/stream/start", body);
  }

  streamStop(): Promise<StreamStatus> {
    return this.#request("POST", "/api/stream/stop", {});
  }

  streamStatus(): Promise<StreamStatus> {
    return this.#request("GET", "/api/stream/status");
  }

  /** The experiment's and the newest run's MLflow UI links. */
  async newestRun(): Promise<{ experiment_url: string; run_url: string | null }> {
    const page = await this.#request<{ experiment_url: string; runs: { url: string }[] }>(
      "GET",
      "/api/mlflow/runs?max_results=1",
    );
    return { experiment_url: page.experiment_url, run_url: page.runs[0]?.url ?? null };
  }

  /** True when the dashboard has the alerting API (`GET /api/alerts/rules` answers). */
  async hasAlerts(): Promise<boolean> {
    try {
      await this.#request("GET", "/api/alerts/rules");
      return true;
    } catch (error) {
      if (error instanceof DashboardError && (error.status === 404 || error.status === 405)) {
        return false;
      }
      throw error;
    }
  }

  /** Adds an alert rule (the alerting API validates it); resolves with its id. */
  async createAlertRule(rule: Record<string, unknown>): Promise<string> {
    const created = await this.#request<{ id: string }>("POST", "/api/alerts/rules", rule);
    return created.id;
  }

  /** Deletes an alert rule. */
  async deleteAlertRule(id: string): Promise<void> {
    await this.#request("DELETE", `/api/alerts/rules/${encodeURIComponent(id)}`);
  }

  /** The active (pending and firing) alerts. */
  async activeAlerts(): Promise<AlertBody[]> {
    const view = await this.#request<{ active?: AlertBody[] }>("GET", "/api/alerts");
    return view.active ?? [];
  }
}
