/**
 * Clean output: every user-facing command (`stack`, `drift`, `bench`, `stream`, `worker`,
 * `serve`, `test`, `demo`) prints no warning a user cannot act on, such as kafkajs'
 * `(node:…) TimeoutNegativeWarning: … is a negative number` (fixed in
 * lib/kafka/request_queue_fix.ts). Each command runs in a quick form against the running stack;
 * the test fails on any line that reads like a runtime warning.
 *
 * The tiny stream goes to the product topic `llm.requests`: a worker of this test answers it
 * before the test ends, so no backlog is left.
 */
import assert from "node:assert/strict";
import { ROOT, startServer } from "../../server/_browser_server.ts";
import { INTEGRATION, integrationConfig } from "../stack/testing.ts";

/** Lines that read like a runtime's warning rather than the command's own output. */
const WARNING_LINES: readonly RegExp[] = [
  /\(node:\d+\)/, // Node-style process warnings, as Deno's Node layer prints them
  /\b[A-Z][A-Za-z]*Warning\b/, // TimeoutNegativeWarning, DeprecationWarning, ExperimentalWarning…
  /\bwarning\b/i, // "Warning: Not implemented: …" and the like
  /\bdeprecat/i,
];

/** The lines of `output` that look like warnings. */
function warnings(output: string): string[] {
  return output.split("\n").filter((line) => WARNING_LINES.some((re) => re.test(line)));
}

const decoder = new TextDecoder();

/** Runs `deno task <args>` in the repository; returns the exit code and everything printed. */
async function task(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; output: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", ...args],
    cwd: ROOT,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, output: decoder.decode(out.stdout) + decoder.decode(out.stderr) };
}

/** A subprocess whose output is collected while it runs. */
function spawnTask(args: string[], env: Record<string, string> = {}) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", ...args],
    cwd: ROOT,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  const read = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) output += decoder.decode(chunk, { stream: true });
  };
  const pumps = Promise.all([read(child.stdout), read(child.stderr)]);
  return {
    output: () => output,
    async stop(): Promise<number> {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      const status = await child.status;
      await pumps;
      return status.code;
    },
  };
}

Deno.test("the warning filter finds kafkajs' TimeoutNegativeWarning and leaves ordinary lines", () => {
  const sample = [
    "● kafka   healthy   127.0.0.1:9092  (version 4.1.1)",
    "(node:16327) TimeoutNegativeWarning: -1796191971637 is a negative number.",
    "Timeout duration was set to 1.",
    "no LLM worker is consuming llm.requests: start `deno task serve` or `deno task worker`",
    'Warning: Not implemented: process.on("SIGPROF")',
  ].join("\n");
  assert.deepEqual(warnings(sample), [
    "(node:16327) TimeoutNegativeWarning: -1796191971637 is a negative number.",
    'Warning: Not implemented: process.on("SIGPROF")',
  ]);
});

Deno.test({
  name: "stack, drift, bench, stream, worker, serve, test and demo print no warnings",
  ...INTEGRATION,
  async fn(t) {
    integrationConfig(); // the running stack
    const checked: Record<string, string> = {};
    const clean = (name: string, output: string) => {
      checked[name] = output;
      assert.deepEqual(warnings(output), [], `${name} printed warnings:\n${output}`);
    };

    await t.step("stack status", async () => {
      const r = await task(["stack", "status"]);
      assert.equal(r.code, 0, r.output);
      assert.match(r.output, /kafka\s+healthy/);
      clean("stack status", r.output);
    });

    await t.step("drift: help and a missing file", async () => {
      const help = await task(["drift", "--help"]);
      assert.equal(help.code, 0, help.output);
      const missing = await task(["drift", "--reference", "absent.csv", "--current", "a.csv"]);
      assert.equal(missing.code, 2, missing.output);
      clean("drift", help.output + missing.output);
    });

    await t.step("bench: help and a bad argument", async () => {
      const help = await task(["bench", "--help"]);
      assert.equal(help.code, 0, help.output);
      assert.match(help.output, /usage: deno task bench/);
      const bad = await task(["bench", "--bogus"]);
      assert.equal(bad.code, 2, bad.output);
      assert.doesNotMatch(bad.output, /\n\s+at /, "one line, no stack trace");
      clean("bench", help.output + bad.output);
    });

    await t.step("demo: help", async () => {
      const help = await task(["demo", "--help"]);
      assert.equal(help.code, 0, help.output);
      assert.match(help.output, /usage: deno task demo/);
      clean("demo --help", help.output);
    });

    await t.step("a worker answers a one-request stream", async () => {
      const worker = spawnTask(["worker"], { LLMOPS_WORKER_CONCURRENCY: "1" });
      let streamed: { code: number; output: string } | null = null;
      try {
        const deadline = Date.now() + 120_000;
        while (!/consuming llm\.requests/.test(worker.output()) && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        assert.match(worker.output(), /consuming llm\.requests/, worker.output());
        // a long timeout: requests queued before this one are answered first
        streamed = await task([
          "stream",
          "--file",
          "datasets/quick_test.json",
          "--count",
          "1",
          "--max-tokens",
          "1",
          "--timeout",
          "600",
          "--json",
        ]);
      } finally {
        const code = await worker.stop();
        assert.equal(code, 143, `the worker stops on SIGTERM: ${worker.output()}`);
      }
      assert.equal(streamed.code, 0, streamed.output);
      const json = streamed.output.split("\n").find((line) => line.startsWith('{"job_id"'));
      assert.ok(json, `a JSON summary: ${streamed.output}`);
      const summary = JSON.parse(json);
      assert.equal(summary.succeeded + summary.failed, 1, streamed.output);
      assert.equal(summary.failed_by_type.response_timeout, undefined, "the worker answered it");
      clean("stream", streamed.output);
      clean("worker", worker.output());
    });

    await t.step("serve starts, prints its URLs, and stops", async () => {
      const server = await startServer({ env: { LLMOPS_WORKERS: "0" } });
      const code = await server.stop();
      const output = server.output();
      assert.equal(code, 143, output);
      assert.match(output, /^dashboard: http:\/\/127\.0\.0\.1:\d+\/$/m);
      assert.match(output, /^mlflow: {4}http:\/\/\S+/m);
      assert.match(output, /^notebooks: deno task lab/m);
      clean("serve", output);
    });

    await t.step("test runs one small test file", async () => {
      const r = await task(["test", "lib/stream/progress_test.ts"]);
      assert.equal(r.code, 0, r.output);
      assert.match(r.output, /tests: \d+ passed, 0 failed/);
      clean("test", r.output);
    });

    assert.equal(Object.keys(checked).length, 8, Object.keys(checked).join(", "));
  },
});
