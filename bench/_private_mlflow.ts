/**
 * A tracking server of the benchmark's own: a temporary state folder, a free port, the stack's
 * provisioned virtualenv, SQLite or PostgreSQL, started the way the stack starts its own (so the
 * figures measure the stack's settings) and stopped afterwards, without touching a running stack.
 *
 * @module
 */

import { loadStackConfig, type StackConfig } from "../lib/stack/config.ts";
import { freePorts } from "../lib/stack/free_port.ts";
import { stackUp } from "../lib/stack/stack.ts";

/** A private tracking server and how to stop it. */
export interface PrivateMlflow {
  config: StackConfig;
  /** Pid of the server's process group (for CPU readings). */
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts a private MLflow (and, on PostgreSQL, its private database) from the stack's cache.
 *
 * @example
 * ```ts ignore
 * const server = await startPrivateMlflow(config, "postgresql", console.error);
 * try { … server.config.mlflow.uri … } finally { await server.stop(); }
 * ```
 */
export async function startPrivateMlflow(
  base: StackConfig,
  database: "sqlite" | "postgresql",
  log: (line: string) => void,
  workers?: number,
): Promise<PrivateMlflow> {
  const stateDir = await Deno.makeTempDir({ prefix: `llmops-bench-mlflow-${database}-` });
  const [mlflowPort, postgresPort] = freePorts(2);
  const env: Record<string, string> = {
    PATH: Deno.env.get("PATH") ?? "",
    HOME: Deno.env.get("HOME") ?? "",
    LLMOPS_STACK_DIR: base.dir,
    LLMOPS_STATE_DIR: stateDir,
    LLMOPS_MLFLOW_PORT: String(mlflowPort),
    LLMOPS_POSTGRES_PORT: String(postgresPort),
    LLMOPS_MLFLOW_DB: database,
    ...(workers === undefined ? {} : { LLMOPS_MLFLOW_WORKERS: String(workers) }),
  };
  const config = loadStackConfig(env);
  try {
    const stack = await stackUp(config, {
      jupyter: false,
      services: ["mlflow"],
      progress: (line) => log(`  ${line}`),
    });
    const pid = stack.started.find((s) => s.name === "mlflow")?.pid ?? -1;
    return {
      config,
      pid,
      stop: async () => {
        await stack.stop();
        await Deno.remove(stateDir, { recursive: true }).catch(() => {});
      },
    };
  } catch (error) {
    await Deno.remove(stateDir, { recursive: true }).catch(() => {});
    throw error;
  }
}

/** CPU seconds (user + system) used so far by the processes of a process group (Linux). */
export function groupCpuSeconds(pgid: number): number {
  let total = 0;
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid) continue;
      total += (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}
