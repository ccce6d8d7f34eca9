/**
 * The project's import graph, read from source text: which module imports which (relative paths
 * resolved, bare specifiers such as `kafkajs` kept as they are), whether an import is for types
 * only, and checks of import rules over it. It keeps the layering of DESIGN.md held: the test
 * `lib/import_rules_test.ts` fails when a module reaches into a room it must not.
 *
 * @module
 */

/** One import of a module. */
export interface ImportEdge {
  /** Project-relative path of the imported module, or the bare specifier (`kafkajs`). */
  target: string;
  /** True for `import type` / `export type` (erased at run time). */
  typeOnly: boolean;
}

/** Imports by project-relative module path. */
export type ImportGraph = Map<string, ImportEdge[]>;

const STATIC =
  /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[\w*{}\s,$]*?\s+from\s+)?["']([^"']+)["']/g;
const DYNAMIC = /\bimport\(\s*["']([^"']+)["']\s*\)/g;

/**
 * The imports of one module's source text. `from` is the module's project-relative path; relative
 * specifiers are resolved against it, others are kept (with `npm:` and version stripped).
 *
 * @example
 * ```ts
 * parseImports("lib/a/x.ts", 'import type { T } from "../b/y.ts";\nimport "kafkajs";');
 * // [{ target: "lib/b/y.ts", typeOnly: true }, { target: "kafkajs", typeOnly: false }]
 * ```
 */
export function parseImports(from: string, source: string): ImportEdge[] {
  const text = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const edges: ImportEdge[] = [];
  for (const m of text.matchAll(STATIC)) {
    edges.push({ target: resolve(from, m[3]), typeOnly: m[2] !== undefined });
  }
  for (const m of text.matchAll(DYNAMIC)) {
    edges.push({ target: resolve(from, m[1]), typeOnly: false });
  }
  return edges;
}

function resolve(from: string, specifier: string): string {
  if (!specifier.startsWith(".")) {
    const bare = specifier.replace(/^npm:\/?/, "").replace(/^node:/, "node:");
    // "@scope/name@1.2.3/sub" or "name@1/sub" → "@scope/name/sub" / "name/sub"
    return bare.replace(/^(@[^/]+\/[^@/]+|[^@/]+)@[^/]+/, "$1");
  }
  const parts = from.split("/").slice(0, -1);
  for (const piece of specifier.split("/")) {
    if (piece === "..") parts.pop();
    else if (piece !== ".") parts.push(piece);
  }
  return parts.join("/");
}

/** A rule: modules matching `from` must not import (directly) modules matching `to`. */
export interface ImportRule {
  from: (module: string) => boolean;
  to: (target: string) => boolean;
  /** Why, in words (shown with each violation). */
  because: string;
  /** Also forbid type-only imports. Default false: types may cross, run-time code may not. */
  types?: boolean;
}

/** An import that breaks a rule. */
export interface ImportViolation {
  module: string;
  target: string;
  because: string;
}

/**
 * The direct imports that break a rule.
 *
 * @example
 * ```ts
 * const graph = new Map([["lib/drift/x.ts", [{ target: "kafkajs", typeOnly: false }]]]);
 * importViolations(graph, [{
 *   from: (m) => m.startsWith("lib/drift/"), to: (t) => t === "kafkajs", because: "pure",
 * }]).length; // 1
 * ```
 */
export function importViolations(graph: ImportGraph, rules: ImportRule[]): ImportViolation[] {
  const found: ImportViolation[] = [];
  for (const [module, edges] of graph) {
    for (const rule of rules) {
      if (!rule.from(module)) continue;
      for (const edge of edges) {
        if ((rule.types || !edge.typeOnly) && rule.to(edge.target)) {
          found.push({ module, target: edge.target, because: rule.because });
        }
      }
    }
  }
  return found;
}

/**
 * Every module reached at run time from `entry` (type-only imports are not followed), with the
 * path that reaches it, for checks of what a browser bundle pulls in.
 *
 * @example
 * ```ts
 * const graph = new Map([["a.ts", [{ target: "b.ts", typeOnly: false }]], ["b.ts", []]]);
 * runtimeClosure(graph, "a.ts").get("b.ts"); // ["a.ts", "b.ts"]
 * ```
 */
export function runtimeClosure(graph: ImportGraph, entry: string): Map<string, string[]> {
  const reached = new Map<string, string[]>([[entry, [entry]]]);
  const queue = [entry];
  while (queue.length > 0) {
    const module = queue.shift()!;
    for (const edge of graph.get(module) ?? []) {
      if (edge.typeOnly || reached.has(edge.target)) continue;
      reached.set(edge.target, [...reached.get(module)!, edge.target]);
      queue.push(edge.target);
    }
  }
  return reached;
}
