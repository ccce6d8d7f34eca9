/**
 * `deno task test`: brings the local stack up (provisioning it on a fresh machine), runs the
 * whole test suite against it, and stops what it started, even when the tests fail.
 *
 * Arguments are passed to `deno test` (for example a path or `--filter`).
 *
 * @module
 */

import { loadStackConfig, serviceEnv } from "./config.ts";
import { stackUp, stopOnSignals } from "./stack.ts";
import { stripAnsi } from "./ansi.ts";

async function main(args: string[]): Promise<number> {
  const config = loadStackConfig();
  const stack = await stackUp(config);
  const removeHandlers = stopOnSignals(() => stack.stop());
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["test", "--allow-all", ...args],
      env: { ...serviceEnv(config), LLMOPS_STACK_DIR: config.dir, LLMOPS_TEST_STACK: "1" },
      stdin: "null",
      stdout: "piped",
    }).spawn();
    const summary = await echoAndSummarize(child.stdout);
    const { code } = await child.status;
    // A plain closing line that any CI reads: "N passed, N failed".
    if (summary) console.log(`tests: ${summary.passed} passed, ${summary.failed} failed`);
    return code;
  } finally {
    removeHandlers();
    await stack.stop();
  }
}

/** Copies `deno test` output through and returns the counts of its closing summary line. */
async function echoAndSummarize(
  stream: ReadableStream<Uint8Array>,
): Promise<{ passed: number; failed: number } | null> {
  const decoder = new TextDecoder();
  let tail = "";
  for await (const chunk of stream) {
    await Deno.stdout.write(chunk);
    tail = (tail + decoder.decode(chunk, { stream: true })).slice(-4096);
  }
  const plain = stripAnsi(tail);
  const match = [...plain.matchAll(/(\d+) passed[^|\n]*\| (\d+) failed/g)].at(-1);
  return match ? { passed: Number(match[1]), failed: Number(match[2]) } : null;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    console.error(`test: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
