/**
 * Jupyter with the Deno kernel: the kernelspec installed by `deno jupyter --install`, and
 * headless execution of notebooks through nbclient (nbconvert's ExecutePreprocessor) from the
 * project's virtualenv.
 *
 * @module
 */

import type { StackConfig } from "./config.ts";
import { pythonPaths } from "./python_env.ts";
import { runLogged } from "./process.ts";

/** Where Jupyter looks for the user's kernelspecs. */
function kernelSpecPath(): string {
  const dataHome = Deno.env.get("XDG_DATA_HOME") || `${Deno.env.get("HOME")}/.local/share`;
  return `${dataHome}/jupyter/kernels/deno/kernel.json`;
}

/**
 * Installs the Deno kernelspec for this Deno binary unless it is already there.
 *
 * @example
 * ```ts
 * await ensureDenoKernel(loadStackConfig(), console.error);
 * ```
 */
export async function ensureDenoKernel(
  config: StackConfig,
  progress: (line: string) => void,
): Promise<void> {
  try {
    const spec = JSON.parse(await Deno.readTextFile(kernelSpecPath())) as { argv?: string[] };
    if (spec.argv?.[0] === Deno.execPath()) return;
  } catch {
    // missing or unreadable: install it
  }
  progress("jupyter: installing the Deno kernel");
  await runLogged("deno jupyter --install", Deno.execPath(), ["jupyter", "--install", "--force"], {
    env: { PATH: `${pythonPaths(config).venv}/bin:${Deno.env.get("PATH") ?? ""}` },
    logFile: `${config.dir}/jupyter.log`,
    progress,
  });
}

/** Options of {@linkcode executeNotebook}. */
export interface ExecuteNotebookOptions {
  /** Where the executed notebook (with outputs) is written. */
  outputPath: string;
  /** Seconds allowed per cell. */
  cellTimeoutS?: number;
  /** Extra environment for the kernel (for example the stack's service addresses). */
  env?: Record<string, string>;
}

/**
 * Executes a notebook top to bottom with the Deno kernel, headless; throws with the failing
 * cell's error when any cell fails.
 *
 * @example
 * ```ts
 * await executeNotebook(loadStackConfig(), "notebooks/01_live_metrics.ipynb", {
 *   outputPath: "/tmp/01.ipynb",
 * });
 * ```
 */
export async function executeNotebook(
  config: StackConfig,
  notebookPath: string,
  options: ExecuteNotebookOptions,
): Promise<void> {
  const paths = pythonPaths(config);
  const out = await new Deno.Command(paths.jupyter, {
    args: [
      "nbconvert",
      "--to",
      "notebook",
      "--execute",
      "--ExecutePreprocessor.kernel_name=deno",
      `--ExecutePreprocessor.timeout=${options.cellTimeoutS ?? 300}`,
      "--output",
      options.outputPath,
      notebookPath,
    ],
    env: { ...options.env, PATH: `${paths.venv}/bin:${Deno.env.get("PATH") ?? ""}` },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const stderr = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-30).join("\n");
    throw new Error(`notebook ${notebookPath} failed (exit code ${out.code}):\n${stderr}`);
  }
}
