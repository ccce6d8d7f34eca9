/**
 * The command line of `bench/main.ts`: `--quick`, `--only a,b`, `--out path`.
 *
 * @module
 */

import { type BenchmarkName, BENCHMARKS } from "./_results.ts";

/** Parsed command line of `bench/main.ts`. */
export interface BenchArgs {
  quick: boolean;
  only: BenchmarkName[];
  out: string;
}

/**
 * Parses `--quick`, `--only a,b` (or `--only=a,b`) and `--out path`. Throws a RangeError naming
 * the benchmarks on an unknown one.
 *
 * @example
 * ```ts
 * parseArgs(["--quick", "--only", "drift,ingest"]).only; // ["ingest", "drift"]
 * ```
 */
export function parseArgs(args: readonly string[], defaultOut = "bench/results.json"): BenchArgs {
  let quick = false;
  let only: BenchmarkName[] = [...BENCHMARKS];
  let out = defaultOut;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = (name: string) => {
      if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
      const next = args[++i];
      if (next === undefined) throw new RangeError(`${name} needs a value`);
      return next;
    };
    if (arg === "--quick") quick = true;
    else if (arg === "--only" || arg.startsWith("--only=")) {
      const names = value("--only").split(",").map((s) => s.trim()).filter(Boolean);
      for (const n of names) {
        if (!(BENCHMARKS as readonly string[]).includes(n)) {
          throw new RangeError(
            `Unknown benchmark "${n}"; expected some of ${BENCHMARKS.join(", ")}`,
          );
        }
      }
      only = BENCHMARKS.filter((b) => names.includes(b));
    } else if (arg === "--out" || arg.startsWith("--out=")) out = value("--out");
    else {
      throw new RangeError(
        `Unknown argument "${arg}"; expected --quick, --only name1,name2 or --out path`,
      );
    }
  }
  return { quick, only, out };
}
