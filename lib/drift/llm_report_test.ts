import assert from "node:assert/strict";
import { llmColumns } from "./llm_columns.ts";
import {
  checkLlmDriftOptions,
  comparableColumns,
  driftFromResponses,
  driftFromRows,
  LLM_COLUMNS,
  toCsv,
} from "./llm_report.ts";
import { driftReport, toJsonSafe } from "./report.ts";
import { parseCsv, parseCsvRecords } from "./table.ts";
import { responses } from "./_llm_testing.ts";

Deno.test("responses from the same distribution show no dataset drift", () => {
  const reference = Object.freeze(responses(120, 1, false));
  const current = Object.freeze(responses(120, 2, false));
  const report = driftFromResponses(reference, current);
  assert.equal(report.reference_rows, 120);
  assert.equal(report.current_rows, 120);
  assert.equal(report.columns_total, LLM_COLUMNS.length);
  assert.equal(report.dataset_drift, false);
  assert.ok(report.share_of_drifted_columns < 0.5, String(report.share_of_drifted_columns));
  for (const column of ["latency_s", "ttft_s", "prompt_chars", "tokens_per_s"]) {
    const c = report.columns.find((c) => c.column === column)!;
    assert.equal(c.drifted, false, `${column}: score ${c.score} vs threshold ${c.threshold}`);
  }
});

Deno.test("a shift to long foreign prompts and three times the latency is dataset drift", () => {
  const reference = responses(120, 1, false);
  const current = responses(120, 3, true);
  const report = driftFromResponses(reference, current);
  assert.equal(report.dataset_drift, true);
  assert.ok(report.share_of_drifted_columns >= report.drift_share);
  const drifted = new Set(report.columns.filter((c) => c.drifted).map((c) => c.column));
  for (
    const column of [
      "latency_s",
      "ttft_s",
      "prompt_chars",
      "prompt_words",
      "prompt_tokens",
      "prompt_non_ascii_share",
      "response_chars",
    ]
  ) {
    assert.ok(drifted.has(column), `${column} should drift; drifted: ${[...drifted]}`);
  }
  for (const column of ["status", "model"]) assert.ok(!drifted.has(column), column);
  const latency = report.columns.find((c) => c.column === "latency_s")!;
  assert.equal(latency.stattest, "ks");
  assert.ok(latency.score <= latency.threshold, "KS p-value at or below 0.05 means drift");
  assert.equal(report.drifted_columns, drifted.size);
});

Deno.test("driftFromResponses is driftReport on the LLM columns, JSON-safe like the CLI's output", () => {
  const reference = responses(40, 4, false);
  const current = responses(40, 5, true);
  const expected = toJsonSafe(driftReport(llmColumns(reference), llmColumns(current)));
  assert.deepEqual(driftFromResponses(reference, current), expected);
  assert.deepEqual(Object.keys(expected).sort(), [
    "columns",
    "columns_total",
    "correlations",
    "current_rows",
    "dataset_drift",
    "drift_share",
    "drifted_columns",
    "quality",
    "reference_rows",
    "share_of_drifted_columns",
  ]);
});

Deno.test("columns without values in a window are left out unless asked for by name", () => {
  const reference = responses(30, 6, false).map((e) => ({ ...e, ttft_ms: null }));
  const current = responses(30, 7, false);
  const report = driftFromResponses(reference, current);
  assert.equal(report.columns.some((c) => c.column === "ttft_s"), false);
  assert.equal(report.columns_total, LLM_COLUMNS.length - 1);
  assert.throws(
    () => driftFromResponses(reference, current, { columns: ["ttft_s"] }),
    /ttft_s.*reference/,
  );
  assert.deepEqual(comparableColumns([{ a: 1, b: "" }], [{ a: 2, b: "x", c: 1 }]), ["a"]);
});

Deno.test("options choose columns, test, threshold and drift share", () => {
  const reference = responses(60, 8, false);
  const current = responses(60, 9, true);
  const report = driftFromResponses(reference, current, {
    columns: ["latency_s", "status"],
    stattest: "psi",
    threshold: 0.2,
    driftShare: 0.9,
  });
  assert.deepEqual(report.columns.map((c) => [c.column, c.stattest, c.threshold]), [
    ["latency_s", "psi", 0.2],
    ["status", "psi", 0.2],
  ]);
  assert.equal(report.drifted_columns, 1);
  assert.equal(report.dataset_drift, false, "1 of 2 columns is below a drift share of 0.9");
  assert.throws(() => checkLlmDriftOptions({ stattest: "t-test" as never }), /one of ks/);
  assert.throws(() => checkLlmDriftOptions({ threshold: -1 }), /non-negative/);
  assert.throws(() => checkLlmDriftOptions({ driftShare: 2 }), /\[0, 1\]/);
  assert.throws(() => checkLlmDriftOptions({ columns: [] }), /non-empty/);
  assert.throws(() => checkLlmDriftOptions({ columns: ["a", "a"] }), /distinct/);
  assert.throws(() => driftFromRows([], [{ a: 1 }]), /at least one row/);
});

Deno.test("CSV output quotes what needs quoting and reads back to the same rows", () => {
  const rows = Object.freeze([
    { a: 1.5, b: 'say "hi", bye', c: null },
    { a: 0.1 + 0.2, b: "two\nlines", c: true },
    { a: -3e-12, b: " padded ", c: Number.NaN },
  ]);
  const csv = toCsv(rows);
  assert.equal(csv.split("\n")[1], '1.5,"say ""hi"", bye",');
  assert.deepEqual(parseCsvRecords(csv), [
    ["a", "b", "c"],
    ["1.5", 'say "hi", bye', ""],
    ["0.30000000000000004", "two\nlines", "true"],
    ["-3e-12", " padded ", ""],
  ]);
  const back = parseCsv(csv);
  assert.deepEqual(back.map((r) => r.a), rows.map((r) => r.a));
  assert.equal(toCsv([{ x: 1 }], ["x", "y"]), "x,y\n1,\n");
  assert.throws(() => toCsv([{ x: 1 }], []), /at least one CSV column/);
});

Deno.test("exported LLM rows as CSV give the same report as the rows themselves", () => {
  const reference = llmColumns(responses(50, 10, false));
  const current = llmColumns(responses(50, 11, true));
  const fromCsv = driftFromRows(parseCsv(toCsv(reference)), parseCsv(toCsv(current)));
  assert.deepEqual(fromCsv, driftFromRows(reference, current));
});
