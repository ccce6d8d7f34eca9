/**
 * The shape of the pipeline's health (`GET /api/health` and the `health` live event): services,
 * the LLM workers (members of the worker group, wherever they run), every consumer group's lag
 * and the MLflow sink's state. Types only, so the browser imports them as they are.
 *
 * @module
 */

/** Health of one service. */
export interface ServiceHealth {
  healthy: boolean;
  url: string;
  version: string | null;
  [extra: string]: unknown;
}

/** One Kafka node in `/api/health` (`kafka.nodes`), as `deno task stack status --json` has it. */
export interface KafkaNodeHealth {
  /** KRaft node id. */
  id: number;
  /** Process id of a local node while it is alive, else null. */
  pid: number | null;
  /** Client port. */
  port: number;
  healthy: boolean;
}

/** One LLM worker: a member of the worker group, with its counts when it runs in this process. */
export interface WorkerHealth {
  /** The worker's id (its Kafka client id). */
  id: string;
  /** Where it runs (the host Kafka sees), or null when unknown. */
  host: string | null;
  /** True when it runs inside this server process. */
  local: boolean;
  /** Kafka and Ollama answer (and, for a local worker, it is a member of the group). */
  healthy: boolean;
  /** Calls in flight (local workers only; null for workers elsewhere). */
  in_flight: number | null;
  succeeded: number | null;
  failed: number | null;
}

/** One consumer group and its lag. */
export interface ConsumerGroupHealth {
  group: string;
  /** Messages not yet processed, or null when it could not be read. */
  lag: number | null;
  retrying: boolean;
  last_error: string | null;
}

/** The MLflow sink's aggregate runs per minute and model, in the health of the sink. */
export interface MinuteRunsStatus {
  experiment: string;
  group: string;
  /** Windows being filled. */
  open_windows: number;
  /** Aggregate runs written by this process. */
  written: number;
  /** Windows that MLflow already had (replays, restarts). */
  already_written: number;
  /** Responses that arrived after their window was written (not in any aggregate run). */
  late: number;
  /** The event time up to which windows close (epoch ms), or null before any is known. */
  watermark: number | null;
  retrying: boolean;
  last_error: string | null;
}

/** The sink's state in `/api/health`. */
export interface SinkStatus {
  group: string;
  /** The per-call run policy, as `LLMOPS_MLFLOW_RUNS` spells it. */
  policy: string;
  runs_created: number;
  runs_logged: number;
  /** Responses that already had a run (replays, redeliveries). */
  runs_skipped: number;
  /** Responses the policy gave no run of their own (counted in the minute runs). */
  sampled_out: number;
  /** Runs logged per second over the last minute. */
  runs_per_s: number;
  retrying: boolean;
  last_error: string | null;
  /** The aggregate runs per minute and model, or null when off. */
  minute_runs: MinuteRunsStatus | null;
}

/** The MLflow sink in `/api/health`: its state and its group's lag. */
export type SinkHealth = SinkStatus & {
  /** Responses the sink has not handled yet, or null when it could not be read. */
  lag: number | null;
};

/** The body of GET /api/health. */
export interface HealthReport {
  /** Kafka, with one entry per node of the local cluster (empty for an external one). */
  kafka: ServiceHealth & { nodes?: KafkaNodeHealth[] };
  mlflow: ServiceHealth & { experiment: string; experiment_url: string | null };
  ollama: ServiceHealth & { models: string[]; model: string; model_present: boolean };
  workers: WorkerHealth[];
  /**
   * Why requests would not be answered, in one sentence for people (e.g. "no LLM worker is
   * consuming llm.requests: start `deno task serve` or `deno task worker`"), or null.
   */
  workers_reason: string | null;
  consumers: ConsumerGroupHealth[];
  /** The MLflow sink: policy, counts, rate, lag and its minute runs (when this server runs one). */
  sink?: SinkHealth;
  timezone: string;
}
