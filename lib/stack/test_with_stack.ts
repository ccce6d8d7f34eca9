/**
 * `deno task test`: brings the local stack up (provisioning it on a fresh machine), runs the
 * whole test suite against it, and stops what it started, even when the tests fail.
 *
 * Without file arguments the suite runs in lanes (see `test_lanes.ts`): the unit tests in one
 * `deno test --parallel`, and each lane of integration tests (on the product's topics; on topics
 * of their own; on a stack of their own) one file after the other. The lanes that share the
 * stack's model server run one after the other, beside the unit lane and the own-stack lane
 * (`TEST_TRACKS`). Everything is type-checked once first, while the stack comes up. Each lane's output is
 * shown as it comes, each line marked with its lane; the closing line adds up all lanes.
 * `LLMOPS_TEST_LANES=0` runs one plain `deno test` instead.
 *
 * Arguments are passed to `deno test` (for example a path or `--filter`); with a path, that one
 * `deno test` runs, as before.
 *
 * @module
 */

import { loadStackConfig, serviceEnv } from "./config.ts";
import { stackUp, stopOnSignals } from "./stack.ts";
import { stripAnsi } from "./ansi.ts";
import { planLanes, TEST_LANES, TEST_TRACKS, type TestLane } from "./test_lanes.ts";

/** The counts of a `deno test` closing line. */
interface Summary {
  passed: number;
  failed: number;
}

/** What a lane's `deno test` printed: its closing counts and its ERRORS section, if any. */
interface LaneOutput {
  summary: Summary | null;
  /** The ERRORS and FAILURES sections, without colours (at most `MAX_ERRORS_CHARS`). */
  errors: string;
}

/** How much of a lane's ERRORS section is repeated at the end of the run. */
const MAX_ERRORS_CHARS = 16_000;

/** How a lane's `deno test` ended. */
interface LaneResult {
  lane: TestLane;
  code: number;
  summary: Summary | null;
  errors: string;
  /** Seconds it took. */
  s: number;
}

async function main(args: string[]): Promise<number> {
  const config = loadStackConfig();
  const root = config.root;
  const lanes = args.some((a) => !a.startsWith("-")) || Deno.env.get("LLMOPS_TEST_LANES") === "0"
    ? null
    : await planLanes(root);
  // Type-check every test file once, while the stack comes up (the lanes then skip it).
  const checked = lanes ? typeCheck(root, Object.values(lanes).flat()) : Promise.resolve(true);
  const stack = await stackUp(config);
  const removeHandlers = stopOnSignals(() => stack.stop());
  const env = { ...serviceEnv(config), LLMOPS_STACK_DIR: config.dir, LLMOPS_TEST_STACK: "1" };
  try {
    if (!lanes) {
      const { code, summary } = await runDenoTest(["--allow-all", ...args], env, root, "");
      // A plain closing line that any CI reads: "N passed, N failed".
      if (summary) console.log(`tests: ${summary.passed} passed, ${summary.failed} failed`);
      return code;
    }
    if (!(await checked)) return 1;
    const t0 = performance.now();
    const runLane = async (lane: TestLane): Promise<LaneResult> => {
      const files = lanes[lane];
      if (files.length === 0) {
        return { lane, code: 0, summary: { passed: 0, failed: 0 }, errors: "", s: 0 };
      }
      const started = performance.now();
      const flags = lane === "unit" ? ["--parallel"] : [];
      const { code, summary, errors } = await runDenoTest(
        ["--allow-all", "--no-check", ...flags, ...args, ...files],
        { ...env, ...(lane === "unit" ? { DENO_JOBS: "2" } : {}) },
        root,
        lane,
      );
      return { lane, code, summary, errors, s: (performance.now() - started) / 1000 };
    };
    // The tracks side by side, the lanes of a track one after the other.
    const byTrack = await Promise.all(TEST_TRACKS.map(async (track) => {
      const done: LaneResult[] = [];
      for (const lane of track) done.push(await runLane(lane));
      return done;
    }));
    const results = TEST_LANES.map((lane) => byTrack.flat().find((r) => r.lane === lane)!);
    const total = results.reduce(
      (sum, r) => ({
        passed: sum.passed + (r.summary?.passed ?? 0),
        failed: sum.failed + (r.summary?.failed ?? 0),
      }),
      { passed: 0, failed: 0 },
    );
    // The lanes' output is interleaved; their failures are repeated here, one lane at a time, so
    // that the end of the log says what failed and why.
    for (const r of results.filter((r) => r.errors)) {
      console.log(`\n===== lane ${r.lane}: failures =====\n${r.errors.trimEnd()}\n`);
    }
    for (const r of results) {
      const counts = r.summary
        ? `${r.summary.passed} passed, ${r.summary.failed} failed`
        : "no summary";
      console.log(
        `lane ${r.lane}: ${lanes[r.lane as TestLane].length} files, ${counts}, ${
          r.s.toFixed(0)
        } s (exit ${r.code})`,
      );
    }
    console.log(
      `tests: ${total.passed} passed, ${total.failed} failed in ${
        ((performance.now() - t0) / 1000).toFixed(0)
      } s`,
    );
    return results.some((r) => r.code !== 0 || !r.summary) ? 1 : 0;
  } finally {
    removeHandlers();
    await stack.stop();
  }
}

/** `deno check` over the test files; false (with its output shown) when it fails. */
async function typeCheck(root: string, files: string[]): Promise<boolean> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["check", ...files],
    cwd: root,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    await Deno.stderr.write(out.stdout);
    await Deno.stderr.write(out.stderr);
  }
  return out.success;
}

/** Runs `deno test` with `args`, copying its output through (marked with `lane` when given). */
async function runDenoTest(
  args: string[],
  env: Record<string, string>,
  cwd: string,
  lane: string,
): Promise<{ code: number } & LaneOutput> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["test", ...args],
    env,
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: lane ? "piped" : "inherit",
  }).spawn();
  const streams = lane ? [child.stdout, child.stderr] : [child.stdout];
  const outputs = await Promise.all(streams.map((s) => echoAndSummarize(s, lane)));
  const { code } = await child.status;
  return { code, summary: outputs[0].summary, errors: outputs.map((o) => o.errors).join("") };
}

/**
 * Copies `deno test` output through (each line marked `[lane]` when a lane is given) and returns
 * the counts of its closing summary line and its ERRORS section.
 */
async function echoAndSummarize(
  stream: ReadableStream<Uint8Array>,
  lane: string,
): Promise<LaneOutput> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let tail = "";
  let pending = "";
  const errors = new ErrorsSection();
  for await (const chunk of stream) {
    const text = decoder.decode(chunk, { stream: true });
    if (lane) {
      pending += text;
      const cut = pending.lastIndexOf("\n");
      if (cut >= 0) {
        const lines = pending.slice(0, cut + 1).replace(/^/gm, `[${lane}] `);
        await Deno.stdout.write(encoder.encode(lines.slice(0, -`[${lane}] `.length)));
        pending = pending.slice(cut + 1);
      }
    } else await Deno.stdout.write(chunk);
    tail = (tail + text).slice(-4096);
    errors.add(text);
  }
  if (lane && pending) await Deno.stdout.write(encoder.encode(`[${lane}] ${pending}\n`));
  const plain = stripAnsi(tail);
  const match = [...plain.matchAll(/(\d+) passed[^|\n]*\| (\d+) failed/g)].at(-1);
  const summary = match ? { passed: Number(match[1]), failed: Number(match[2]) } : null;
  return { summary, errors: errors.text() };
}

/**
 * Keeps what `deno test` prints from its ` ERRORS ` heading on (the errors, then the FAILURES
 * list and the closing line), without colours and at most `MAX_ERRORS_CHARS` of it.
 *
 * @example
 * ```ts ignore
 * const section = new ErrorsSection();
 * section.add("ok\n ERRORS \n\nboom => ./a_test.ts:1:6\n");
 * section.text(); // " ERRORS \n\nboom => ./a_test.ts:1:6\n"
 * ```
 */
export class ErrorsSection {
  #seen = "";
  #section: string | null = null;

  /** Adds the next piece of output. */
  add(text: string): void {
    if (this.#section !== null) {
      if (this.#section.length < MAX_ERRORS_CHARS) this.#section += stripAnsi(text);
      return;
    }
    // Keep a short tail so that a heading split between two pieces is still found.
    this.#seen = (this.#seen + stripAnsi(text)).slice(-8192);
    const at = this.#seen.search(/^ ERRORS $/m);
    if (at >= 0) {
      this.#section = this.#seen.slice(at);
      this.#seen = "";
    }
  }

  /** The section so far ("" when there was none), cut at `MAX_ERRORS_CHARS`. */
  text(): string {
    return (this.#section ?? "").slice(0, MAX_ERRORS_CHARS);
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    console.error(`test: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
