/**
 * `deno task stack up | down | status [--json]`: the local stack from the command line.
 *
 * - `up` provisions and starts what is missing, leaves the services running, and prints status.
 * - `down` stops every service recorded in the state folder.
 * - `status` prints the health of Kafka (each node), MLflow (its backend) and Ollama (`--json`:
 *   one object).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { loadStackConfig } from "./config.ts";
import { stackDown, type StackStatus, stackStatus, stackUp } from "./stack.ts";

const USAGE = "usage: deno task stack up | down | status [--json]";

/**
 * Formats a status as readable lines: one per service, one per Kafka node of a cluster, and the
 * database under MLflow on PostgreSQL.
 *
 * @example
 * ```ts
 * console.log(formatStatus(await stackStatus(loadStackConfig())));
 * ```
 */
export function formatStatus(status: StackStatus): string {
  const mark = (healthy: boolean) => `${healthy ? "●" : "○"}`;
  const line = (name: string, s: { healthy: boolean; url: string; version: string | null }) =>
    `${mark(s.healthy)} ${name.padEnd(7)} ${s.healthy ? "healthy  " : "unhealthy"} ` +
    `${s.url}${s.version ? `  (version ${s.version})` : ""}`;
  const nodes = status.kafka.nodes.length > 1
    ? status.kafka.nodes.map((n) =>
      `    ${mark(n.healthy)} node ${n.id}  port ${n.port}  ` +
      `${n.healthy ? "healthy" : "unhealthy"}${n.pid === null ? "" : `  pid ${n.pid}`}`
    )
    : [];
  const database = "database" in status.mlflow && status.mlflow.database
    ? [
      `    ${mark(status.mlflow.database.healthy)} postgresql ${status.mlflow.database.url}` +
      (status.mlflow.database.version ? `  (version ${status.mlflow.database.version})` : ""),
    ]
    : [];
  return [
    line("kafka", status.kafka),
    ...nodes,
    line("mlflow", status.mlflow) + `  backend: ${status.mlflow.backend}`,
    ...database,
    line("ollama", status.ollama) +
    (status.ollama.healthy ? `  models: ${status.ollama.models.join(", ") || "none"}` : ""),
  ].join("\n");
}

/**
 * True when every service answers, every local Kafka node is healthy, the model is present and,
 * on PostgreSQL, the database answers.
 */
export function allHealthy(status: StackStatus): boolean {
  const database = "database" in status.mlflow ? status.mlflow.database : undefined;
  return status.kafka.healthy && status.kafka.nodes.every((n) => n.healthy) &&
    status.mlflow.healthy && (database?.healthy ?? true) && status.ollama.healthy &&
    status.ollama.model_present;
}

async function main(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: "boolean", default: false }, help: { type: "boolean" } },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const command = positionals[0];
  const config = loadStackConfig();
  switch (command) {
    case "up": {
      await stackUp(config);
      const status = await stackStatus(config);
      console.log(values.json ? JSON.stringify(status) : formatStatus(status));
      return allHealthy(status) ? 0 : 1;
    }
    case "down": {
      const stopped = await stackDown(config);
      console.log(
        values.json
          ? JSON.stringify({ stopped })
          : stopped.length
          ? `stopped: ${stopped.join(", ")}`
          : "nothing was running",
      );
      return 0;
    }
    case "status": {
      const status = await stackStatus(config);
      console.log(values.json ? JSON.stringify(status) : formatStatus(status));
      return allHealthy(status) ? 0 : 1;
    }
    default:
      console.error(command ? `unknown command "${command}"; ${USAGE}` : USAGE);
      return 2;
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    console.error(`stack: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
