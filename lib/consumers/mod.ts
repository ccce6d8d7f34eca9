/**
 * Every loop over a Kafka topic, and every reader of one: the LLM worker (`llm.requests` →
 * model → `llm.responses`), the MLflow sink, the drift monitor, the dashboard's ingest, the
 * client's response listener, the topic readers and the export command. The areas they feed
 * (llm, mlflow, drift, metrics) know no transport; dead letters go through the producer each
 * consumer is given (`dlq`), owned by whoever composes the consumers.
 *
 * @example
 * ```ts ignore
 * import { LlmWorker, MlflowSink } from "./mod.ts";
 * const worker = new LlmWorker({ kafka, producer, ollamaHost: "http://127.0.0.1:11434" });
 * await worker.start();
 * ```
 *
 * @module
 */

export * from "./llm_worker.ts";
export * from "./mlflow_sink.ts";
export * from "./mlflow_minute_runs.ts";
export * from "./drift_monitor.ts";
export * from "./dashboard_ingest.ts";
export * from "./response_listener.ts";
export * from "./response_reader.ts";
export * from "./group_members.ts";
export * from "./worker_presence.ts";
export * from "./alert_evaluator.ts";
export type * from "./health_report.ts";
export * from "./mlflow_feedback.ts";
export * from "./pending_offsets.ts";
export * from "./feedback_ingest.ts";
export * from "./request_ingest.ts";
export * from "./mlflow_traces.ts";
export * from "./demo_workers.ts";
