/**
 * Shutdown of `deno task serve` on SIGTERM and on SIGINT, as a real process: it is started with
 * a private state folder and free ports and no services running, so it provisions nothing new
 * (the cache is shared) but starts its own Kafka, MLflow and Ollama. Once the dashboard answers,
 * requests are submitted through `POST /api/requests` and the signal is sent. Then: the process
 * exits with 143/130, no process is left in any service's process group, every port is closed,
 * and every request the API accepted (202) is on that stack's `llm.requests` (read after starting
 * its Kafka again on the same data folder).
 */
import assert from "node:assert/strict";
import { createKafka, readTopic, TOPICS } from "../kafka/mod.ts";
import { freePorts } from "../stack/free_port.ts";
import { kafkaPaths, startKafka } from "../stack/kafka.ts";
import { mlflowPaths } from "../stack/mlflow.ts";
import { ollamaPaths } from "../stack/ollama.ts";
import {
  isAlive,
  isPortOpen,
  processGroupMembers,
  readPidFile,
  stopService,
} from "../stack/process.ts";
import { stackDown } from "../stack/stack.ts";
import { INTEGRATION } from "../stack/testing.ts";
import { planPrivateStack } from "./_private_stack.ts";

const ROOT = new URL("../../", import.meta.url);

async function serveAndSignal(signal: "SIGTERM" | "SIGINT", expectedCode: number) {
  const t0 = Date.now();
  const plan = await planPrivateStack();
  const { config } = plan;
  // off the plan's ports, which nothing listens on until the server starts the stack
  const [port] = freePorts(1, { exclude: Object.values(plan.ports) });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "server/main.ts"],
    cwd: ROOT,
    clearEnv: true,
    env: { ...plan.ownEnv, LLMOPS_PORT: String(port), LLMOPS_KAFKA_LOG: "nothing" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let stdout = "";
  let stderr = "";
  const stdoutDone = (async () => {
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) stdout += chunk;
  })();
  const stderrDone = (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) stderr += chunk;
  })();
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  try {
    // Ready when the dashboard line appears (the stack is up and the client bundled).
    const deadline = Date.now() + 300_000;
    while (!stdout.includes(`dashboard: http://127.0.0.1:${port}/`)) {
      if (exited) throw new Error(`serve exited before it was ready:\n${stderr}\n${stdout}`);
      if (Date.now() > deadline) throw new Error(`serve not ready after 300 s:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const readyS = (Date.now() - t0) / 1000;
    const pids = {
      kafka: await readPidFile(kafkaPaths(config).pid),
      mlflow: await readPidFile(mlflowPaths(config).pid),
      ollama: await readPidFile(ollamaPaths(config).pid),
    };
    for (const [service, pid] of Object.entries(pids)) {
      assert.ok(pid !== null && isAlive(pid), `${service} was started by serve`);
      assert.ok(processGroupMembers(pid!).length > 0);
    }
    assert.equal(await isPortOpen("127.0.0.1", port), true);

    // One request accepted before the signal, and a burst still in flight when it comes.
    const post = (n: number) =>
      fetch(`http://127.0.0.1:${port}/api/requests`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ prompt: `Say OK. (${signal} ${n})`, max_tokens: 1 }),
      }).then(async (response) => ({ status: response.status, body: await response.json() }))
        .catch((error) => ({ status: 0, body: { error: String(error) } }));
    const first = await post(0);
    assert.equal(first.status, 202, JSON.stringify(first.body));
    const burst = Array.from({ length: 10 }, (_, i) => post(i + 1));
    await new Promise((r) => setTimeout(r, 20));
    const signalledAt = Date.now();
    child.kill(signal);
    const results = [first, ...await Promise.all(burst)];
    const exit = await Promise.race([
      status,
      new Promise<null>((r) => setTimeout(() => r(null), 90_000)),
    ]);
    assert.ok(exit, `serve did not exit within 90 s of ${signal}:\n${stderr}`);
    const exitS = (Date.now() - signalledAt) / 1000;
    await Promise.all([stdoutDone, stderrDone]);
    assert.equal(exit.code, expectedCode, `exit code after ${signal}:\n${stderr}`);
    assert.match(stderr, /serve: shutting down/);

    // Every service process is gone and every port closed.
    for (const [service, pid] of Object.entries(pids)) {
      assert.deepEqual(processGroupMembers(pid!), [], `${service}: processes left in its group`);
      assert.equal(isAlive(pid!), false, `${service} still alive`);
    }
    for (const [name, p] of Object.entries({ ...plan.ports, dashboard: port })) {
      assert.equal(await isPortOpen("127.0.0.1", p), false, `${name} port ${p} still open`);
    }

    // The producer flushed: every accepted request is on llm.requests.
    const accepted = results.filter((r) => r.status === 202).map((r) => r.body.request_id);
    const refused = results.filter((r) => r.status !== 202);
    const kafkaAgain = await startKafka(config, () => {});
    try {
      const kafka = createKafka(config.kafka.brokers, "shutdown-test");
      const onTopic = new Set(
        (await readTopic(kafka, TOPICS.requests)).map((m) =>
          JSON.parse(m.value!.toString()).request_id
        ),
      );
      for (const id of accepted) assert.ok(onTopic.has(id), `accepted request ${id} not on Kafka`);
    } finally {
      await stopService(kafkaAgain.pid);
    }
    console.log(
      `${signal}: ready in ${readyS.toFixed(1)} s, exited ${exit.code} ${exitS.toFixed(1)} s ` +
        `after the signal; ${accepted.length} accepted requests on Kafka, ${refused.length} ` +
        `refused (${[...new Set(refused.map((r) => r.status))].join(", ") || "none"})`,
    );
  } finally {
    if (!exited) {
      try {
        child.kill("SIGKILL");
      } catch {
        // gone
      }
      await status;
    }
    await stackDown(config, () => {});
    await Deno.remove(plan.stateDir, { recursive: true }).catch(() => {});
  }
}

Deno.test({
  name: "serve stops on SIGTERM: exits 143, no service process or port left, producer flushed",
  ...INTEGRATION,
  fn: () => serveAndSignal("SIGTERM", 143),
});

Deno.test({
  name: "serve stops on SIGINT: exits 130, no service process or port left, producer flushed",
  ...INTEGRATION,
  fn: () => serveAndSignal("SIGINT", 130),
});
