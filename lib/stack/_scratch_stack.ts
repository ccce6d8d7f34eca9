/**
 * A scratch stack for the stack's own tests: a temporary state folder, ports chosen free from a
 * given start, the provisioned cache of `LLMOPS_STACK_DIR` (or the project's `.stack`), and the
 * `stack` CLI run against it. It needs no running stack, and it never sees the variables that
 * point the suite at its shared stack (`KAFKA_BROKERS`, `MLFLOW_TRACKING_URI`, `OLLAMA_HOST`).
 *
 * @module
 */

import { loadStackConfig, type StackConfig } from "./config.ts";
import { freePortBlock, isAlive, processGroupMembers } from "./process.ts";
import { stackDown } from "./stack.ts";

/** A scratch stack's configuration and tools. */
export interface ScratchStack {
  /** The environment the CLI gets: cache, state folder, ports, and the given variables. */
  env: Record<string, string>;
  config: StackConfig;
  stateDir: string;
  /** Runs `lib/stack/cli.ts` with `args` in this environment. */
  cli(args: string[]): Promise<StackCliResult>;
  /** `stack down`, then removes the state folder. */
  cleanup(): Promise<void>;
}

/**
 * Plans a scratch stack. Kafka gets `2 × nodes` consecutive free ports from `kafkaFrom`
 * (client, controller, interleaved); MLflow, PostgreSQL and Ollama each the first free port from
 * theirs, so nothing lands on the shared stack's ports.
 *
 * @example
 * ```ts
 * const scratch = await scratchStack({ LLMOPS_KAFKA_NODES: "3" }, { kafkaFrom: 19192 });
 * await scratch.cli(["status", "--json"]);
 * await scratch.cleanup();
 * ```
 */
export async function scratchStack(
  variables: Record<string, string>,
  ports: { kafkaFrom?: number; mlflowFrom?: number; postgresFrom?: number } = {},
): Promise<ScratchStack> {
  const cacheDir = loadStackConfig(Deno.env.toObject()).dir;
  const stateDir = await Deno.makeTempDir({ prefix: "llmops-scratch-stack-" });
  const nodes = Number(variables.LLMOPS_KAFKA_NODES ?? "1");
  const kafka = freePortBlock(ports.kafkaFrom ?? 19192, 2 * nodes);
  const mlflow = freePortBlock(ports.mlflowFrom ?? 15000, 1);
  const postgres = freePortBlock(ports.postgresFrom ?? 15433, 1);
  const ollama = freePortBlock(15200, 1); // never started here: keeps status off 11434
  const env: Record<string, string> = {
    PATH: Deno.env.get("PATH") ?? "",
    HOME: Deno.env.get("HOME") ?? "",
    LLMOPS_STACK_DIR: cacheDir,
    LLMOPS_STATE_DIR: stateDir,
    LLMOPS_KAFKA_PORT: String(kafka),
    LLMOPS_KAFKA_CONTROLLER_PORT: String(kafka + 1),
    LLMOPS_MLFLOW_PORT: String(mlflow),
    LLMOPS_POSTGRES_PORT: String(postgres),
    LLMOPS_OLLAMA_PORT: String(ollama),
    ...variables,
  };
  const config = loadStackConfig(env);
  return {
    env,
    config,
    stateDir,
    cli: (args) => runStackCli(args, env),
    cleanup: async () => {
      await stackDown(config, () => {}).catch(() => {});
      await Deno.remove(stateDir, { recursive: true }).catch(() => {});
    },
  };
}

/** What a run of the `stack` CLI printed, and its exit code. */
export interface StackCliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `lib/stack/cli.ts` with `args` from the project's root, with `env` as its whole
 * environment (nothing inherited), and collects its output.
 *
 * @example
 * ```ts ignore
 * const { code, stdout } = await runStackCli(["status", "--json"], scratch.env);
 * ```
 */
export async function runStackCli(
  args: string[],
  env: Record<string, string>,
): Promise<StackCliResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "lib/stack/cli.ts", ...args],
    cwd: new URL("../../", import.meta.url),
    clearEnv: true,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

/** The last line of the CLI's standard output, parsed as JSON. */
export function lastJson<T = Record<string, unknown>>(stdout: string): T {
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as T;
}

/** True when neither the process nor any member of its group is alive. */
export function groupGone(pid: number): boolean {
  return !isAlive(pid) && processGroupMembers(pid).length === 0;
}
