import assert from "node:assert/strict";
import { parseCsv, parseCsvRecords, parseJsonl, parseJsonRows, parseTable } from "./table.ts";

Deno.test("CSV follows RFC 4180 quoting: commas, quotes and line breaks inside quotes", () => {
  const text = 'a,b\r\n"x, ""y""","multi\nline"\r\n1,2\r\n';
  assert.deepEqual(parseCsvRecords(text), [["a", "b"], ['x, "y"', "multi\nline"], ["1", "2"]]);
  assert.throws(() => parseCsvRecords('a\n"open'), /Unterminated/);
});

Deno.test("CSV columns of numbers become numbers, missing cells become null", () => {
  const rows = parseCsv("x,m,s\n1.5,a,NaN\n,b,2\n-3e2,NA,inf\n");
  assert.deepEqual(rows, [
    { x: 1.5, m: "a", s: null },
    { x: null, m: "b", s: 2 },
    { x: -300, m: null, s: Number.POSITIVE_INFINITY },
  ]);
  assert.throws(() => parseCsv("a,b\n1\n"), /Expected 2 fields in CSV record 2, found 1/);
});

Deno.test("JSON arrays and JSONL lines are read as rows", () => {
  assert.deepEqual(parseJsonRows('[{"x": 1}, {"x": null}]'), [{ x: 1 }, { x: null }]);
  assert.deepEqual(parseJsonl('{"x": 1}\n\n{"x": 2}\n'), [{ x: 1 }, { x: 2 }]);
  assert.throws(() => parseJsonl('{"x": 1}\n{oops'), /line 2/);
  assert.throws(() => parseJsonRows('{"x": 1}'), /JSON array/);
  assert.equal(parseTable('[{"a": 1}]').length, 1);
  assert.equal(parseTable('{"a": 1}\n{"a": 2}').length, 2);
  assert.equal(parseTable("a\n1\n2\n").length, 2);
});
