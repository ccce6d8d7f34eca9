/**
 * MLflow: the REST client, the response-to-run mapping, and the sink that logs every response.
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
export * from "./sink.ts";
