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
  /**
   * Cells with one of these tags must show something (default `plot`, `kpis`, `display`): one
   * that shows nothing, even after waiting for late output, is executed again (at most twice).
   */
  displayTags?: string[];
  /** Seconds to wait for a display that is late. Default 10. */
  lateOutputS?: number;
}

/** What {@linkcode executeNotebook} had to do beyond running the cells once. */
export interface NotebookRun {
  /** Outputs that arrived after their cell was reported done (and were kept in that cell). */
  late_outputs: number;
  /** Indexes of cells executed again because they showed nothing. */
  reexecuted: number[];
}

/**
 * The notebook runner (nbclient, in the project's virtualenv). The Deno kernel sometimes
 * publishes a cell's display after it reported the cell done; plain nbclient (and so
 * `jupyter nbconvert --execute`) then drops it. This runner keeps every output with the cell it
 * belongs to, by the id of the request that made it, whenever it arrives; after the last cell it
 * waits (up to `lateOutputS`) for any cell that calls a display function and shows nothing yet,
 * then reads on until the kernel has been quiet for a second (an expression's late value, a late
 * log line), and executes a cell that must display (`displayTags`) again when nothing came.
 */
const RUNNER = String.raw`
import asyncio, json, os, queue, re, sys
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionComplete

source_path, output_path, timeout, late_s, tags_json = sys.argv[1:6]
must_display_tags = set(json.loads(tags_json))
DISPLAY_CALL = re.compile(r"\b(show|display|Deno\.jupyter\.(display|broadcast|html|md|svg|image))\s*[(\x60]")
SHOWN = {"display_data", "execute_result"}

def shows(cell):
    return any(o.get("output_type") in SHOWN for o in cell.get("outputs", []))

class Runner(NotebookClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cell_of_request = {}
        self.late = 0

    def route(self, msg):
        """Keeps an output that arrived for an earlier cell with that cell."""
        index = self.cell_of_request.get(msg["parent_header"].get("msg_id"))
        if index is None or msg["msg_type"] in ("status", "execute_input"):
            return
        try:
            self.process_message(msg, self.nb.cells[index], index)
            self.late += 1
        except CellExecutionComplete:
            pass

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        self.cell_of_request[parent_msg_id] = cell_index
        while True:
            msg = await self.kc.iopub_channel.get_msg(timeout=None)
            if msg["parent_header"].get("msg_id") == parent_msg_id:
                try:
                    self.process_message(msg, cell, cell_index)
                except CellExecutionComplete:
                    return
            else:
                self.route(msg)

    async def wait_for(self, indexes, seconds):
        """Reads late messages until every cell of indexes shows something or time is up."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while any(not shows(self.nb.cells[i]) for i in indexes):
            left = deadline - loop.time()
            if left <= 0:
                return
            try:
                msg = await self.kc.iopub_channel.get_msg(timeout=min(left, 1.0))
            except queue.Empty:
                continue
            self.route(msg)

    async def drain(self, quiet, seconds):
        """Reads late messages until none came for quiet seconds (at most seconds in all)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            left = deadline - loop.time()
            if left <= 0:
                return
            try:
                msg = await self.kc.iopub_channel.get_msg(timeout=min(left, quiet))
            except queue.Empty:
                return
            self.route(msg)

async def main():
    nb = nbformat.read(source_path, as_version=4)
    client = Runner(
        nb,
        timeout=int(timeout),
        kernel_name="deno",
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(source_path))}},
    )
    reexecuted = []
    async with client.async_setup_kernel():
        code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
        for index, cell in code:
            await client.async_execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
        expected = [i for i, c in code
                    if DISPLAY_CALL.search(c.source) or must_display_tags & set(c.metadata.get("tags", []))]
        await client.wait_for(expected, float(late_s))
        # Any cell's output may come late, an expression's value too: the last cell has no next
        # cell whose run would pick it up, so read until the kernel has been quiet for a second.
        await client.drain(1.0, float(late_s))
        for index, cell in code:
            if shows(cell) or not must_display_tags & set(cell.metadata.get("tags", [])):
                continue
            for attempt in range(2):
                reexecuted.append(index)
                cell.outputs = []
                await client.async_execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
                await client.wait_for([index], float(late_s))
                if shows(cell):
                    break
    nbformat.write(nb, output_path)
    print(json.dumps({"late_outputs": client.late, "reexecuted": reexecuted}))

asyncio.run(main())
`;

/**
 * Executes a notebook top to bottom with the Deno kernel, headless, keeping late outputs with
 * their cells and executing again a tagged display cell that showed nothing (see
 * {@linkcode ExecuteNotebookOptions.displayTags}); throws with the failing cell's error when any
 * cell fails.
 *
 * @example
 * ```ts
 * const run = await executeNotebook(loadStackConfig(), "notebooks/01_live_metrics.ipynb", {
 *   outputPath: "/tmp/01.ipynb",
 * });
 * run.late_outputs; // outputs that came after their cell was reported done
 * ```
 */
export async function executeNotebook(
  config: StackConfig,
  notebookPath: string,
  options: ExecuteNotebookOptions,
): Promise<NotebookRun> {
  const paths = pythonPaths(config);
  const out = await new Deno.Command(paths.python, {
    args: [
      "-c",
      RUNNER,
      notebookPath,
      options.outputPath,
      String(options.cellTimeoutS ?? 300),
      String(options.lateOutputS ?? 10),
      JSON.stringify(options.displayTags ?? ["plot", "kpis", "display"]),
    ],
    env: { ...options.env, PATH: `${paths.venv}/bin:${Deno.env.get("PATH") ?? ""}` },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const stderr = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-30).join("\n");
    throw new Error(`notebook ${notebookPath} failed (exit code ${out.code}):\n${stderr}`);
  }
  const stdout = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1) ?? "{}";
  return JSON.parse(stdout) as NotebookRun;
}
