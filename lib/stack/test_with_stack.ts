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

async function main(args: string[]): Promise<number> {
  const config = loadStackConfig();
  const stack = await stackUp(config);
  const removeHandlers = stopOnSignals(() => stack.stop());
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["test", "--allow-all", ...args],
      env: { ...serviceEnv(config), LLMOPS_STACK_DIR: config.dir, LLMOPS_TEST_STACK: "1" },
      stdin: "null",
    }).spawn();
    return (await child.status).code;
  } finally {
    removeHandlers();
    await stack.stop();
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
