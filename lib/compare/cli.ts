/**
 * Command line: compare two tables (A and B) column by column with significance tests.
 *
 * ```
 * deno run --allow-read lib/compare/cli.ts --a FILE --b FILE [--columns c1,c2] [--alpha 0.05] \
 *   [--adjust holm|bh] [--level 0.95] [--resamples 2000] [--seed 1] [--json]
 * ```
 *
 * Files are CSV, JSON (an array of objects) or JSONL, read as `deno task drift` reads them.
 * Exit codes: 0 success, 2 bad input (one error line on stderr).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { formatFromName, parseTable, toJsonSafe } from "../drift/mod.ts";
import { ADJUST_METHODS, type AdjustMethod } from "./adjust.ts";
import { compareColumns, type Row } from "./compare.ts";
import { formatComparison } from "./verdict.ts";

const USAGE =
  "usage: cli.ts --a FILE --b FILE [--columns c1,c2] [--alpha 0.05] [--adjust holm|bh] [--level 0.95] [--resamples 2000] [--seed 1] [--json]";

/** An input error: printed as one line, exit code 2.
 *
 * @example
 * ```ts
 * import { CliError } from "./cli.ts";
 * new CliError("unknown column").message; // "unknown column"
 * ```
 */
export class CliError extends Error {
  override name = "CliError";
}

function readRows(path: string, label: string): Row[] {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (err) {
    const reason = err instanceof Deno.errors.NotFound ? "file not found" : (err as Error).message;
    throw new CliError(`cannot read ${label} file ${path}: ${reason}`);
  }
  try {
    const rows = parseTable(text, formatFromName(path));
    if (rows.length === 0) throw new CliError(`${label} file ${path} has no rows`);
    return rows;
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`${label} file ${path}: ${(err as Error).message}`);
  }
}

function parseNumberArg(
  name: string,
  value: string | undefined,
  check: (n: number) => boolean,
  expected: string,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !check(n)) {
    throw new CliError(`--${name} expects ${expected}, got ${JSON.stringify(value)}`);
  }
  return n;
}

const inUnitInterval = (n: number) => n > 0 && n < 1;

/**
 * Runs the CLI with the given arguments; returns the text to print (the JSON object with
 * `--json`, else a table and one verdict per column). Throws CliError on bad input.
 *
 * @example
 * ```ts ignore
 * import { runCli } from "./cli.ts";
 * console.log(runCli(["--a", "a.csv", "--b", "b.jsonl", "--columns", "latency_s", "--json"]));
 * ```
 */
export function runCli(args: string[]): string {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        a: { type: "string" },
        b: { type: "string" },
        columns: { type: "string" },
        alpha: { type: "string" },
        adjust: { type: "string" },
        level: { type: "string" },
        resamples: { type: "string" },
        seed: { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new CliError(`${(err as Error).message}; ${USAGE}`);
  }
  if (values.help) return USAGE;
  if (!values.a) throw new CliError(`missing --a; ${USAGE}`);
  if (!values.b) throw new CliError(`missing --b; ${USAGE}`);
  const alpha = parseNumberArg("alpha", values.alpha, inUnitInterval, "a number in (0, 1)");
  const level = parseNumberArg("level", values.level, inUnitInterval, "a number in (0, 1)");
  const resamples = parseNumberArg(
    "resamples",
    values.resamples,
    (n) => Number.isInteger(n) && n >= 1,
    "a positive integer",
  );
  const seed = parseNumberArg("seed", values.seed, Number.isInteger, "an integer");
  if (values.adjust !== undefined && !ADJUST_METHODS.includes(values.adjust as AdjustMethod)) {
    throw new CliError(
      `--adjust expects ${ADJUST_METHODS.join(" or ")}, got ${JSON.stringify(values.adjust)}`,
    );
  }
  const columns = values.columns?.split(",").map((c) => c.trim()).filter((c) => c !== "");
  if (values.columns !== undefined && (!columns || columns.length === 0)) {
    throw new CliError("--columns expects a comma-separated list of column names");
  }
  const a = readRows(values.a, "A");
  const b = readRows(values.b, "B");
  let result;
  try {
    result = compareColumns(a, b, {
      columns,
      alpha,
      adjust: values.adjust as AdjustMethod | undefined,
      level,
      resamples,
      seed,
    });
  } catch (err) {
    if (err instanceof TypeError || err instanceof RangeError) throw new CliError(err.message);
    throw err;
  }
  return values.json ? JSON.stringify(toJsonSafe(result), null, 2) : formatComparison(result);
}

if (import.meta.main) {
  try {
    console.log(runCli(Deno.args));
  } catch (err) {
    if (err instanceof CliError) {
      console.error(`error: ${err.message}`);
      Deno.exit(2);
    }
    console.error(`error: ${(err as Error)?.message ?? String(err)}`);
    Deno.exit(1);
  }
}
