/**
 * A second, private stack for fault tests: its own state folder (temporary) and free ports, the
 * same provisioned cache as the suite's stack. Stopping its Kafka, MLflow or Ollama never
 * disturbs the shared stack that other tests use.
 *
 * @module
 */

import { loadStackConfig, serviceEnv, type StackConfig } from "../stack/config.ts";
import { kafkaAnswers, kafkaPaths, startKafka } from "../stack/kafka.ts";
import { mlflowAnswers, mlflowPaths, startMlflow } from "../stack/mlflow.ts";
import { ollamaPaths, ollamaVersion, startOllama } from "../stack/ollama.ts";
import { isAlive, processGroupMembers, readPidFile, stopService } from "../stack/process.ts";
import { type ServiceName, stackDown, stackUp } from "../stack/stack.ts";
import { integrationConfig } from "../stack/testing.ts";

/** A free TCP port on loopback (bound and released at once). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Ports of a private stack. */
export interface PrivatePorts {
  kafka: number;
  controller: number;
  mlflow: number;
  ollama: number;
}

/** A private stack's configuration, before anything is started. */
export interface PrivateStackPlan {
  config: StackConfig;
  /** The state folder (temporary; removed by {@linkcode PrivateStack.down}). */
  stateDir: string;
  ports: PrivatePorts;
  /**
   * Environment for a process that should provision and start this stack itself (as
   * `deno task serve` does): the shared cache, the private state folder and ports, and no
   * `KAFKA_BROKERS`/`MLFLOW_TRACKING_URI`/`OLLAMA_HOST`.
   */
  ownEnv: Record<string, string>;
  /** Environment pointing a process at this stack's running services. */
  serviceEnv: Record<string, string>;
}

/**
 * Plans a private stack: a fresh temporary state folder, free ports, the suite's cache folder.
 *
 * @example
 * ```ts
 * const plan = await planPrivateStack();
 * plan.config.kafka.brokers; // ["127.0.0.1:40123"]
 * ```
 */
export async function planPrivateStack(): Promise<PrivateStackPlan> {
  const shared = integrationConfig();
  const stateDir = await Deno.makeTempDir({ prefix: "llmops-private-stack-" });
  const ports = {
    kafka: freePort(),
    controller: freePort(),
    mlflow: freePort(),
    ollama: freePort(),
  };
  const ownEnv: Record<string, string> = {
    PATH: Deno.env.get("PATH") ?? "",
    HOME: Deno.env.get("HOME") ?? "",
    LLMOPS_STACK_DIR: shared.dir,
    LLMOPS_STATE_DIR: stateDir,
    LLMOPS_KAFKA_PORT: String(ports.kafka),
    LLMOPS_KAFKA_CONTROLLER_PORT: String(ports.controller),
    LLMOPS_MLFLOW_PORT: String(ports.mlflow),
    LLMOPS_OLLAMA_PORT: String(ports.ollama),
    LLMOPS_MODEL: shared.ollama.model,
  };
  const config = loadStackConfig(ownEnv);
  return { config, stateDir, ports, ownEnv, serviceEnv: { ...ownEnv, ...serviceEnv(config) } };
}

/** A running private stack, with each service stoppable and startable on its own. */
export interface PrivateStack extends PrivateStackPlan {
  /** The recorded pid of a service when it is alive, else null. */
  pid(service: ServiceName): Promise<number | null>;
  /** True when the service answers. */
  answers(service: ServiceName): Promise<boolean>;
  /** Stops a service (SIGTERM to its process group, SIGKILL after the grace period). */
  stop(service: ServiceName): Promise<void>;
  /** Starts a stopped service again with the same state folder and port; waits until it answers. */
  start(service: ServiceName): Promise<void>;
  /** Stops every service and removes the state folder. Idempotent. */
  down(): Promise<void>;
}

/**
 * Starts a private stack (Kafka, MLflow, Ollama with the model) and returns its handle.
 *
 * @example
 * ```ts
 * const stack = await startPrivateStack();
 * try {
 *   await stack.stop("kafka");
 *   await stack.start("kafka"); // the data folder, and so committed offsets, survive
 * } finally {
 *   await stack.down();
 * }
 * ```
 */
export async function startPrivateStack(
  options: { progress?: (line: string) => void } = {},
): Promise<PrivateStack> {
  const plan = await planPrivateStack();
  const progress = options.progress ?? ((line: string) => console.error(`[private] ${line}`));
  const { config } = plan;
  const pidFile = (service: ServiceName) =>
    service === "kafka"
      ? kafkaPaths(config).pid
      : service === "mlflow"
      ? mlflowPaths(config).pid
      : ollamaPaths(config).pid;
  let downDone = false;
  const stack: PrivateStack = {
    ...plan,
    pid: async (service) => {
      const pid = await readPidFile(pidFile(service));
      return pid !== null && isAlive(pid) ? pid : null;
    },
    answers: (service) => {
      switch (service) {
        case "kafka":
          return kafkaAnswers(config.kafka.brokers);
        case "mlflow":
          return mlflowAnswers(config.mlflow.uri);
        case "ollama":
          return ollamaVersion(config.ollama.host).then((v) => v !== null);
      }
    },
    stop: async (service) => {
      const pid = await readPidFile(pidFile(service));
      if (pid === null) throw new Error(`${service} of the private stack has no pid file`);
      progress(`${service}: stopping (pid ${pid})`);
      await stopService(pid);
      if (processGroupMembers(pid).length > 0) {
        throw new Error(`${service}: processes left in group ${pid}`);
      }
      await Deno.remove(pidFile(service)).catch(() => {});
    },
    start: async (service) => {
      if (await stack.pid(service) !== null) {
        throw new Error(`${service} of the private stack is already running`);
      }
      switch (service) {
        case "kafka":
          await startKafka(config, progress);
          break;
        case "mlflow":
          await startMlflow(config, progress);
          break;
        case "ollama":
          await startOllama(config, progress);
          break;
      }
    },
    down: async () => {
      if (downDone) return;
      downDone = true;
      await stackDown(config, progress).catch((e) => progress(`down: ${e.message}`));
      await Deno.remove(plan.stateDir, { recursive: true }).catch(() => {});
    },
  };
  try {
    await stackUp(config, { jupyter: false, progress });
  } catch (error) {
    await stack.down();
    throw error;
  }
  return stack;
}
