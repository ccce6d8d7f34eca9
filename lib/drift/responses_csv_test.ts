/** The CSV of response events' LLM columns. */
import assert from "node:assert/strict";
import { responses } from "./_llm_testing.ts";
import { responsesCsv } from "./responses_csv.ts";
import { parseCsv } from "./table.ts";

Deno.test("the response CSV leaves out columns without values and reads back as the LLM columns", () => {
  const events = responses(3, 41, true).map((e) => ({ ...e, ttft_ms: null }));
  const csv = responsesCsv(events);
  const header = csv.split("\n")[0].split(",");
  assert.equal(header.includes("ttft_s"), false);
  assert.equal(header[0], "latency_s");
  const rows = parseCsv(csv);
  assert.equal(rows.length, 3);
  assert.equal(rows[0].latency_s, events[0].latency_ms / 1000);
  assert.equal(rows[0].prompt_chars, [...events[0].prompt].length);
});
