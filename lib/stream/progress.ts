/**
 * Rendering a stream's progress and summary for people: a live bar redrawn in place on a
 * terminal, one plain line every few seconds elsewhere (logs, CI), and a summary block.
 *
 * @module
 */

import type { AbSummary, StreamStatus, StreamSummary } from "./engine.ts";

const BAR_WIDTH = 24;

function clock(seconds: number): string {
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

function sentOf(status: StreamStatus): string {
  return status.total_planned === null
    ? `${status.sent}`
    : `${status.sent}/${status.total_planned}`;
}

/**
 * The live bar: progress, sent, succeeded, failed, in flight, send rate and elapsed time.
 * Without a known progress (an endless loop) the bar is replaced by a spinner-free counter.
 *
 * @example
 * ```ts
 * import { formatProgressBar } from "./progress.ts";
 * // "[############------------]  50% sent 5/10 ok 4 failed 1 in flight 0 1.25/s 00:04"
 * ```
 */
export function formatProgressBar(status: StreamStatus): string {
  const parts: string[] = [];
  if (status.progress !== null) {
    const filled = Math.round(status.progress * BAR_WIDTH);
    const pct = String(Math.floor(status.progress * 100)).padStart(3);
    parts.push(`[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] ${pct}%`);
  }
  parts.push(
    `sent ${sentOf(status)}`,
    `ok ${status.succeeded}`,
    `failed ${status.failed}`,
    `in flight ${status.in_flight}`,
    `${status.rate_per_s.toFixed(2)}/s`,
    clock(status.elapsed_s),
  );
  if (status.state === "stopping") parts.push("(stopping)");
  return parts.join(" ");
}

/**
 * One plain progress line for logs.
 *
 * @example
 * ```ts
 * import { formatProgressLine } from "./progress.ts";
 * // "progress: sent 5/10, succeeded 4, failed 1, in flight 0, 1.25 sends/s, elapsed 4.0 s"
 * ```
 */
export function formatProgressLine(status: StreamStatus): string {
  return `progress: sent ${
    sentOf(status)
  }, succeeded ${status.succeeded}, failed ${status.failed}, ` +
    `in flight ${status.in_flight}, ${status.rate_per_s.toFixed(2)} sends/s, ` +
    `elapsed ${status.elapsed_s.toFixed(1)} s`;
}

function seconds(value: number | null): string {
  return value === null ? "-" : `${value.toFixed(3)} s`;
}

const REASONS: Record<string, string> = {
  end_of_file: "end of file",
  count: "count reached",
  duration: "duration reached",
  stopped: "stopped",
};

/**
 * The summary as a readable block (several lines, no trailing newline).
 *
 * @example
 * ```ts ignore
 * import { formatSummary } from "./progress.ts";
 * console.log(formatSummary(await job.start()));
 * ```
 */
export function formatSummary(summary: StreamSummary): string {
  const failedTypes = Object.entries(summary.failed_by_type)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, n]) => `${type}: ${n}`).join(", ");
  const lines = [
    `Stream summary${summary.file ? ` (${summary.file})` : ""}`,
    `  sent          ${summary.sent}`,
    `  succeeded     ${summary.succeeded}`,
    `  failed        ${summary.failed}${failedTypes ? ` (${failedTypes})` : ""}`,
  ];
  if (summary.abandoned > 0) {
    lines.push(`  abandoned     ${summary.abandoned} (no response awaited)`);
  }
  lines.push(
    `  elapsed       ${summary.elapsed_s.toFixed(1)} s` +
      (summary.stop_reason ? ` (${REASONS[summary.stop_reason] ?? summary.stop_reason})` : ""),
    `  throughput    ${summary.throughput_per_s.toFixed(2)} responses/s`,
    `  latency       p50 ${seconds(summary.latency_s.p50)}  p95 ${
      seconds(summary.latency_s.p95)
    }  p99 ${seconds(summary.latency_s.p99)}`,
    `  end to end    p50 ${seconds(summary.end_to_end_s.p50)}  p95 ${
      seconds(summary.end_to_end_s.p95)
    }  p99 ${seconds(summary.end_to_end_s.p99)}`,
    `  TTFT          p50 ${seconds(summary.ttft_s.p50)}  p95 ${seconds(summary.ttft_s.p95)}`,
    `  tokens/s      avg ${
      summary.tokens_per_s.avg === null ? "-" : summary.tokens_per_s.avg.toFixed(1)
    }` +
      `  (${summary.completion_tokens} completion tokens)`,
  );
  for (const f of summary.failures.slice(0, 5)) {
    lines.push(`  failure       ${f.type}${f.request_id ? ` ${f.request_id}` : ""}: ${f.message}`);
  }
  if (summary.ab) lines.push("", formatAbSummary(summary.ab));
  if (summary.failure_reason) lines.push(`  reason        ${summary.failure_reason}`);
  return lines.join("\n");
}

/**
 * The A/B part of a summary: a table of each variant's figures, then for each variant after the
 * first the verdict of every compared column (lib/compare's `verdictText`: direction, p-value,
 * difference and its 95% interval).
 *
 * @example
 * ```ts ignore
 * import { formatAbSummary } from "./progress.ts";
 * console.log(formatAbSummary(summary.ab!));
 * ```
 */
export function formatAbSummary(ab: AbSummary): string {
  const head = [
    "variant",
    "model",
    "share",
    "sent",
    "ok",
    "failed",
    "p50 s",
    "p95 s",
    "tokens",
    "tok/s",
    "cost/1k $",
  ];
  const n = (v: number | null | undefined, d: number) =>
    v === null || v === undefined ? "-" : v.toFixed(d);
  const rows = ab.variants.map((v) => [
    v.name,
    v.model ?? "(default)",
    `${Math.round(v.weight * 100)}%`,
    String(v.sent),
    String(v.succeeded),
    String(v.failed),
    n(v.latency_s.p50, 3),
    n(v.latency_s.p95, 3),
    n(v.completion_tokens_avg, 1),
    n(v.tokens_per_s.avg, 1),
    v.cost_usd ? Number(v.cost_usd.per_1k_calls.toPrecision(3)).toString() : "-",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    "  " +
    r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd();
  const out = [`A/B variants (seed ${ab.seed})`, line(head), ...rows.map(line)];
  for (const c of ab.comparisons) {
    out.push("", `  B = ${c.b} against A = ${c.a}:`);
    if (c.reason) out.push(`    ${c.reason}`);
    for (const v of c.verdicts) out.push(`    ${v}`);
  }
  return out.join("\n");
}

/** Options of {@linkcode ProgressReporter}. */
export interface ProgressReporterOptions {
  /** Reads the current status. */
  status: () => StreamStatus;
  /** Writes text as it is (no newline added). */
  write: (text: string) => void;
  /** True on a terminal: a bar redrawn with `\r`; false: a plain line every `intervalMs`. */
  terminal: boolean;
  /** Plain-line period. Default 5000 ms. */
  intervalMs?: number;
  /** Bar refresh period on a terminal (also keeps the elapsed time moving). Default 250 ms. */
  redrawMs?: number;
}

/**
 * Shows a job's progress until stopped.
 *
 * @example
 * ```ts ignore
 * import { ProgressReporter } from "./progress.ts";
 * const reporter = new ProgressReporter({
 *   status: () => job.status(),
 *   write: (t) => Deno.stderr.writeSync(new TextEncoder().encode(t)),
 *   terminal: Deno.stderr.isTerminal(),
 * });
 * reporter.start();
 * await job.start();
 * reporter.stop();
 * ```
 */
export class ProgressReporter {
  readonly #options: ProgressReporterOptions;
  #timer: ReturnType<typeof setInterval> | null = null;
  #lastWidth = 0;

  constructor(options: ProgressReporterOptions) {
    this.#options = options;
  }

  /** Whether it is drawing (between start and stop). */
  get running(): boolean {
    return this.#timer !== null;
  }

  /** Starts drawing (a terminal) or the periodic lines (otherwise). */
  start(): void {
    if (this.#timer !== null) return;
    const { terminal, intervalMs = 5000, redrawMs = 250 } = this.#options;
    if (terminal) this.#draw();
    this.#timer = setInterval(
      () => terminal ? this.#draw() : this.#line(),
      terminal ? redrawMs : intervalMs,
    );
  }

  #draw(): void {
    const text = formatProgressBar(this.#options.status());
    const pad = Math.max(0, this.#lastWidth - text.length);
    this.#lastWidth = text.length;
    this.#options.write(`\r${text}${" ".repeat(pad)}`);
  }

  #line(): void {
    this.#options.write(`${formatProgressLine(this.#options.status())}\n`);
  }

  /** Stops; on a terminal the bar is drawn a last time and the line ended. */
  stop(): void {
    if (this.#timer === null) return;
    clearInterval(this.#timer);
    this.#timer = null;
    if (this.#options.terminal) {
      this.#draw();
      this.#options.write("\n");
    }
  }
}
