/**
 * Reading tables (CSV, JSON array of objects, JSONL) into rows.
 *
 * @module
 */

import type { Row } from "./types.ts";

/** Supported table formats. */
export type TableFormat = "csv" | "json" | "jsonl";

/** Cell texts read as missing in CSV (pandas' default `na_values`, abridged).  *
 * @example
 * ```ts
 * import { CSV_MISSING } from "./table.ts";
 * CSV_MISSING.has("NaN"); // true
 * ```
 */
export const CSV_MISSING = Object.freeze(
  new Set([
    "",
    "NA",
    "N/A",
    "n/a",
    "NaN",
    "nan",
    "-NaN",
    "-nan",
    "null",
    "NULL",
    "None",
    "<NA>",
    "#N/A",
  ]),
);

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parses a CSV number, or returns undefined. Accepts inf/-inf like pandas. */
function parseNumber(text: string): number | undefined {
  const t = text.trim();
  if (NUMBER.test(t)) return Number(t);
  const l = t.toLowerCase();
  if (l === "inf" || l === "+inf" || l === "infinity") return Number.POSITIVE_INFINITY;
  if (l === "-inf" || l === "-infinity") return Number.NEGATIVE_INFINITY;
  return undefined;
}

/**
 * Splits CSV text into records of fields (RFC 4180: quoted fields, doubled quotes, separators
 * and line breaks inside quotes, CRLF or LF). O(length).
 *
 * @example
 * ```ts
 * import { parseCsvRecords } from "./table.ts";
 * parseCsvRecords('a,b\n"x, ""y""",2\n'); // [["a","b"],['x, "y"',"2"]]
 * ```
 */
export function parseCsvRecords(text: string): string[][] {
  if (typeof text !== "string") throw new TypeError(`Expected CSV text, found ${typeof text}`);
  const records: string[][] = [];
  let field = "";
  let record: string[] = [];
  let inQuotes = false;
  let i = 0;
  let fieldStarted = false;
  let line = 1;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  for (; i < text.length; i++) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (ch === "\n") line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && !fieldStarted) {
      inQuotes = true;
      fieldStarted = true;
    } else if (ch === ",") {
      record.push(field);
      field = "";
      fieldStarted = false;
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      fieldStarted = false;
      line++;
    } else {
      field += ch;
      fieldStarted = true;
    }
  }
  if (inQuotes) throw new SyntaxError(`Unterminated quoted field in CSV (line ${line})`);
  if (fieldStarted || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records.filter((r) => !(r.length === 1 && r[0] === ""));
}

/**
 * Parses CSV with a header row into rows. A column whose non-missing cells are all numbers
 * becomes numeric; missing cells (empty, NA, NaN, null…) become null. O(length).
 *
 * @example
 * ```ts
 * import { parseCsv } from "./table.ts";
 * parseCsv("x,m\n1.5,a\n,b\n"); // [{ x: 1.5, m: "a" }, { x: null, m: "b" }]
 * ```
 */
export function parseCsv(text: string): Row[] {
  const records = parseCsvRecords(text);
  if (records.length === 0) throw new RangeError("Expected a CSV header row, found an empty file");
  const header = records[0].map((h) => h.trim());
  const seen = new Set<string>();
  header.forEach((h, i) => {
    if (h === "") {
      throw new SyntaxError(`Expected a name for CSV column ${i + 1}, found an empty header`);
    }
    if (seen.has(h)) throw new SyntaxError(`Duplicate CSV column "${h}"`);
    seen.add(h);
  });
  const body = records.slice(1);
  body.forEach((r, i) => {
    if (r.length !== header.length) {
      throw new SyntaxError(
        `Expected ${header.length} fields in CSV record ${i + 2}, found ${r.length}`,
      );
    }
  });
  const numeric = header.map((_, c) =>
    body.every((r) => CSV_MISSING.has(r[c].trim()) || parseNumber(r[c]) !== undefined)
  );
  return body.map((r) => {
    const row: Row = {};
    header.forEach((h, c) => {
      const cell = r[c];
      if (CSV_MISSING.has(cell.trim())) row[h] = null;
      else row[h] = numeric[c] ? parseNumber(cell)! : cell;
    });
    return row;
  });
}

function checkObject(v: unknown, where: string): Row {
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    throw new TypeError(
      `Expected ${where} to be a JSON object, found ${JSON.stringify(v)?.slice(0, 60)}`,
    );
  }
  return v as Row;
}

/**
 * Parses a JSON array of objects into rows. O(length).
 *
 * @example
 * ```ts
 * import { parseJsonRows } from "./table.ts";
 * parseJsonRows('[{"x": 1}, {"x": null}]').length; // 2
 * ```
 */
export function parseJsonRows(text: string): Row[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new SyntaxError(`Invalid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(data)) {
    throw new TypeError(
      `Expected a JSON array of objects, found ${data === null ? "null" : typeof data}`,
    );
  }
  return data.map((v, i) => checkObject(v, `JSON element ${i}`));
}

/**
 * Parses JSON Lines (one object per line, blank lines skipped) into rows. O(length).
 *
 * @example
 * ```ts
 * import { parseJsonl } from "./table.ts";
 * parseJsonl('{"x": 1}\n\n{"x": 2}\n').length; // 2
 * ```
 */
export function parseJsonl(text: string): Row[] {
  const rows: Row[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "") return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (err) {
      throw new SyntaxError(`Invalid JSON on line ${i + 1}: ${(err as Error).message}`);
    }
    rows.push(checkObject(v, `line ${i + 1}`));
  });
  return rows;
}

/**
 * Format of a file from its extension (.csv, .json, .jsonl/.ndjson); undefined otherwise.
 *
 * @example
 * ```ts
 * import { formatFromName } from "./table.ts";
 * formatFromName("data/ref.jsonl"); // "jsonl"
 * ```
 */
export function formatFromName(name: string): TableFormat | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) return "jsonl";
  if (lower.endsWith(".json")) return "json";
  return undefined;
}

/**
 * Parses table text in the given format; without a format, JSON when the text starts with `[`,
 * JSONL when it starts with `{`, CSV otherwise. O(length).
 *
 * @example
 * ```ts
 * import { parseTable } from "./table.ts";
 * parseTable('{"a": 1}\n{"a": 2}').length; // 2
 * ```
 */
export function parseTable(text: string, format?: TableFormat): Row[] {
  if (typeof text !== "string") throw new TypeError(`Expected table text, found ${typeof text}`);
  const f = format ?? (() => {
    const head = text.trimStart();
    if (head.startsWith("[")) return "json";
    if (head.startsWith("{")) return "jsonl";
    return "csv";
  })();
  if (f === "csv") return parseCsv(text);
  if (f === "json") return parseJsonRows(text);
  if (f === "jsonl") return parseJsonl(text);
  throw new RangeError(`Expected format csv, json or jsonl, found ${JSON.stringify(f)}`);
}
