/**
 * The shape of the pipeline's health (`GET /api/health` and the `health` live event): services,
 * the LLM workers (members of the worker group, wherever they run) and every consumer group's
 * lag. Types only, so the browser imports them as they are.
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

/** The body of GET /api/health. */
export interface HealthReport {
  kafka: ServiceHealth;
  mlflow: ServiceHealth & { experiment: string; experiment_url: string | null };
  ollama: ServiceHealth & { models: string[]; model: string; model_present: boolean };
  workers: WorkerHealth[];
  /**
   * Why requests would not be answered, in one sentence for people (e.g. "no LLM worker is
   * consuming llm.requests: start `deno task serve` or `deno task worker`"), or null.
   */
  workers_reason: string | null;
  consumers: ConsumerGroupHealth[];
  timezone: string;
}
