/**
 * Words for the Drift Analysis tab: the monitor's windows as sentences and its alerts as lines.
 * They read the lib's own shapes (`WindowsDescription`, `DriftAlert`) in their JSON form.
 *
 * @module
 */

import type { DriftAlert, DriftSnapshot } from "../../lib/drift/tracker.ts";
import type { WindowDescription, WindowsDescription } from "../../lib/drift/windows.ts";
import type { JsonSafe } from "../../lib/drift/report.ts";

/** One drift window as the Drift tab shows it. */
export interface WindowSummary {
  /** "Reference" or "Current". */
  name: string;
  /** How the window is chosen, e.g. "first 200 responses" or "baseline: ref.csv". */
  rule: string;
  /** Rows held against the configured size, e.g. "150 of 200". */
  rows: string;
  /** Time of the oldest and newest row held, or "—" when empty. */
  range: string;
  /** A caveat to show with the window, or null. */
  note: string | null;
}

const NONE = "—";

function count(v: number | null): string {
  return v === null ? NONE : String(v);
}

function describe(
  name: string,
  w: JsonSafe<WindowDescription>,
  rule: string,
  note: string | null,
  time: (ms: number) => string,
): WindowSummary {
  return {
    name,
    rule,
    rows: `${count(w.rows)} of ${count(w.size)}`,
    range: w.from === null || w.to === null ? NONE : `${time(w.from)} – ${time(w.to)}`,
    note,
  };
}

/**
 * The reference and current windows of the drift monitor as sentences; `time` formats epoch
 * milliseconds. O(1).
 *
 * @example
 * ```ts
 * windowSummaries(status.windows, String)[1].rule; // "newest 200 responses"
 * ```
 */
export function windowSummaries(
  windows: JsonSafe<WindowsDescription>,
  time: (ms: number) => string,
): WindowSummary[] {
  const { reference, current } = windows;
  return [
    describe(
      "Reference",
      reference,
      reference.kind === "baseline"
        ? `baseline: ${reference.label ?? "(unnamed)"}`
        : `first ${count(reference.size)} responses`,
      reference.contiguous
        ? null
        : "Enlarged after some of its rows had moved on: it holds the first responses plus later ones.",
      time,
    ),
    describe("Current", current, `newest ${count(current.size)} responses`, null, time),
  ];
}

/**
 * What a provisional report compares, as a sentence, or null for a report on full windows. O(1).
 *
 * @example
 * ```ts
 * provisionalNote({
 *   provisional: true,
 *   needed: 340,
 *   report: { reference_rows: 30, current_rows: 30 },
 *   windows: { reference: { kind: "first_n" }, current: { size: 200 } },
 * });
 * // "Provisional report: the first 30 responses against the newest 30, while the windows fill
 * // (340 more responses to fill them)."
 * ```
 */
export function provisionalNote(
  snapshot: {
    provisional: JsonSafe<DriftSnapshot>["provisional"];
    needed: JsonSafe<DriftSnapshot>["needed"];
    report: { reference_rows: number | null; current_rows: number | null };
    windows: {
      reference: { kind: WindowsDescription["reference"]["kind"] };
      current: { size: number | null };
    };
  },
): string | null {
  if (!snapshot.provisional) return null;
  const { reference_rows: ref, current_rows: cur } = snapshot.report;
  const more = `${count(snapshot.needed)} more ${snapshot.needed === 1 ? "response" : "responses"}`;
  if (snapshot.windows.reference.kind === "baseline") {
    return `Provisional report: the baseline (${count(ref)} rows) against the newest ${
      count(cur)
    } responses, until the current window holds ${count(snapshot.windows.current.size)} (${more}).`;
  }
  return `Provisional report: the first ${count(ref)} responses against the newest ${
    count(cur)
  }, while the windows fill (${more} to fill them).`;
}

/**
 * A drift monitor alert as a sentence: its time (through `formatTime` when given), the number
 * and names of the drifted columns and their share.
 *
 * @example
 * ```ts
 * alertText({ at: 0, drifted_columns: ["latency_s"], share: 0.5 });
 * // "dataset drift, 1 columns drifted (50%): latency_s"
 * ```
 */
export function alertText(
  alert: JsonSafe<DriftAlert>,
  formatTime?: (ms: number) => string,
): string {
  const when = alert.at !== null && formatTime ? `${formatTime(alert.at)}: ` : "";
  const share = alert.share === null ? NONE : `${Math.round(alert.share * 100)}%`;
  return `${when}dataset drift${
    alert.provisional ? " (provisional)" : ""
  }, ${alert.drifted_columns.length} columns drifted (${share}): ${
    alert.drifted_columns.join(", ")
  }`;
}
