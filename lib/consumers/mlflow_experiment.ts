/**
 * How the MLflow consumers start: they look their experiment up by name (MLflow creates it when
 * missing) and, when MLflow is not up yet (a stack still starting, a restart), try again every
 * second for up to 30 attempts before they give up.
 *
 * @module
 */

import { type MlflowClient, MlflowError } from "../mlflow/mod.ts";

/** Options of {@linkcode resolveExperiment}. */
export interface ResolveExperimentOptions {
  /** Called on each transient failure before the next attempt, with its number (1, 2, …). */
  onError?: (error: Error, attempt: number) => void;
  /** Waits (tests). Default a timer. */
  sleep?: (ms: number) => Promise<void>;
}

/** Attempts before a transient failure is thrown, and the wait between two. */
const ATTEMPTS = 30;
const WAIT_MS = 1_000;
const timer = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The id of the experiment `name`, created when missing, retrying while MLflow is unreachable or
 * answers 429/5xx. Any other error (MLflow refused the name), or a transient one at the last
 * attempt, is thrown.
 *
 * @example
 * ```ts ignore
 * const experimentId = await resolveExperiment(mlflow, "llm-monitoring", {
 *   onError: (error, attempt) => console.error(`MLflow not ready (${attempt}): ${error.message}`),
 * });
 * ```
 */
export async function resolveExperiment(
  mlflow: Pick<MlflowClient, "getOrCreateExperiment">,
  name: string,
  options: ResolveExperimentOptions = {},
): Promise<string> {
  const sleep = options.sleep ?? timer;
  for (let attempt = 1;; attempt++) {
    try {
      return await mlflow.getOrCreateExperiment(name);
    } catch (error) {
      if (!(error instanceof MlflowError && error.transient) || attempt >= ATTEMPTS) throw error;
      options.onError?.(error, attempt);
      await sleep(WAIT_MS);
    }
  }
}
