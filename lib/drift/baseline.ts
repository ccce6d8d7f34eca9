/**
 * Baseline files: a reference of LLM columns read from a CSV that the export command (or
 * `deno task baseline`) wrote, to pin as the drift monitor's reference.
 *
 * The project ships one, the *bundled baseline*: real responses of the bundled model to
 * `general_knowledge.json`, so that drift can be measured from the first responses of a fresh
 * install. It carries no timing columns (latency, time to first token, tokens per second): those
 * depend on the machine, and a baseline measured on one machine would flag every other machine
 * as drifted. With it the report compares the columns of text, tokens, status and model.
 *
 * Browser-safe: parsing only, no files.
 *
 * @module
 */

import { llmColumns, type LlmColumnsRow } from "./llm_columns.ts";
import { LLM_COLUMNS } from "./llm_report.ts";
import { parseCsv } from "./table.ts";

/** The bundled baseline: its file in `datasets/`, the model and dataset it was made from. */
export const BUNDLED_BASELINE = Object.freeze({
  file: "baseline_smollm2.csv",
  model: "smollm2:135m",
  dataset: "general_knowledge.json",
});

/** Columns that depend on the machine's speed, left out of a portable baseline. */
export const TIMING_COLUMNS: readonly string[] = Object.freeze([
  "latency_s",
  "ttft_s",
  "tokens_per_s",
]);

/**
 * Reads a baseline CSV (the export's columns, any subset of the LLM columns) into rows with every
 * LLM column (missing ones null, so the report leaves them out). `name` is used in errors.
 * Throws a RangeError for an empty file or a column that is not an LLM column. O(cells).
 *
 * @example
 * ```ts
 * import { parseBaseline } from "./baseline.ts";
 * const rows = parseBaseline("response_chars,status\n120,success\n", "base.csv");
 * [rows[0].response_chars, rows[0].latency_s]; // [120, null]
 * ```
 */
export function parseBaseline(text: string, name: string): LlmColumnsRow[] {
  const rows = parseCsv(text);
  if (rows.length === 0) {
    throw new RangeError(`Expected ${name} to hold at least one baseline row, found none`);
  }
  const known = new Set(LLM_COLUMNS);
  const unknown = Object.keys(rows[0]).filter((c) => !known.has(c));
  if (unknown.length) {
    throw new RangeError(
      `Expected ${name} to have LLM columns (${LLM_COLUMNS.join(", ")}), found ${
        unknown.join(", ")
      }`,
    );
  }
  const empty = llmColumns([{}])[0];
  return rows.map((row) => {
    const out: LlmColumnsRow = { ...empty };
    for (const column of LLM_COLUMNS) {
      const v = row[column];
      out[column] = v === undefined || v === null ? null : v as number | string;
    }
    return out;
  });
}

/**
 * Rows without the machine-dependent timing columns ({@linkcode TIMING_COLUMNS}), as the bundled
 * baseline is written. O(cells).
 *
 * @example
 * ```ts
 * import { withoutTimings } from "./baseline.ts";
 * withoutTimings([{ latency_s: 1.2, response_chars: 80 }]); // [{ response_chars: 80 }]
 * ```
 */
export function withoutTimings<T extends Record<string, unknown>>(rows: readonly T[]): T[] {
  return rows.map((row) => {
    const out = { ...row };
    for (const c of TIMING_COLUMNS) delete out[c];
    return out;
  });
}
