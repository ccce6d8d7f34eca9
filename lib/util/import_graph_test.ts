/** Reading imports from source text and checking rules over them, on small in-memory sources. */
import assert from "node:assert/strict";
import {
  type ImportGraph,
  importViolations,
  parseImports,
  runtimeClosure,
} from "./import_graph.ts";

Deno.test("imports are read with their kind, relative paths resolved, npm versions dropped", () => {
  const source = [
    '/** import "ignored-in-a-comment"; */',
    'import type { Kafka } from "kafkajs";',
    'import { z } from "zod";',
    'import { a, type B } from "../kafka/mod.ts";',
    'export * from "./windows.ts";',
    'export type { T } from "./types.ts";',
    'import * as Plot from "npm:@observablehq/plot@0.6.17";',
    'const lazy = await import("../stack/config.ts");',
    'import "./side_effect.ts";',
  ].join("\n");
  assert.deepEqual(parseImports("lib/drift/x.ts", source), [
    { target: "kafkajs", typeOnly: true },
    { target: "zod", typeOnly: false },
    { target: "lib/kafka/mod.ts", typeOnly: false },
    { target: "lib/drift/windows.ts", typeOnly: false },
    { target: "lib/drift/types.ts", typeOnly: true },
    { target: "@observablehq/plot", typeOnly: false },
    { target: "lib/drift/side_effect.ts", typeOnly: false },
    { target: "lib/stack/config.ts", typeOnly: false },
  ]);
});

Deno.test("a rule finds run-time imports across it, and type imports only when asked", () => {
  const graph: ImportGraph = new Map([
    ["lib/drift/a.ts", [{ target: "kafkajs", typeOnly: true }]],
    ["lib/drift/b.ts", [{ target: "kafkajs", typeOnly: false }]],
    ["lib/metrics/c.ts", [{ target: "kafkajs", typeOnly: false }]],
  ]);
  const rule = {
    from: (m: string) => m.startsWith("lib/drift/"),
    to: (t: string) => t === "kafkajs",
    because: "statistics know no transport",
  };
  assert.deepEqual(importViolations(graph, [rule]), [
    { module: "lib/drift/b.ts", target: "kafkajs", because: "statistics know no transport" },
  ]);
  assert.equal(importViolations(graph, [{ ...rule, types: true }]).length, 2);
});

Deno.test("the run-time closure follows value imports only and keeps the path", () => {
  const graph: ImportGraph = new Map([
    ["ui.tsx", [{ target: "lib/x.ts", typeOnly: false }, { target: "lib/t.ts", typeOnly: true }]],
    ["lib/x.ts", [{ target: "kafkajs", typeOnly: false }]],
    ["lib/t.ts", [{ target: "lib/heavy.ts", typeOnly: false }]],
  ]);
  const reached = runtimeClosure(graph, "ui.tsx");
  assert.deepEqual(reached.get("kafkajs"), ["ui.tsx", "lib/x.ts", "kafkajs"]);
  assert.equal(reached.has("lib/t.ts"), false);
  assert.equal(reached.has("lib/heavy.ts"), false);
});
