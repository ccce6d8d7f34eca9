/**
 * What to compare when the analyst has not said: the two largest variants of an A/B run, else the
 * two largest models, else the older half of the traffic against the newer half. The comparison
 * notebook's defaults (its parameters override each part).
 *
 * @module
 */

import type { ComparisonRow, Selection } from "./response_rows.ts";

/** The values of `key` with at least `min` rows each, largest first: `[value, rows]`. */
export function groupCounts(
  rows: readonly ComparisonRow[],
  key: "model" | "variant",
  min = 2,
): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of rows) {
    const value = r[key];
    if (value !== null) counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return [...counts].filter(([, n]) => n >= min).sort((x, y) => y[1] - x[1]);
}

/**
 * The older and the newer half of the rows as two time ranges [from, to) that split at the
 * median end time. Rows that end at the same instant stay on one side: when the older half all
 * ends at the first instant, the split moves to the next later instant; when every row ends at the
 * same instant, B is an empty range after them (the comparison then says B has no responses).
 *
 * @example
 * ```ts
 * import { timeHalves } from "./default_selections.ts";
 * const rows = [1, 1, 1, 5].map((ts_end) => ({ ts_end })) as never;
 * timeHalves(rows); // [{ by: "time", from: 1, to: 5 }, { by: "time", from: 5, to: 6 }]
 * ```
 */
export function timeHalves(rows: readonly Pick<ComparisonRow, "ts_end">[]): [Selection, Selection] {
  const times = rows.map((r) => r.ts_end).sort((x, y) => x - y);
  const first = times[0] ?? 0;
  const end = (times.at(-1) ?? 0) + 1;
  let mid = times[Math.floor(times.length / 2)] ?? first;
  if (mid === first) mid = times.find((t) => t > first) ?? end;
  return [{ by: "time", from: first, to: mid }, {
    by: "time",
    from: mid,
    to: Math.max(end, mid + 1),
  }];
}

/** The analyst's choices; null or missing parts are picked by {@linkcode defaultSelections}. */
export interface SelectionChoice {
  by?: "model" | "variant" | "time" | null;
  /** Model or variant of A and B. */
  a?: string | null;
  b?: string | null;
  /** Time ranges [from, to) of A and B, epoch ms. */
  aRange?: [number, number] | null;
  bRange?: [number, number] | null;
}

/**
 * The two sides to compare: `by` (default: variants when two have at least 2 responses, else
 * models when two have, else time), A and B (default: the two largest groups, or the two halves
 * of the traffic).
 *
 * @example
 * ```ts ignore
 * const { a, b } = defaultSelections(rows, { by: null });
 * compareSelections(rows, a, b);
 * ```
 */
export function defaultSelections(
  rows: readonly ComparisonRow[],
  choice: SelectionChoice = {},
): { by: "model" | "variant" | "time"; a: Selection; b: Selection } {
  const variants = groupCounts(rows, "variant");
  const models = groupCounts(rows, "model");
  const by = choice.by ??
    (variants.length >= 2 ? "variant" : models.length >= 2 ? "model" : "time");
  if (by === "time") {
    const [a, b] = timeHalves(rows);
    const range = (r: [number, number] | null | undefined, half: Selection): Selection =>
      r ? { by: "time", from: r[0], to: r[1] } : half;
    return { by, a: range(choice.aRange, a), b: range(choice.bRange, b) };
  }
  const groups = by === "variant" ? variants : models;
  const a = choice.a ?? groups[0]?.[0] ?? "";
  const b = choice.b ?? groups[1]?.[0] ?? groups[0]?.[0] ?? "";
  return { by, a: { by, value: a }, b: { by, value: b } };
}
