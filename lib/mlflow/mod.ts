/**
 * MLflow: the REST client and the response-to-run mapping. No transport: the sink that logs every
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
