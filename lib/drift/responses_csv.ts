/**
 * The CSV of the LLM columns of response events, as the export command writes it and the drift
 * CLI reads it back.
 *
 * @module
 */

import { llmColumns, type LlmResponseLike } from "./llm_columns.ts";
import { comparableColumns, LLM_COLUMNS, toCsv } from "./llm_report.ts";

/**
 * The CSV of the LLM columns of response events; columns without any value are left out, so the
 * drift CLI never meets an empty column.
 *
 * @example
 * ```ts
 * import { responsesCsv } from "./responses_csv.ts";
 * responsesCsv([{ latency_ms: 1200, status: "success" }]).split("\n")[0]; // "latency_s,status"
 * ```
 */
export function responsesCsv(events: readonly LlmResponseLike[]): string {
  const rows = llmColumns(events);
  if (rows.length === 0) return LLM_COLUMNS.join(",") + "\n";
  return toCsv(rows, comparableColumns(rows, rows));
}
