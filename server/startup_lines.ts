/**
 * The lines `deno task serve` ends its start-up with: every URL a user needs (the dashboard, the
 * gateway when serve runs one, the MLflow UI at the experiment) and the command that opens the
 * notebooks. The first line is `dashboard: <url>` (scripts and tests wait for it).
 *
 * @module
 */

/** What the start-up lines name. */
export interface StartupUrls {
  /** The dashboard, e.g. `http://127.0.0.1:8000/`. */
  dashboard: string;
  /**
   * The gateway applications call instead of Ollama (port 11435), or null while serve runs none.
   * Hook: serve passes the gateway's URL here once it starts one.
   */
  gateway?: string | null;
  /** The MLflow tracking server (its UI is at the same address). */
  mlflow: string;
  /** The experiment's page in the MLflow UI, when its id is known. */
  mlflowExperiment?: string | null;
  /** The experiment's name. */
  experiment?: string;
}

/**
 * The start-up lines, aligned, one per URL, then the notebooks command.
 *
 * @example
 * ```ts
 * startupLines({ dashboard: "http://127.0.0.1:8000/", mlflow: "http://127.0.0.1:5000" })[0];
 * // "dashboard: http://127.0.0.1:8000/"
 * ```
 */
export function startupLines(urls: StartupUrls): string[] {
  if (!/^https?:\/\//.test(urls.dashboard) || !/^https?:\/\//.test(urls.mlflow)) {
    throw new TypeError(
      `Expected http(s) URLs for the dashboard and MLflow, found ${
        JSON.stringify([urls.dashboard, urls.mlflow])
      }`,
    );
  }
  const lines = [`dashboard: ${urls.dashboard}`];
  if (urls.gateway) {
    lines.push(
      `gateway:   ${urls.gateway} (for applications: Ollama API /api, OpenAI API /v1, OTLP /v1/traces)`,
    );
  }
  const experiment = urls.experiment ? ` (experiment ${urls.experiment})` : "";
  lines.push(`mlflow:    ${urls.mlflowExperiment ?? urls.mlflow}${experiment}`);
  lines.push("notebooks: deno task lab (JupyterLab with the Deno kernel on notebooks/)");
  return lines;
}
