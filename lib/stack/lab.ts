/**
 * `deno task lab`: brings the local stack up and starts JupyterLab (from the project's
 * virtualenv, with the Deno kernel) on the notebooks, bound to 127.0.0.1, with the services'
 * addresses in the kernel's environment. Stops what it started on exit.
 *
 * Extra arguments go to `jupyter lab` (for example `--port 8899`).
 *
 * @module
 */

import { loadStackConfig, serviceEnv } from "./config.ts";
import { pythonPaths } from "./python_env.ts";
import { stackUp, stopOnSignals } from "./stack.ts";

async function main(args: string[]): Promise<number> {
  const config = loadStackConfig();
  const stack = await stackUp(config);
  const paths = pythonPaths(config);
  const lab = new Deno.Command(paths.jupyter, {
    // Jupyter refuses to run as root without being told; containers and CI run as root.
    args: [
      "lab",
      "--ip",
      "127.0.0.1",
      "--no-browser",
      ...(Deno.uid() === 0 ? ["--allow-root"] : []),
      ...args,
    ],
    cwd: `${config.root}/notebooks`,
    env: {
      ...serviceEnv(config),
      LLMOPS_STACK_DIR: config.dir,
      PATH: `${paths.venv}/bin:${Deno.env.get("PATH") ?? ""}`,
    },
    stdin: "null",
  }).spawn();
  const removeHandlers = stopOnSignals(async () => {
    try {
      lab.kill("SIGTERM");
    } catch {
      // already gone
    }
    await lab.status;
    await stack.stop();
  });
  const { code } = await lab.status;
  removeHandlers();
  await stack.stop();
  return code;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    console.error(`lab: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
