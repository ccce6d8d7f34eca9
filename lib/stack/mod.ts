/**
 * The local stack: provisioning and lifecycle of Kafka (one node or a KRaft cluster), MLflow
 * (on SQLite or a private PostgreSQL), Ollama (with its model) and Jupyter's Deno kernel.
 *
 * @example
 * ```ts
 * import { loadStackConfig, stackUp } from "./mod.ts";
 * const stack = await stackUp(loadStackConfig());
 * await stack.stop();
 * ```
 *
 * @module
 */

export * from "./config.ts";
export * from "./stack.ts";
export { executeNotebook } from "./jupyter.ts";
export {
  kafkaNodePid,
  type KafkaNodeStatus,
  killKafkaNode,
  restartKafkaNode,
  underReplicatedPartitions,
} from "./kafka.ts";
export { postgresStatus, postgresUri } from "./postgres.ts";
export { MissingPrerequisiteError } from "./prerequisites.ts";
