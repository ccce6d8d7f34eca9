/**
 * The local MLflow tracking server: MLflow 3.x from the project's virtualenv, a SQLite backend
 * store (default) or the stack's private PostgreSQL (`LLMOPS_MLFLOW_DB=postgresql`), a local
 * artifact folder, bound to loopback, with `config.mlflow.workers` worker processes.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import type { StackConfig } from "./config.ts";
import { pythonPaths } from "./python_env.ts";
import { postgresPassword, postgresStatus, postgresUri } from "./postgres.ts";
import {
  ensurePortFree,
  isAlive,
  type StartedService,
  startService,
  waitUntil,
} from "./process.ts";

/** Paths of the MLflow server's state. */
export function mlflowPaths(config: StackConfig) {
  const state = `${config.stateDir}/mlflow`;
  return {
    state,
    db: `${state}/mlflow.db`,
    artifacts: `${state}/artifacts`,
    log: `${state}/mlflow.log`,
    pid: `${state}/mlflow.pid`,
  };
}

/**
 * Environment that keeps MLflow from reaching out to the network, and from starting its job
 * runner: MLflow 3.17 starts a job runner and eight huey consumer processes beside the server
 * (about 250 MB and a steady share of a core each, polling their queue) for GenAI evaluation jobs,
 * which nothing here uses.
 */
export const MLFLOW_QUIET_ENV: Readonly<Record<string, string>> = Object.freeze({
  MLFLOW_DISABLE_TELEMETRY: "true",
  DO_NOT_TRACK: "true",
  PYTHONUNBUFFERED: "1",
  MLFLOW_SERVER_ENABLE_JOB_EXECUTION: "false",
});

/**
 * The backend store URI of the local server and the environment it needs (PostgreSQL's password
 * goes through `PGPASSWORD`, not the command line).
 *
 * @example
 * ```ts
 * (await mlflowBackendStore(loadStackConfig())).uri; // "sqlite:///…/state/mlflow/mlflow.db"
 * ```
 */
export async function mlflowBackendStore(
  config: StackConfig,
): Promise<{ uri: string; env: Record<string, string> }> {
  if (config.mlflow.backend === "postgresql") {
    return { uri: postgresUri(config), env: { PGPASSWORD: await postgresPassword(config) } };
  }
  return { uri: `sqlite:///${mlflowPaths(config).db}`, env: {} };
}

/**
 * Starts `mlflow server` and waits until `/health` answers. On PostgreSQL the database must be
 * up first (see `startPostgres`).
 */
export async function startMlflow(
  config: StackConfig,
  progress: (line: string) => void,
): Promise<StartedService> {
  const paths = mlflowPaths(config);
  const { port } = config.mlflow;
  await ensurePortFree(
    "mlflow",
    port,
    "LLMOPS_MLFLOW_PORT",
    `MLFLOW_TRACKING_URI=http://127.0.0.1:${port}`,
    "an MLflow server",
  );
  await Deno.mkdir(paths.artifacts, { recursive: true });
  if (config.mlflow.backend === "sqlite") useWriteAheadLog(paths.db);
  const store = await mlflowBackendStore(config);
  progress(
    `mlflow: starting tracking server on ${config.mlflow.uri} (${config.mlflow.backend}, ` +
      `${config.mlflow.workers} worker${config.mlflow.workers === 1 ? "" : "s"})`,
  );
  const service = await startService({
    name: "mlflow",
    command: pythonPaths(config).mlflow,
    args: [
      "server",
      "--backend-store-uri",
      store.uri,
      "--artifacts-destination",
      paths.artifacts,
      "--host",
      "127.0.0.1",
      "--port",
      String(config.mlflow.port),
      "--workers",
      String(config.mlflow.workers),
    ],
    env: { ...MLFLOW_QUIET_ENV, ...store.env },
    logFile: paths.log,
    pidFile: paths.pid,
  });
  await waitUntil(() => mlflowAnswers(config.mlflow.uri), {
    timeoutMs: 180_000,
    intervalMs: 500,
    what: `mlflow on ${config.mlflow.uri} (log: ${paths.log})`,
    stillAlive: () => isAlive(service.pid),
  });
  await warmUpRunSearch(config.mlflow.uri);
  return service;
}

/**
 * Puts an SQLite database (created empty when missing, before MLflow creates its tables in it)
 * into write-ahead-log mode, which the file keeps. In SQLite's default rollback-journal mode
 * every commit waits for about three disk flushes (11 ms per commit measured here, against 2 ms
 * with the log), and MLflow commits three to five times per run: the journal, not Python, set
 * the tracking server's pace. The log also lets readers (run searches) proceed beside a writer.
 * Call it while no server has the file open.
 *
 * @example
 * ```ts ignore
 * useWriteAheadLog(mlflowPaths(config).db);
 * ```
 */
export function useWriteAheadLog(path: string): void {
  const db = new DatabaseSync(path);
  try {
    const row = db.prepare("PRAGMA journal_mode = WAL").get() as { journal_mode?: string };
    if (row?.journal_mode !== "wal") {
      throw new Error(
        `expected SQLite to switch ${path} to journal mode "wal", found "${row?.journal_mode}"`,
      );
    }
  } finally {
    db.close();
  }
}

/**
 * Makes one `runs/search` call before anyone else does. MLflow 3.17's search handler imports
 * `mlflow.server.auth` on its first call; two first calls at once race on that import and one
 * answers 500 ("module 'mlflow.server.auth' has no attribute 'auth_config'").
 */
async function warmUpRunSearch(uri: string): Promise<void> {
  const response = await fetch(`${uri}/api/2.0/mlflow/runs/search`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ experiment_ids: ["0"], max_results: 1 }),
    signal: AbortSignal.timeout(30_000),
  });
  await response.body?.cancel();
}

/** True when the tracking server's `/health` answers OK. */
export async function mlflowAnswers(uri: string): Promise<boolean> {
  try {
    const response = await fetch(`${uri}/health`, { signal: AbortSignal.timeout(3_000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * Health and version of a tracking server, its backend (`sqlite`, `postgresql` or `external`)
 * and, on PostgreSQL, the database's health.
 */
export async function mlflowStatus(config: StackConfig) {
  const healthy = await mlflowAnswers(config.mlflow.uri);
  let version: string | null = null;
  if (healthy) {
    try {
      const response = await fetch(`${config.mlflow.uri}/version`, {
        signal: AbortSignal.timeout(3_000),
      });
      version = response.ok ? (await response.text()).trim() : null;
    } catch {
      version = null;
    }
  }
  return {
    healthy,
    url: config.mlflow.uri,
    version,
    experiment: config.mlflow.experiment,
    backend: config.mlflow.backend,
    ...(config.mlflow.backend === "postgresql" ? { database: await postgresStatus(config) } : {}),
  };
}
