/**
 * The import rules of DESIGN.md, held against the code: every module's imports are read from
 * its source and checked. A new module that reaches across a rule fails here, naming the import
 * and the rule.
 */
import assert from "node:assert/strict";
import {
  type ImportGraph,
  type ImportRule,
  importViolations,
  parseImports,
  runtimeClosure,
} from "./util/import_graph.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const FOLDERS = ["lib", "server", "bench"];

async function readGraph(): Promise<ImportGraph> {
  const graph: ImportGraph = new Map();
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(`${ROOT}${dir}`)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory && !["testdata", "static"].includes(entry.name)) await walk(path);
      else if (/\.tsx?$/.test(entry.name)) {
        graph.set(path, parseImports(path, await Deno.readTextFile(`${ROOT}${path}`)));
      }
    }
  };
  for (const folder of FOLDERS) await walk(folder);
  return graph;
}

const isTest = (m: string) => /_test\.tsx?$/.test(m) || /\/_[^/]*test[^/]*\.ts$/.test(m);
const inArea = (...areas: string[]) => (m: string) =>
  !isTest(m) && areas.some((a) => m.startsWith(`lib/${a}/`));
const KAFKA = (t: string) => t === "kafkajs" || t.startsWith("lib/kafka/");
const STACK = (t: string) => t.startsWith("lib/stack/");
const SERVER = (t: string) => t.startsWith("server/");

/** The rules (DESIGN.md, "Layout and conventions"). */
const RULES: ImportRule[] = [
  {
    from: inArea("drift", "compare", "metrics", "events", "plots", "alerts"),
    to: KAFKA,
    because: "statistics, contracts, alert logic and charts know no transport",
  },
  {
    from: inArea("drift", "compare", "metrics", "events", "plots"),
    to: STACK,
    because: "statistics, contracts and charts need no services",
  },
  {
    from: inArea("llm", "mlflow", "gateway"),
    to: KAFKA,
    because: "a model call, a REST client and a dialect know no transport; the loops do",
  },
  {
    from: inArea("llm"),
    to: (t) => t.startsWith("lib/mlflow/"),
    because: "a model call does not log: the sink does, off the request path",
  },
  {
    // end-to-end tests (lib/e2e) drive the composed system, server included
    from: (m) => m.startsWith("lib/") && !m.startsWith("lib/e2e/"),
    to: SERVER,
    because: "lib knows no UI or server (its tests included)",
    types: true,
  },
];

Deno.test("no module imports across the rules of DESIGN.md", async () => {
  const graph = await readGraph();
  assert.ok(graph.size > 100, `expected the whole project, read ${graph.size} modules`);
  const violations = importViolations(graph, RULES);
  assert.deepEqual(
    violations.map((v) => `${v.module} imports ${v.target}: ${v.because}`),
    [],
  );
});

Deno.test("every loop over a topic lives in lib/consumers: only it (and kafka, stack, the client) run consumers", async () => {
  const graph = await readGraph();
  const consumerUsers = [...graph].filter(([module, edges]) =>
    !isTest(module) && module.startsWith("lib/") &&
    // lib/e2e holds only end-to-end tests and their helpers
    !["lib/consumers/", "lib/kafka/", "lib/stack/", "lib/client/", "lib/stream/", "lib/e2e/"]
      .some((a) => module.startsWith(a)) &&
    edges.some((e) => !e.typeOnly && KAFKA(e.target))
  ).map(([module]) => module);
  assert.deepEqual(consumerUsers, []);
});

Deno.test("the browser bundle reaches no Kafka, no stack, no consumer loop and no Deno-only server code", async () => {
  const graph = await readGraph();
  const reached = runtimeClosure(graph, "server/ui/main.tsx");
  assert.ok(reached.size > 20, `the UI's closure looks too small: ${reached.size}`);
  const forbidden = [...reached].filter(([module]) =>
    KAFKA(module) || STACK(module) || module.startsWith("lib/consumers/") ||
    (SERVER(module) && !module.startsWith("server/ui/"))
  ).map(([, path]) => path.join(" → "));
  assert.deepEqual(forbidden, []);
});
