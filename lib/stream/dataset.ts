/**
 * Prompt datasets for streaming: a JSON array whose entries are either a prompt string or an
 * object `{prompt, model?, params?: {temperature?, top_p?, num_predict?, seed?}, user_id?,
 * system?, tags?}`. Loading validates every entry and reports the first problem with the file
 * and the entry index.
 *
 * @module
 */

import { basename, join } from "node:path";
import { LIMITS } from "../events/mod.ts";

/** Sampling parameters an entry may set; the others come from the job or the defaults. */
export interface DatasetParams {
  temperature?: number;
  top_p?: number;
  num_predict?: number;
  seed?: number;
}

/** One validated entry of a dataset, always in object form. */
export interface DatasetEntry {
  prompt: string;
  model?: string;
  params?: DatasetParams;
  user_id?: string;
  system?: string;
  tags?: Record<string, string>;
}

/** A loaded dataset. */
export interface Dataset {
  /** File name without `.json`, e.g. `quick_test`. Recorded as the requests' `dataset`. */
  name: string;
  /** The path it was loaded from. */
  path: string;
  entries: DatasetEntry[];
}

/** Tags the stream engine adds to each request; entries may use the rest of the limit. */
export const RESERVED_TAGS = 2;

/**
 * A dataset file that cannot be used: missing, not JSON, not an array, or an invalid entry.
 * The message names the file and, for an entry, its zero-based index.
 *
 * @example
 * ```ts
 * import { DatasetError, parseDataset } from "./dataset.ts";
 * try {
 *   parseDataset('["ok", 3]', "prompts.json");
 * } catch (error) {
 *   (error as DatasetError).index; // 1
 * }
 * ```
 */
export class DatasetError extends Error {
  override name = "DatasetError";
  /** The file the problem is in. */
  readonly file: string;
  /** Zero-based index of the offending entry, or null for a problem with the whole file. */
  readonly index: number | null;

  constructor(file: string, index: number | null, problem: string) {
    super(index === null ? `${file}: ${problem}` : `${file}: entry ${index}: ${problem}`);
    this.file = file;
    this.index = index;
  }
}

const ENTRY_KEYS = new Set(["prompt", "model", "params", "user_id", "system", "tags"]);
const PARAM_KEYS = new Set(["temperature", "top_p", "num_predict", "seed"]);
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.slice(0, 40));
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

function checkText(
  value: unknown,
  field: string,
  max: number,
  fail: (problem: string) => never,
): string {
  if (typeof value !== "string") fail(`${field} must be a string, found ${describe(value)}`);
  const text = value as string;
  if (text.trim() === "") fail(`${field} must not be empty`);
  if (text.length > max) fail(`${field} has ${text.length} characters, at most ${max} allowed`);
  if (CONTROL.test(text)) fail(`${field} must not contain control characters`);
  return text;
}

function checkParams(value: unknown, fail: (problem: string) => never): DatasetParams {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    fail(`params must be an object, found ${describe(value)}`);
  }
  const raw = value as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!PARAM_KEYS.has(key)) {
      fail(`unknown param "${key}" (expected ${[...PARAM_KEYS].join(", ")})`);
    }
  }
  const params: DatasetParams = {};
  const number = (key: string, ok: (n: number) => boolean, expected: string) => {
    const v = raw[key];
    if (v === undefined) return undefined;
    if (typeof v !== "number" || !Number.isFinite(v) || !ok(v)) {
      fail(`params.${key} must be ${expected}, found ${describe(v)}`);
    }
    return v as number;
  };
  params.temperature = number("temperature", (n) => n >= 0 && n <= 2, "a number in [0, 2]");
  params.top_p = number("top_p", (n) => n > 0 && n <= 1, "a number in (0, 1]");
  params.num_predict = number(
    "num_predict",
    (n) => Number.isInteger(n) && n >= 1 && n <= LIMITS.maxTokens,
    `an integer in [1, ${LIMITS.maxTokens}]`,
  );
  params.seed = number("seed", Number.isSafeInteger, "an integer");
  for (const key of PARAM_KEYS) {
    if (params[key as keyof DatasetParams] === undefined) delete params[key as keyof DatasetParams];
  }
  return params;
}

function checkTags(value: unknown, fail: (problem: string) => never): Record<string, string> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    fail(`tags must be an object of strings, found ${describe(value)}`);
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const max = LIMITS.tags - RESERVED_TAGS;
  if (entries.length > max) fail(`tags has ${entries.length} keys, at most ${max} allowed`);
  const tags: Record<string, string> = {};
  for (const [key, v] of entries) {
    if (key.length === 0 || key.length > 64) fail(`tag name "${key}" must have 1 to 64 characters`);
    if (typeof v !== "string" || v.length > LIMITS.idChars) {
      fail(`tags.${key} must be a string of at most ${LIMITS.idChars} characters`);
    }
    tags[key] = v as string;
  }
  return tags;
}

/**
 * Validates one entry (a string or an object) and returns it in object form.
 *
 * @example
 * ```ts
 * import { parseEntry } from "./dataset.ts";
 * parseEntry("Hello", "f.json", 0); // { prompt: "Hello" }
 * ```
 */
export function parseEntry(raw: unknown, file: string, index: number): DatasetEntry {
  const fail = (problem: string): never => {
    throw new DatasetError(file, index, problem);
  };
  if (typeof raw === "string") {
    return { prompt: checkText(raw, "prompt", LIMITS.promptChars, fail) };
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    fail(`expected a prompt string or an object with a "prompt", found ${describe(raw)}`);
  }
  const obj = raw as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!ENTRY_KEYS.has(key)) {
      fail(`unknown field "${key}" (expected ${[...ENTRY_KEYS].join(", ")})`);
    }
  }
  if (!("prompt" in obj)) fail(`missing "prompt"`);
  const entry: DatasetEntry = { prompt: checkText(obj.prompt, "prompt", LIMITS.promptChars, fail) };
  if (obj.model !== undefined) entry.model = checkText(obj.model, "model", LIMITS.idChars, fail);
  if (obj.user_id !== undefined) {
    entry.user_id = checkText(obj.user_id, "user_id", LIMITS.idChars, fail);
  }
  if (obj.system !== undefined) {
    entry.system = checkText(obj.system, "system", LIMITS.systemChars, fail);
  }
  if (obj.params !== undefined) entry.params = checkParams(obj.params, fail);
  if (obj.tags !== undefined) entry.tags = checkTags(obj.tags, fail);
  return entry;
}

/**
 * Parses and validates the text of a dataset file. `file` is used in error messages.
 * Throws {@linkcode DatasetError}. O(n) in the number of entries.
 *
 * @example
 * ```ts
 * import { parseDataset } from "./dataset.ts";
 * parseDataset('["What is Kafka?", {"prompt": "Hi", "params": {"num_predict": 16}}]', "x.json");
 * ```
 */
export function parseDataset(text: string, file: string): DatasetEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new DatasetError(file, null, `invalid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(data)) {
    throw new DatasetError(file, null, `expected a JSON array of prompts, found ${describe(data)}`);
  }
  if (data.length === 0) throw new DatasetError(file, null, "the array has no prompts");
  return data.map((raw, index) => parseEntry(raw, file, index));
}

/** The dataset name of a path: its file name without `.json`. */
export function datasetName(path: string): string {
  return basename(path).replace(/\.json$/i, "");
}

/**
 * Reads and validates a dataset file. Throws {@linkcode DatasetError} (also for a missing or
 * unreadable file).
 *
 * @example
 * ```ts ignore
 * import { loadDataset } from "./dataset.ts";
 * const dataset = await loadDataset("datasets/quick_test.json");
 * dataset.entries.length; // 10
 * ```
 */
export async function loadDataset(path: string): Promise<Dataset> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "file not found"
      : error instanceof Deno.errors.IsADirectory
      ? "is a directory, expected a .json file"
      : (error as Error).message;
    throw new DatasetError(path, null, reason);
  }
  return { name: datasetName(path), path, entries: parseDataset(text, path) };
}

/** A dataset file as the file picker lists it. */
export interface DatasetInfo {
  /** File name without `.json`. */
  name: string;
  /** File name, e.g. `quick_test.json`. */
  file: string;
  path: string;
  /** Number of prompts, or null when the file is invalid. */
  count: number | null;
  /** Why the file cannot be used, or null. */
  error: string | null;
}

/**
 * Lists the `.json` files of a folder, sorted by name, with their prompt counts; invalid files
 * are listed with their error instead of a count. A missing folder gives an empty list.
 *
 * @example
 * ```ts ignore
 * import { listDatasets } from "./dataset.ts";
 * for (const d of await listDatasets("datasets")) console.log(d.name, d.count);
 * ```
 */
export async function listDatasets(dir: string): Promise<DatasetInfo[]> {
  const files: string[] = [];
  try {
    for await (const item of Deno.readDir(dir)) {
      if (item.isFile && item.name.toLowerCase().endsWith(".json")) files.push(item.name);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  files.sort();
  return await Promise.all(files.map(async (file): Promise<DatasetInfo> => {
    const path = join(dir, file);
    try {
      const dataset = await loadDataset(path);
      return { name: dataset.name, file, path, count: dataset.entries.length, error: null };
    } catch (error) {
      if (!(error instanceof DatasetError)) throw error;
      return { name: datasetName(file), file, path, count: null, error: error.message };
    }
  }));
}
