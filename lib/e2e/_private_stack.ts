/**
 * A second, private stack for fault tests: its own state folder (temporary) and free ports, the
 * same provisioned cache as the suite's stack. Stopping its Kafka, MLflow, PostgreSQL or Ollama
 * never disturbs the shared stack that other tests use. With `kafkaNodes: 3` its Kafka is a
 * replicated cluster whose nodes can be killed and restarted one by one; with
 * `mlflowDb: "postgresql"` MLflow keeps its runs in a private PostgreSQL.
 *
 * @module
 */

import { loadStackConfig, serviceEnv, type StackConfig } from "../stack/config.ts";
import { freePorts } from "../stack/free_port.ts";
import {
  kafkaAnswers,
  kafkaNodePaths,
  kafkaNodePid,
  killKafkaNode,
  restartKafkaNode,
  startKafkaNodes,
} from "../stack/kafka.ts";
import { mlflowAnswers, mlflowPaths, startMlflow } from "../stack/mlflow.ts";
import { ollamaPaths, ollamaVersion, startOllama } from "../stack/ollama.ts";
import { postgresAnswers, postgresPaths, startPostgres } from "../stack/postgres.ts";
import {
  freePortBlock,
  isAlive,
  processGroupMembers,
  readPidFile,
  stopService,
} from "../stack/process.ts";
import { type ServiceName, stackDown, stackUp } from "../stack/stack.ts";
import { integrationConfig } from "../stack/testing.ts";

/** 0–9999, so that private clusters of parallel runs start their port search apart. */
function randomOffset(): number {
  return crypto.getRandomValues(new Uint16Array(1))[0] % 10_000;
}

/** Ports of a private stack (Kafka: node 1's; node i adds 2·(i − 1)). */
export interface PrivatePorts {
  kafka: number;
  controller: number;
  mlflow: number;
  postgres: number;
  ollama: number;
}

/** Options of {@linkcode planPrivateStack} and {@linkcode startPrivateStack}. */
export interface PrivateStackOptions {
  /** Local Kafka nodes (default 1). */
  kafkaNodes?: number;
  /** MLflow's backend (default "sqlite"). */
  mlflowDb?: "sqlite" | "postgresql";
  /**
   * Services to start (default all). The others are not started; point the code under test at
   * the shared stack's for them.
   */
  services?: readonly ServiceName[];
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
export async function planPrivateStack(
  options: PrivateStackOptions = {},
): Promise<PrivateStackPlan> {
  const shared = integrationConfig();
  const stateDir = await Deno.makeTempDir({ prefix: "llmops-private-stack-" });
  const kafkaNodes = options.kafkaNodes ?? 1;
  // A cluster needs 2 consecutive ports per node (client, controller, interleaved).
  const kafkaBase = kafkaNodes === 1 ? null : freePortBlock(20000 + randomOffset(), 2 * kafkaNodes);
  const kafkaBlock = kafkaBase === null
    ? []
    : Array.from({ length: 2 * kafkaNodes }, (_, i) => kafkaBase + i);
  // Distinct ports, off the Kafka block: a single node draws its client and controller ports too.
  const [mlflow, postgres, ollama, ...kafkaPair] = freePorts(kafkaBase === null ? 5 : 3, {
    exclude: kafkaBlock,
  });
  const ports = {
    kafka: kafkaBase ?? kafkaPair[0],
    controller: kafkaBase === null ? kafkaPair[1] : kafkaBase + 1,
    mlflow,
    postgres,
    ollama,
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
    LLMOPS_POSTGRES_PORT: String(ports.postgres),
    LLMOPS_KAFKA_NODES: String(kafkaNodes),
    LLMOPS_MLFLOW_DB: options.mlflowDb ?? "sqlite",
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
  /**
   * Stops a service (SIGTERM to its process group, SIGKILL after the grace period; every node
   * of a Kafka cluster; PostgreSQL with a fast shutdown).
   */
  stop(service: ServiceName): Promise<void>;
  /** Starts a stopped service again with the same state folder and port; waits until it answers. */
  start(service: ServiceName): Promise<void>;
  /** Sends `signal` (default SIGKILL) to one Kafka node and waits until it is gone; its pid. */
  killKafkaNode(id: number, signal?: Deno.Signal): Promise<number>;
  /** Starts one killed Kafka node again; resolves when it serves and is registered. */
  restartKafkaNode(id: number): Promise<void>;
  /** Stops every service and removes the state folder. Idempotent. */
  down(): Promise<void>;
}

/**
 * Starts a private stack (Kafka, MLflow, Ollama with the model; PostgreSQL on that backend)
 * and returns its handle.
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
 * const cluster = await startPrivateStack({ kafkaNodes: 3, mlflowDb: "postgresql" });
 * await cluster.killKafkaNode(2); // SIGKILL
 * await cluster.restartKafkaNode(2);
 * await cluster.down();
 * ```
 */
export async function startPrivateStack(
  options: PrivateStackOptions & { progress?: (line: string) => void } = {},
): Promise<PrivateStack> {
  const plan = await planPrivateStack(options);
  const progress = options.progress ?? ((line: string) => console.error(`[private] ${line}`));
  const { config } = plan;
  const pidFiles = (service: ServiceName) =>
    service === "kafka" ? config.kafka.localNodes.map((n) => kafkaNodePaths(config, n.id).pid) : [
      service === "mlflow"
        ? mlflowPaths(config).pid
        : service === "postgres"
        ? postgresPaths(config).pid
        : ollamaPaths(config).pid,
    ];
  let downDone = false;
  const stack: PrivateStack = {
    ...plan,
    pid: async (service) => {
      for (const file of pidFiles(service)) {
        const pid = await readPidFile(file);
        if (pid !== null && isAlive(pid)) return pid;
      }
      return null;
    },
    answers: (service) => {
      switch (service) {
        case "kafka":
          return kafkaAnswers(config.kafka.brokers);
        case "mlflow":
          return mlflowAnswers(config.mlflow.uri);
        case "postgres":
          return postgresAnswers(config);
        case "ollama":
          return ollamaVersion(config.ollama.host).then((v) => v !== null);
      }
    },
    stop: async (service) => {
      const files = pidFiles(service);
      const pids = (await Promise.all(files.map(readPidFile))).filter((p) => p !== null);
      if (pids.length === 0) throw new Error(`${service} of the private stack has no pid file`);
      await Promise.all(pids.map(async (pid) => {
        progress(`${service}: stopping (pid ${pid})`);
        await stopService(pid, service === "postgres" ? { signal: "SIGINT" } : {});
        if (processGroupMembers(pid).length > 0) {
          throw new Error(`${service}: processes left in group ${pid}`);
        }
      }));
      await Promise.all(files.map((file) => Deno.remove(file).catch(() => {})));
    },
    start: async (service) => {
      if (await stack.pid(service) !== null) {
        throw new Error(`${service} of the private stack is already running`);
      }
      switch (service) {
        case "kafka":
          await startKafkaNodes(config, progress);
          break;
        case "mlflow":
          await startMlflow(config, progress);
          break;
        case "postgres":
          await startPostgres(config, progress);
          break;
        case "ollama":
          await startOllama(config, progress);
          break;
      }
    },
    killKafkaNode: (id, signal) => {
      progress(`kafka node ${id}: ${signal ?? "SIGKILL"}`);
      return killKafkaNode(config, id, signal);
    },
    restartKafkaNode: async (id) => {
      if (await kafkaNodePid(config, id) !== null) {
        throw new Error(`kafka node ${id} of the private stack is still running`);
      }
      await restartKafkaNode(config, id, progress);
    },
    down: async () => {
      if (downDone) return;
      downDone = true;
      await stackDown(config, progress).catch((e) => progress(`down: ${e.message}`));
      await Deno.remove(plan.stateDir, { recursive: true }).catch(() => {});
    },
  };
  try {
    await stackUp(config, { jupyter: false, progress, services: options.services });
  } catch (error) {
    await stack.down();
    throw error;
  }
  return stack;
}
