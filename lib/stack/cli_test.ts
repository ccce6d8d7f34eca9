/**
 * `deno task stack up | status --json | down` on a second stack (its own state folder and free
 * ports, the same provisioned cache), so the suite's own stack is left alone.
 *
 * @lane own-stack (a whole second stack: never beside the other suites that start one)
 */
import assert from "node:assert/strict";
import { TOPICS } from "../kafka/topics.ts";
import { integrationConfig } from "./testing.ts";
import { freePorts } from "./free_port.ts";
import { isPortOpen, processGroupMembers } from "./process.ts";
import { runStackCli } from "./_scratch_stack.ts";

Deno.test({
  name: "stack up reports all three services healthy and stack down leaves no process behind",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const config = integrationConfig();
    const state = await Deno.makeTempDir({ prefix: "llmops-stack-test-" });
    const [kafka, controller, mlflow, ollama] = freePorts(4);
    const ports = { kafka, controller, mlflow, ollama };
    const env = {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? "",
      LLMOPS_STACK_DIR: config.dir,
      LLMOPS_STATE_DIR: state,
      LLMOPS_KAFKA_PORT: String(ports.kafka),
      LLMOPS_KAFKA_CONTROLLER_PORT: String(ports.controller),
      LLMOPS_MLFLOW_PORT: String(ports.mlflow),
      LLMOPS_OLLAMA_PORT: String(ports.ollama),
    };
    try {
      const up = await runStackCli(["up"], env);
      assert.equal(up.code, 0, `stack up failed:\n${up.stderr}\n${up.stdout}`);

      const status = await runStackCli(["status", "--json"], env);
      assert.equal(status.code, 0, status.stderr);
      const report = JSON.parse(status.stdout.trim().split("\n").at(-1)!);
      assert.equal(report.kafka.healthy, true);
      assert.equal(report.kafka.url, `127.0.0.1:${ports.kafka}`);
      assert.equal(report.kafka.version, config.kafka.version);
      assert.deepEqual(report.kafka.topics, Object.values(TOPICS).sort());
      assert.equal(report.mlflow.healthy, true);
      assert.equal(report.mlflow.url, `http://127.0.0.1:${ports.mlflow}`);
      assert.equal(report.mlflow.version, config.mlflow.version);
      assert.equal(report.ollama.healthy, true);
      assert.equal(report.ollama.url, `http://127.0.0.1:${ports.ollama}`);
      assert.equal(report.ollama.version, config.ollama.version.replace(/^v/, ""));
      assert.ok(report.ollama.models.includes(config.ollama.model), report.ollama.models);

      const pids = await Promise.all(
        ["kafka", "mlflow", "ollama"].map(async (s) =>
          Number(await Deno.readTextFile(`${state}/${s}/${s}.pid`))
        ),
      );
      for (const pid of pids) {
        assert.ok(processGroupMembers(pid).length > 0, `pid ${pid} not running`);
      }

      const down = await runStackCli(["down", "--json"], env);
      assert.equal(down.code, 0, down.stderr);
      assert.deepEqual(JSON.parse(down.stdout).stopped, ["kafka", "mlflow", "ollama"]);
      for (const pid of pids) assert.deepEqual(processGroupMembers(pid), [], `group ${pid} left`);
      for (const port of Object.values(ports)) {
        assert.equal(await isPortOpen("127.0.0.1", port), false, `port ${port} still open`);
      }
      const after = await runStackCli(["status", "--json"], env);
      assert.equal(after.code, 1);
      const afterReport = JSON.parse(after.stdout.trim());
      assert.equal(afterReport.kafka.healthy, false);
      assert.equal(afterReport.mlflow.healthy, false);
      assert.equal(afterReport.ollama.healthy, false);
    } finally {
      await runStackCli(["down"], env);
      await Deno.remove(state, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test("an unknown stack command prints the usage and exits with 2", async () => {
  const result = await runStackCli(["sideways"], { PATH: Deno.env.get("PATH") ?? "" });
  assert.equal(result.code, 2);
  assert.match(
    result.stderr,
    /unknown command "sideways"; usage: deno task stack up \| down \| status/,
  );
});
