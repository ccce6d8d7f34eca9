/**
 * MLflow: the REST client, the response-to-run mapping, the per-call run policy and the
 * per-minute aggregate runs. No transport: the sink that logs every
 * response from `llm.responses` lives in `lib/consumers/`.
 *
 * @example
 * ```ts
 * import { MlflowClient } from "./mod.ts";
 * const mlflow = new MlflowClient("http://127.0.0.1:5000");
 * ```
 *
 * @module
 */

export * from "./client.ts";
export * from "./mapping.ts";
export * from "./run_policy.ts";
export * from "./minute_aggregate.ts";
export * from "./experiment_totals.ts";
