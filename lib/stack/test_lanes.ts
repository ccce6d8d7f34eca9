/**
 * The lanes of `deno task test`: which test files may run side by side. Read from each file's
 * source, so a new test lands in a lane without a list to keep:
 *
 * - `unit`: no service. All of them run in one `deno test --parallel`.
 * - `product`: uses the product's topics or consumer groups on the shared stack (a real
 *   `server/main.ts` or worker CLI, a `deno task serve|worker|demo|stream` it runs, `GROUPS.*`, `TOPICS.requests|responses`, the notebooks, a
 *   reader of the product topic). These must not overlap each other: one after the other.
 * - `isolated`: uses the shared stack on topics, groups and experiments of its own. One after
 *   the other as well (they share two cores with the services), but beside the other lanes.
 * - `own-stack`: starts a private (or scratch) stack of its own, where the product's topics are
 *   its own too (or says `@lane own-stack` in its source, e.g. a second `deno task stack up`). One after the other: each stack is a Kafka, an MLflow and an Ollama.
 *
 * @module
 */

/** A lane of the test suite. */
export type TestLane = "unit" | "product" | "isolated" | "own-stack";

/** The lanes, in the order their results are reported. */
export const TEST_LANES: readonly TestLane[] = Object.freeze([
  "unit",
  "isolated",
  "own-stack",
  "product",
]);

/**
 * The lanes that run one after the other, each sequence beside the others. The isolated and
 * product lanes share the stack's one Ollama: side by side, each suite's model calls waited
 * behind the other's on two cores and ran into their timeouts; one after the other they do
 * not. A private stack brings an Ollama of its own, so the own-stack lane runs beside them.
 */
export const TEST_TRACKS: readonly (readonly TestLane[])[] = Object.freeze([
  ["unit"],
  ["isolated", "product"],
  ["own-stack"],
]);

/** A test that needs services: the integration options, the stack, a browser, a kernel. */
const NEEDS_SERVICES =
  /\bINTEGRATION\b|\bintegrationConfig\(|_private_stack|_scratch_stack|_browser_server|playwright|\bexecuteNotebook\(/;

/** A test that runs on a stack of its own, product topics included. */
const OWN_STACK = /\bstartPrivateStack\(|\bplanPrivateStack\(|_scratch_stack|@lane own-stack\b/;

/** A test that touches what the product itself runs on. */
const USES_PRODUCT =
  /server\/main\.ts|_browser_server|worker_cli\.ts|"task", "(serve|worker|demo|stream)"|\bGROUPS\.|\bTOPICS\.(requests|responses)\b|\breadResponses\(kafka\)/;

/**
 * The lane of a test file, from its source.
 *
 * @example
 * ```ts
 * laneOf('import { INTEGRATION } from "../stack/testing.ts"; … TOPICS.requests …'); // "product"
 * laneOf("Deno.test('adds', () => {})"); // "unit"
 * ```
 */
export function laneOf(source: string): TestLane {
  if (!NEEDS_SERVICES.test(source)) return "unit";
  if (OWN_STACK.test(source)) return "own-stack";
  return USES_PRODUCT.test(source) ? "product" : "isolated";
}

/**
 * Every test file under the project's root (`*_test.ts`, `*_test.tsx`), sorted, skipping
 * dot-folders, `node_modules` and the folders named in `exclude`.
 */
export async function findTestFiles(
  root: string,
  exclude: readonly string[] = [".stack", "node_modules", "test-artifacts"],
): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(`${root}/${dir}`)) {
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory) {
        if (!entry.name.startsWith(".") && !exclude.includes(entry.name)) await walk(path);
      } else if (/_test\.tsx?$/.test(entry.name)) found.push(path);
    }
  };
  await walk("");
  return found.sort();
}

/** The test files of each lane. */
export async function planLanes(
  root: string,
  files?: readonly string[],
): Promise<Record<TestLane, string[]>> {
  const lanes: Record<TestLane, string[]> = {
    unit: [],
    product: [],
    isolated: [],
    "own-stack": [],
  };
  for (const file of files ?? await findTestFiles(root)) {
    lanes[laneOf(await Deno.readTextFile(`${root}/${file}`))].push(file);
  }
  return lanes;
}
