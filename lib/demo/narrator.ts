/**
 * The demo's narration in the terminal: one line per event, with the time since the start, a
 * marker for each chapter of the story, and nothing else on the line.
 *
 * @module
 */

/**
 * `m:ss` since the start.
 *
 * @example
 * ```ts
 * import { clock } from "./narrator.ts";
 * clock(75_400); // "1:15"
 * ```
 */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/**
 * Writes narration lines.
 *
 * @example
 * ```ts
 * import { Narrator } from "./narrator.ts";
 * const lines: string[] = [];
 * const n = new Narrator((line) => lines.push(line), () => 0);
 * n.chapter("Baseline");
 * n.say("streaming general_knowledge.json");
 * lines; // ["[0:00] ▶ Baseline", "[0:00]   streaming general_knowledge.json"]
 * ```
 */
export class Narrator {
  readonly #write: (line: string) => void;
  readonly #now: () => number;
  readonly #start: number;
  /** Every line written, in order (for the summary and tests). */
  readonly lines: string[] = [];

  constructor(write: (line: string) => void, now: () => number = Date.now) {
    this.#write = write;
    this.#now = now;
    this.#start = now();
  }

  /** Milliseconds since the narration started. */
  get elapsedMs(): number {
    return this.#now() - this.#start;
  }

  #line(marker: string, text: string): void {
    const line = `[${clock(this.elapsedMs)}] ${marker} ${text}`;
    this.lines.push(line);
    this.#write(line);
  }

  /** The start of a chapter of the story. */
  chapter(title: string): void {
    this.#line("▶", title);
  }

  /** A line within the chapter. */
  say(text: string): void {
    this.#line(" ", text);
  }
}
