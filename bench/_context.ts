/**
 * What every benchmark is given by `bench/main.ts`.
 *
 * @module
 */

import type { StackConfig } from "../lib/stack/config.ts";

/** What every benchmark gets. */
export interface BenchContext {
  config: StackConfig;
  quick: boolean;
  /** Progress line on standard error. */
  log: (line: string) => void;
  /** Records why a figure is null, or how to read it. */
  note: (figure: string, text: string) => void;
  /** A topic of N response events made for this run (created once, shared, deleted at the end). */
  eventsTopic: (n: number) => Promise<string>;
  /** A temporary folder of this run (removed at the end). */
  tempDir: string;
}
