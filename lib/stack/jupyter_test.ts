/** executeNotebook against the real Jupyter and Deno kernel of the stack's virtualenv. */
import assert from "node:assert/strict";
import { stripAnsi } from "./ansi.ts";
import { executeNotebook } from "./jupyter.ts";
import { INTEGRATION, integrationConfig } from "./testing.ts";

const cell = (source: string, tags?: string[]) => ({
  cell_type: "code",
  metadata: tags ? { tags } : {},
  execution_count: null,
  outputs: [],
  source: [source],
});

Deno.test({
  name:
    "executeNotebook keeps each output with its cell and runs a tagged display cell again when it showed nothing",
  ...INTEGRATION,
  fn: async () => {
    const config = integrationConfig();
    const dir = await Deno.makeTempDir({ prefix: "jupyter-test-" });
    try {
      const notebook = {
        cells: [
          cell("const xs = [1, 2, 3];\nxs.reduce((a, b) => a + b, 0) * 7"),
          cell(
            'await Deno.jupyter.display({ "application/json": { total: 3 }, "text/plain": "3" }, { raw: true });',
            ["kpis"],
          ),
          { cell_type: "markdown", metadata: {}, source: ["# between"] },
          // shows nothing the first time it runs, as a dropped display would
          cell(
            "globalThis.runs = (globalThis.runs ?? 0) + 1;\n" +
              'if (globalThis.runs > 1) await Deno.jupyter.display({ "text/plain": "shown" }, { raw: true });',
            ["plot"],
          ),
          cell('"last"'),
          // output published after the last cell was reported done, by no display function
          cell('setTimeout(() => console.log("late line"), 300);'),
        ],
        metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } },
        nbformat: 4,
        nbformat_minor: 5,
      };
      await Deno.writeTextFile(`${dir}/n.ipynb`, JSON.stringify(notebook));
      const run = await executeNotebook(config, `${dir}/n.ipynb`, {
        outputPath: `${dir}/n.out.ipynb`,
        cellTimeoutS: 120,
        lateOutputS: 2,
      });
      assert.deepEqual(run.reexecuted, [3]);
      const cells = JSON.parse(await Deno.readTextFile(`${dir}/n.out.ipynb`)).cells as {
        outputs?: { output_type: string; data?: Record<string, unknown> }[];
      }[];
      // text as nbformat keeps it: a string or a list of lines, with the kernel's colours
      const text = (v: unknown) => stripAnsi(Array.isArray(v) ? v.join("") : String(v));
      const data = (i: number) => cells[i].outputs?.map((o) => text(o.data?.["text/plain"]));
      assert.deepEqual(data(0), ["42"]);
      assert.deepEqual(cells[1].outputs?.[0].data?.["application/json"], { total: 3 });
      assert.deepEqual(data(3), ["shown"]);
      assert.equal(cells[4].outputs?.length, 1);
      assert.match(String(data(4)?.[0]), /last/);
      const late = cells[5].outputs as { output_type: string; text?: unknown }[] | undefined;
      assert.deepEqual(
        late?.filter((o) => o.output_type === "stream").map((o) => text(o.text).trim()),
        ["late line"],
      );
      assert.ok(run.late_outputs >= 1, `late outputs ${run.late_outputs}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
