/**
 * The project-local Python virtualenv that holds the MLflow tracking server (with the
 * PostgreSQL driver) and Jupyter (nbclient, nbconvert, JupyterLab). Provisioned once; a marker file records which requirements
 * it was built with, so a change of versions reinstalls.
 *
 * @module
 */

import { STACK_VERSIONS, type StackConfig } from "./config.ts";
import { exists } from "./_fs.ts";
import { requireCommand } from "./prerequisites.ts";
import { runLogged } from "./process.ts";

/**
 * Packages of the virtualenv, pinned where the product depends on their behaviour. psycopg is
 * the driver SQLAlchemy 2.1 uses for `postgresql://` URIs (MLflow on PostgreSQL).
 */
export const PYTHON_REQUIREMENTS: readonly string[] = Object.freeze([
  `mlflow==${STACK_VERSIONS.mlflow}`,
  "psycopg[binary]==3.3.9",
  "jupyterlab",
  "nbclient",
  "nbconvert",
  "nbformat",
]);

/** Paths of the virtualenv. */
export function pythonPaths(config: StackConfig) {
  const venv = `${config.dir}/venv`;
  return {
    venv,
    python: `${venv}/bin/python`,
    pip: `${venv}/bin/pip`,
    mlflow: `${venv}/bin/mlflow`,
    jupyter: `${venv}/bin/jupyter`,
    marker: `${venv}/.llmops-requirements`,
    log: `${config.dir}/pip.log`,
  };
}

/**
 * Creates the virtualenv and installs {@linkcode PYTHON_REQUIREMENTS} unless it already holds
 * exactly them.
 *
 * @example
 * ```ts
 * await provisionPython(loadStackConfig(), console.error);
 * ```
 */
export async function provisionPython(
  config: StackConfig,
  progress: (line: string) => void,
): Promise<void> {
  const paths = pythonPaths(config);
  const wanted = PYTHON_REQUIREMENTS.join("\n");
  if (await exists(paths.marker)) {
    if ((await Deno.readTextFile(paths.marker)) === wanted) return;
  }
  await requireCommand("python3", ["--version"], "MLflow", "MLFLOW_TRACKING_URI=http://host:5000");
  await Deno.mkdir(config.dir, { recursive: true });
  if (!(await exists(paths.python))) {
    progress("python: creating the virtualenv");
    await runLogged("python: create virtualenv", "python3", ["-m", "venv", paths.venv], {
      logFile: paths.log,
      progress,
    });
  }
  progress(`python: installing ${PYTHON_REQUIREMENTS.join(", ")} (first time: a few minutes)`);
  await runLogged(
    "pip install",
    paths.pip,
    ["install", "--disable-pip-version-check", "--progress-bar", "off", ...PYTHON_REQUIREMENTS],
    { logFile: paths.log, progress },
  );
  await Deno.writeTextFile(paths.marker, wanted);
}
