/**
 * `deno task stack up | down | status [--json]`: the local stack from the command line.
 *
 * - `up` provisions and starts what is missing, leaves the services running, and prints status.
 * - `down` stops every service recorded in the state folder.
 * - `status` prints the health of Kafka, MLflow and Ollama (`--json`: one object).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { loadStackConfig } from "./config.ts";
import { stackDown, type StackStatus, stackStatus, stackUp } from "./stack.ts";

const USAGE = "usage: deno task stack up | down | status [--json]";

/** Formats a status as readable lines. */
export function formatStatus(status: StackStatus): string {
  const line = (name: string, s: { healthy: boolean; url: string; version: string | null }) =>
    `${s.healthy ? "●" : "○"} ${name.padEnd(7)} ${s.healthy ? "healthy  " : "unhealthy"} ` +
    `${s.url}${s.version ? `  (version ${s.version})` : ""}`;
  return [
    line("kafka", status.kafka),
    line("mlflow", status.mlflow),
    line("ollama", status.ollama) +
    (status.ollama.healthy ? `  models: ${status.ollama.models.join(", ") || "none"}` : ""),
  ].join("\n");
}

function allHealthy(status: StackStatus): boolean {
  return status.kafka.healthy && status.mlflow.healthy && status.ollama.healthy &&
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
