/**
 * Command line: drift report between two tables.
 *
 * ```
 * deno run --allow-read lib/drift/cli.ts --reference FILE --current FILE \
 *   [--columns a,b] [--stattest NAME] [--threshold X] [--drift-share X] [--json]
 * ```
 *
 * Exit codes: 0 success, 2 bad input (one error line on stderr).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { driftReport, formatReport, toJsonSafe } from "./report.ts";
import { STATTEST_NAMES } from "./registry.ts";
import { formatFromName, parseTable } from "./table.ts";
import type { Row, StatTestName } from "./types.ts";

const USAGE =
  "usage: cli.ts --reference FILE --current FILE [--columns a,b] [--stattest NAME] [--threshold X] [--drift-share X] [--json]";

/** An input error: printed as one line, exit code 2.  *
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

function parseNumberArg(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0) {
    throw new CliError(`--${name} expects a non-negative number, got ${JSON.stringify(value)}`);
  }
  return n;
}

/**
 * Runs the CLI with the given arguments; returns the text to print. Throws CliError on bad
 * input.
 *
 * @example
 * ```ts ignore
 * import { runCli } from "./cli.ts";
 * console.log(runCli(["--reference", "ref.csv", "--current", "cur.csv", "--json"]));
 * ```
 */
export function runCli(args: string[]): string {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        reference: { type: "string" },
        current: { type: "string" },
        columns: { type: "string" },
        stattest: { type: "string" },
        threshold: { type: "string" },
        "drift-share": { type: "string" },
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
  if (!values.reference) throw new CliError(`missing --reference; ${USAGE}`);
  if (!values.current) throw new CliError(`missing --current; ${USAGE}`);
  if (values.stattest !== undefined && !STATTEST_NAMES.includes(values.stattest as StatTestName)) {
    throw new CliError(
      `unknown stattest ${JSON.stringify(values.stattest)}; available: ${
        STATTEST_NAMES.join(", ")
      }`,
    );
  }
  const threshold = parseNumberArg("threshold", values.threshold);
  const driftShare = parseNumberArg("drift-share", values["drift-share"]);
  const columns = values.columns?.split(",").map((c) => c.trim()).filter((c) => c !== "");
  if (values.columns !== undefined && (!columns || columns.length === 0)) {
    throw new CliError("--columns expects a comma-separated list of column names");
  }
  const reference = readRows(values.reference, "reference");
  const current = readRows(values.current, "current");
  let report;
  try {
    report = driftReport(reference, current, {
      columns,
      stattest: values.stattest as StatTestName | undefined,
      threshold,
      driftShare,
    });
  } catch (err) {
    if (err instanceof TypeError || err instanceof RangeError) throw new CliError(err.message);
    throw err;
  }
  return values.json ? JSON.stringify(toJsonSafe(report), null, 2) : formatReport(report);
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
