/**
 * Configuration of the local stack, read once from the environment.
 *
 * Every service has an "external" form: when `KAFKA_BROKERS`, `MLFLOW_TRACKING_URI` or
 * `OLLAMA_HOST` is set, that service is used as it is and nothing is provisioned or started
 * for it.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/** Versions of the real components that the local stack provisions. */
export const STACK_VERSIONS = Object.freeze({
  kafka: "4.1.1",
  mlflow: "3.17.2",
  ollama: "v0.6.5",
  smollm2Package: "0.1.2",
});

export { TOPICS } from "../kafka/topics.ts";

/** One node of the local Kafka cluster: a combined KRaft controller and broker. */
export interface KafkaNodeConfig {
  /** KRaft node id, 1-based. */
  id: number;
  /** Client (PLAINTEXT) listener port: `LLMOPS_KAFKA_PORT + 2·(id − 1)`. */
  port: number;
  /** Controller listener port: `LLMOPS_KAFKA_CONTROLLER_PORT + 2·(id − 1)`. */
  controllerPort: number;
}

/** Kafka settings: either a local KRaft cluster (one node by default) or an existing cluster. */
export interface KafkaConfig {
  /** True when `KAFKA_BROKERS` names an existing cluster. */
  external: boolean;
  /** Bootstrap addresses, `host:port` (every local node's client port). */
  brokers: string[];
  /** Port of the first local node's client listener. */
  port: number;
  /** Port of the first local node's KRaft controller listener. */
  controllerPort: number;
  /** Number of local nodes (`LLMOPS_KAFKA_NODES`). */
  nodes: number;
  /** The local nodes with their ports, one per node. */
  localNodes: readonly KafkaNodeConfig[];
  /** Replication factor of the topics the stack creates: `min(nodes, 3)`. */
  replicationFactor: number;
  /** `min.insync.replicas` of those topics: `max(1, replicationFactor − 1)`. */
  minInsyncReplicas: number;
  /** Partitions of each product topic when the stack creates it. */
  partitions: number;
  /** Kafka version of the local broker. */
  version: string;
}

/** Where the tracking server keeps its runs. */
export type MlflowBackend = "sqlite" | "postgresql" | "external";

/** MLflow settings: either a local tracking server or an existing one. */
export interface MlflowConfig {
  external: boolean;
  /** Tracking URI, for example `http://127.0.0.1:5000`. */
  uri: string;
  port: number;
  version: string;
  /** Experiment that every run is logged to. */
  experiment: string;
  /**
   * Backend store of the local server (`LLMOPS_MLFLOW_DB`), or "external" when
   * `MLFLOW_TRACKING_URI` names an existing server (then nothing is provisioned).
   */
  backend: MlflowBackend;
  /** Worker processes of the local server (`LLMOPS_MLFLOW_WORKERS`; default by backend). */
  workers: number;
}

/** The private PostgreSQL cluster behind MLflow when `LLMOPS_MLFLOW_DB=postgresql`. */
export interface PostgresConfig {
  /** Loopback port (`LLMOPS_POSTGRES_PORT`). */
  port: number;
  /** Database that holds MLflow's tables. */
  database: string;
  /** The cluster's superuser role, which MLflow connects as. */
  user: string;
}

/** Ollama settings: either a local `ollama serve` or an existing server. */
export interface OllamaConfig {
  external: boolean;
  /** Base URL, for example `http://127.0.0.1:11434`. */
  host: string;
  port: number;
  version: string;
  /** Model name used when a request names none. */
  model: string;
}

/** The whole stack configuration. */
export interface StackConfig {
  /** Project root (the folder holding deno.json). */
  root: string;
  /** Cache folder for everything provisioned (jars, virtualenv, binaries, model). */
  dir: string;
  /** Folder for the running services' data, logs and pid files. */
  stateDir: string;
  kafka: KafkaConfig;
  mlflow: MlflowConfig;
  postgres: PostgresConfig;
  ollama: OllamaConfig;
}

/** MLflow server workers by backend when `LLMOPS_MLFLOW_WORKERS` is unset. */
export const DEFAULT_MLFLOW_WORKERS: Readonly<Record<"sqlite" | "postgresql", number>> = Object
  .freeze({ sqlite: 1, postgresql: 2 });

/** One documented environment variable. */
export interface EnvVarDoc {
  name: string;
  default: string;
  description: string;
}

/** Every environment variable the stack reads, with its default (the README lists the same). */
export const STACK_ENV_VARS: readonly EnvVarDoc[] = Object.freeze([
  {
    name: "LLMOPS_STACK_DIR",
    default: "<project>/.stack",
    description: "cache of provisioned parts",
  },
  {
    name: "LLMOPS_STATE_DIR",
    default: "$LLMOPS_STACK_DIR/state",
    description: "service data, logs, pid files",
  },
  {
    name: "KAFKA_BROKERS",
    default: "(unset: local broker)",
    description: "existing Kafka cluster",
  },
  {
    name: "LLMOPS_KAFKA_NODES",
    default: "1",
    description: "local KRaft nodes (3: a replicated cluster, RF 3, min ISR 2)",
  },
  {
    name: "LLMOPS_KAFKA_PORT",
    default: "9092",
    description: "client port of local node 1 (node i: + 2·(i − 1))",
  },
  {
    name: "LLMOPS_KAFKA_CONTROLLER_PORT",
    default: "9093",
    description: "controller port of local node 1 (node i: + 2·(i − 1))",
  },
  { name: "LLMOPS_KAFKA_PARTITIONS", default: "3", description: "partitions per topic" },
  {
    name: "MLFLOW_TRACKING_URI",
    default: "(unset: local server)",
    description: "existing MLflow server",
  },
  { name: "LLMOPS_MLFLOW_PORT", default: "5000", description: "local MLflow port" },
  {
    name: "LLMOPS_MLFLOW_DB",
    default: "sqlite",
    description: "local MLflow backend: sqlite or postgresql (a private PostgreSQL)",
  },
  {
    name: "LLMOPS_MLFLOW_WORKERS",
    default:
      `${DEFAULT_MLFLOW_WORKERS.sqlite} (sqlite), ${DEFAULT_MLFLOW_WORKERS.postgresql} (postgresql)`,
    description: "local MLflow server worker processes",
  },
  { name: "LLMOPS_POSTGRES_PORT", default: "5433", description: "private PostgreSQL port" },
  { name: "MLFLOW_EXPERIMENT_NAME", default: "llm-monitoring", description: "MLflow experiment" },
  { name: "OLLAMA_HOST", default: "(unset: local server)", description: "existing Ollama server" },
  { name: "LLMOPS_OLLAMA_PORT", default: "11434", description: "local Ollama port" },
  { name: "LLMOPS_MODEL", default: "smollm2:135m", description: "default model" },
]);

/** The project root, derived from this file's location. */
export const PROJECT_ROOT: string = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Reads the stack configuration from an environment.
 *
 * @example
 * ```ts
 * const config = loadStackConfig({ KAFKA_BROKERS: "127.0.0.1:9092" });
 * config.kafka.external; // true
 * ```
 */
export function loadStackConfig(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): StackConfig {
  const dir = stripSlash(env.LLMOPS_STACK_DIR || `${PROJECT_ROOT}.stack`);
  const stateDir = stripSlash(env.LLMOPS_STATE_DIR || `${dir}/state`);
  const kafkaPort = readPort(env, "LLMOPS_KAFKA_PORT", 9092);
  const controllerPort = readPort(env, "LLMOPS_KAFKA_CONTROLLER_PORT", 9093);
  const nodes = readPositiveInt(env, "LLMOPS_KAFKA_NODES", 1);
  const localNodes = kafkaNodePorts(nodes, kafkaPort, controllerPort);
  const replicationFactor = Math.min(nodes, 3);
  const mlflowPort = readPort(env, "LLMOPS_MLFLOW_PORT", 5000);
  const ollamaPort = readPort(env, "LLMOPS_OLLAMA_PORT", 11434);
  const brokers = env.KAFKA_BROKERS?.trim();
  const mlflowUri = env.MLFLOW_TRACKING_URI?.trim();
  const ollamaHost = env.OLLAMA_HOST?.trim();
  const database = readDatabase(env);
  return {
    root: stripSlash(PROJECT_ROOT),
    dir,
    stateDir,
    kafka: {
      external: Boolean(brokers),
      brokers: brokers
        ? brokers.split(",").map((b) => b.trim()).filter(Boolean)
        : localNodes.map((node) => `127.0.0.1:${node.port}`),
      port: kafkaPort,
      controllerPort,
      nodes,
      localNodes,
      replicationFactor,
      minInsyncReplicas: Math.max(1, replicationFactor - 1),
      partitions: readPositiveInt(env, "LLMOPS_KAFKA_PARTITIONS", 3),
      version: STACK_VERSIONS.kafka,
    },
    mlflow: {
      external: Boolean(mlflowUri),
      uri: stripSlash(mlflowUri || `http://127.0.0.1:${mlflowPort}`),
      port: mlflowPort,
      version: STACK_VERSIONS.mlflow,
      experiment: env.MLFLOW_EXPERIMENT_NAME?.trim() || "llm-monitoring",
      backend: mlflowUri ? "external" : database,
      workers: readPositiveInt(env, "LLMOPS_MLFLOW_WORKERS", DEFAULT_MLFLOW_WORKERS[database]),
    },
    postgres: {
      port: readPort(env, "LLMOPS_POSTGRES_PORT", 5433),
      database: "mlflow",
      user: "llmops",
    },
    ollama: {
      external: Boolean(ollamaHost),
      host: ollamaHost ? normalizeOllamaHost(ollamaHost) : `http://127.0.0.1:${ollamaPort}`,
      port: ollamaPort,
      version: STACK_VERSIONS.ollama,
      model: env.LLMOPS_MODEL?.trim() || "smollm2:135m",
    },
  };
}

/**
 * The environment that points other processes (tests, notebooks, workers) at this stack.
 *
 * @example
 * ```ts
 * const env = serviceEnv(loadStackConfig());
 * env.KAFKA_BROKERS; // "127.0.0.1:9092"
 * ```
 */
export function serviceEnv(config: StackConfig): Record<string, string> {
  return {
    KAFKA_BROKERS: config.kafka.brokers.join(","),
    MLFLOW_TRACKING_URI: config.mlflow.uri,
    OLLAMA_HOST: config.ollama.host,
    LLMOPS_MODEL: config.ollama.model,
    MLFLOW_EXPERIMENT_NAME: config.mlflow.experiment,
  };
}

/**
 * Ports of the local Kafka nodes: node i (1-based) listens for clients on
 * `port + 2·(i − 1)` and for its controller quorum on `controllerPort + 2·(i − 1)`, so the
 * defaults give 9092/9093, 9094/9095, 9096/9097. Throws a RangeError when a port would leave
 * the TCP range or two listeners would share a port.
 *
 * @example
 * ```ts
 * kafkaNodePorts(3, 9092, 9093).map((n) => n.port); // [9092, 9094, 9096]
 * ```
 */
export function kafkaNodePorts(
  nodes: number,
  port: number,
  controllerPort: number,
): KafkaNodeConfig[] {
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 9) {
    throw new RangeError(`LLMOPS_KAFKA_NODES must be an integer from 1 to 9, found "${nodes}"`);
  }
  const list = Array.from({ length: nodes }, (_, i) => ({
    id: i + 1,
    port: port + 2 * i,
    controllerPort: controllerPort + 2 * i,
  }));
  const all = list.flatMap((n) => [n.port, n.controllerPort]);
  const highest = Math.max(...all);
  if (highest > 65535) {
    throw new RangeError(
      `the Kafka ports of ${nodes} nodes reach ${highest}, above 65535: lower LLMOPS_KAFKA_PORT ` +
        `(${port}) or LLMOPS_KAFKA_CONTROLLER_PORT (${controllerPort})`,
    );
  }
  if (new Set(all).size !== all.length) {
    throw new RangeError(
      `the Kafka client ports (${list.map((n) => n.port).join(", ")}) and controller ports ` +
        `(${list.map((n) => n.controllerPort).join(", ")}) of ${nodes} nodes overlap: set ` +
        `LLMOPS_KAFKA_CONTROLLER_PORT to LLMOPS_KAFKA_PORT + 1 or past the last client port`,
    );
  }
  return list;
}

function readDatabase(env: Record<string, string | undefined>): "sqlite" | "postgresql" {
  const raw = env.LLMOPS_MLFLOW_DB?.trim().toLowerCase();
  if (!raw || raw === "sqlite") return "sqlite";
  if (raw === "postgresql" || raw === "postgres") return "postgresql";
  throw new RangeError(
    `LLMOPS_MLFLOW_DB must be "sqlite" or "postgresql", found "${env.LLMOPS_MLFLOW_DB}"`,
  );
}

/** Accepts `host:port`, `http://host:port` or a bare host, as the Ollama CLI does. */
function normalizeOllamaHost(value: string): string {
  const withScheme = /^https?:\/\//.test(value) ? value : `http://${value}`;
  const url = new URL(withScheme);
  if (!url.port && !/^https?:\/\/[^/]+:\d+/.test(withScheme)) url.port = "11434";
  return stripSlash(url.origin);
}

function stripSlash(value: string): string {
  return value.endsWith("/") ? value.slice(0, -1) : value;
}

function readPort(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const value = readPositiveInt(env, name, fallback);
  if (value > 65535) {
    throw new RangeError(`${name} must be a TCP port between 1 and 65535, found "${env[name]}"`);
  }
  return value;
}

function readPositiveInt(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, found "${raw}"`);
  }
  return value;
}
