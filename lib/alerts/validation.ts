/**
 * One error for invalid rules, channels and silences, whose message names each wrong field, what
 * was expected there and what was found: what an API answers with status 400.
 *
 * @module
 */

import type { z } from "zod";

/** One problem: where (a dotted path such as `channels.0`), and what is wrong there. */
export interface AlertValidationIssue {
  /** Dotted path of the field, or "" for the whole body. */
  path: string;
  /** "expected …, found …". */
  message: string;
}

/**
 * An invalid rule, channel or silence. `status` is 400 so an HTTP layer can answer with it as is;
 * `issues` lists every problem found (at most 10).
 *
 * @example
 * ```ts
 * import { AlertValidationError } from "./validation.ts";
 * const error = new AlertValidationError("rule", [{ path: "metric", message: "expected …" }]);
 * error.message; // "invalid rule: metric: expected …"
 * ```
 */
export class AlertValidationError extends Error {
  /** HTTP status that fits this error. */
  readonly status = 400;
  constructor(readonly what: string, readonly issues: AlertValidationIssue[]) {
    super(
      `invalid ${what}: ` +
        issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; "),
    );
    this.name = "AlertValidationError";
  }
}

/**
 * A short description of a found value for error messages: strings quoted and cut at 60
 * characters, `missing` for undefined.
 *
 * @example
 * ```ts
 * import { describeFound } from "./validation.ts";
 * describeFound(undefined); // "nothing"
 * describeFound("abc"); // "\"abc\""
 * ```
 */
export function describeFound(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") {
    const cut = value.length > 60 ? `${value.slice(0, 60)}…` : value;
    return JSON.stringify(cut);
  }
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return `an ${typeof value}`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function expectedOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return issue.expected === "array"
        ? "an array"
        : issue.expected === "object"
        ? "an object"
        : `a ${issue.expected}`;
    case "invalid_value":
      return issue.values.length === 1
        ? JSON.stringify(issue.values[0])
        : `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "too_small": {
      const bound = issue.inclusive ? "at least" : "more than";
      if (issue.origin === "string") {
        return Number(issue.minimum) <= 1
          ? "a non-empty string"
          : `${bound} ${issue.minimum} characters`;
      }
      if (issue.origin === "array") return `${bound} ${issue.minimum} entries`;
      return `a number ${bound} ${issue.minimum}`;
    }
    case "too_big": {
      const bound = issue.inclusive ? "at most" : "less than";
      if (issue.origin === "string") return `${bound} ${issue.maximum} characters`;
      if (issue.origin === "array") return `${bound} ${issue.maximum} entries`;
      return `a number ${bound} ${issue.maximum}`;
    }
    case "invalid_format":
      return issue.message.replace(/^Invalid string: /, "a string that ");
    case "not_multiple_of":
      return `a multiple of ${issue.divisor}`;
    default:
      return issue.message;
  }
}

/**
 * Turns zod issues into messages that say what was expected and what was found, reading the
 * found value from `input` at the issue's path. Unknown fields become one issue each ("unknown
 * field") so a typo such as `treshold` is named.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { zodIssues } from "./validation.ts";
 * const input = { n: "3" };
 * const result = z.object({ n: z.number() }).safeParse(input);
 * zodIssues(result.error!.issues, input)[0].message; // "expected a number, found \"3\""
 * ```
 */
export function zodIssues(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
): AlertValidationIssue[] {
  const out: AlertValidationIssue[] = [];
  for (const issue of issues) {
    const path = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        out.push({ path: path ? `${path}.${key}` : key, message: "unknown field" });
      }
      continue;
    }
    const found = describeFound(valueAt(input, issue.path));
    if (issue.code === "custom") {
      out.push({ path, message: `${issue.message}, found ${found}` });
      continue;
    }
    out.push({ path, message: `expected ${expectedOf(issue)}, found ${found}` });
  }
  return out.slice(0, 10);
}

/**
 * Parses `input` with `schema`, or throws {@linkcode AlertValidationError} with every issue.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { parseOrThrow } from "./validation.ts";
 * parseOrThrow("silence", z.object({ until: z.number() }), { until: 5 }).until; // 5
 * ```
 */
export function parseOrThrow<T>(what: string, schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new AlertValidationError(what, zodIssues(result.error.issues, input));
}

/**
 * Throws when `input` is not a plain JSON object (the first check of every body).
 *
 * @example
 * ```ts
 * import { requireObject } from "./validation.ts";
 * requireObject("rule", { name: "x" });
 * ```
 */
export function requireObject(
  what: string,
  input: unknown,
): asserts input is Record<string, unknown> {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new AlertValidationError(what, [{
      path: "",
      message: `expected a JSON object, found ${describeFound(input)}`,
    }]);
  }
}
