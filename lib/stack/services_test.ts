/**
 * The real services of the local stack answer as the product needs them to: Kafka through
 * kafkajs, MLflow's REST API, Ollama through npm:ollama, and Jupyter with the Deno kernel.
 */
import assert from "node:assert/strict";
import { Kafka, logLevel } from "kafkajs";
import { Ollama } from "ollama";
import { executeNotebook } from "./jupyter.ts";
import { stripAnsi } from "./ansi.ts";
import { createTopicsReady, INTEGRATION, integrationConfig, uniqueName } from "./testing.ts";

Deno.test({
  name: "kafkajs produces to and consumes from the local broker through a consumer group",
  ...INTEGRATION,
  fn: async () => {
    const config = integrationConfig();
    const kafka = new Kafka({
      clientId: "stack-test",
      brokers: config.kafka.brokers,
      logLevel: logLevel.NOTHING,
    });
    const topic = uniqueName("stack-test");
    const admin = kafka.admin();
    await admin.connect();
    await createTopicsReady(admin, [topic], 3);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const sent = Array.from({ length: 12 }, (_, i) => ({
      key: `key-${i}`,
      value: JSON.stringify({ n: i }),
      headers: { "content-type": "application/json", "x-seq": String(i) },
    }));
    await producer.send({ topic, acks: -1, messages: sent });
    const consumer = kafka.consumer({ groupId: uniqueName("stack-test-group") });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: { key: string; value: string; headers: Record<string, string> }[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${received.length} of 12 arrived`)),
        30_000,
      );
      consumer.run({
        eachMessage: ({ message }) => {
          received.push({
            key: message.key!.toString(),
            value: message.value!.toString(),
            headers: Object.fromEntries(
              Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
            ),
          });
          if (received.length === sent.length) {
            clearTimeout(timer);
            resolve();
          }
          return Promise.resolve();
        },
      });
    });
    await consumer.disconnect();
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
    received.sort((a, b) => JSON.parse(a.value).n - JSON.parse(b.value).n);
    for (const [i, message] of received.entries()) {
      assert.equal(message.key, `key-${i}`);
      assert.deepEqual(JSON.parse(message.value), { n: i });
      assert.equal(message.headers["x-seq"], String(i));
      assert.equal(message.headers["content-type"], "application/json");
    }
  },
});

Deno.test({
  name: "the product's three topics exist with the configured partitions",
  ...INTEGRATION,
  fn: async () => {
    const config = integrationConfig();
    const admin = new Kafka({
      clientId: "stack-test",
      brokers: config.kafka.brokers,
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({
      topics: ["llm.requests", "llm.responses", "llm.dlq"],
    });
    await admin.disconnect();
    for (const topic of metadata.topics) {
      assert.equal(topic.partitions.length, config.kafka.partitions, topic.name);
    }
  },
});

async function mlflowPost(uri: string, path: string, body: unknown) {
  const response = await fetch(`${uri}/api/2.0/mlflow/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = await response.json();
  assert.equal(response.status, 200, `${path}: ${JSON.stringify(json)}`);
  return json;
}

Deno.test("the MLflow REST API creates an experiment and a run, logs a batch and reads it back", async () => {
  const { mlflow } = integrationConfig();
  const { experiment_id } = await mlflowPost(mlflow.uri, "experiments/create", {
    name: uniqueName("stack-test"),
  });
  const { run } = await mlflowPost(mlflow.uri, "runs/create", {
    experiment_id,
    run_name: "stack-test-run",
    start_time: 1_700_000_000_000,
    tags: [{ key: "request_id", value: "abc" }],
  });
  await mlflowPost(mlflow.uri, "runs/log-batch", {
    run_id: run.info.run_id,
    metrics: [
      { key: "latency_s", value: 1.25, timestamp: 1_700_000_001_000, step: 0 },
      { key: "tokens", value: 42, timestamp: 1_700_000_001_000, step: 0 },
    ],
    params: [{ key: "temperature", value: "0.7" }],
    tags: [{ key: "status", value: "success" }],
  });
  await mlflowPost(mlflow.uri, "runs/update", {
    run_id: run.info.run_id,
    status: "FINISHED",
    end_time: 1_700_000_002_000,
  });
  const response = await fetch(`${mlflow.uri}/api/2.0/mlflow/runs/get?run_id=${run.info.run_id}`);
  const { run: read } = await response.json();
  assert.equal(read.info.status, "FINISHED");
  const metrics = Object.fromEntries(
    read.data.metrics.map((m: { key: string; value: number }) => [m.key, m.value]),
  );
  assert.deepEqual(metrics, { latency_s: 1.25, tokens: 42 });
  assert.deepEqual(read.data.params, [{ key: "temperature", value: "0.7" }]);
  const tags = Object.fromEntries(
    read.data.tags.map((t: { key: string; value: string }) => [t.key, t.value]),
  );
  assert.equal(tags.request_id, "abc");
  assert.equal(tags.status, "success");
});

Deno.test({
  name: "npm:ollama lists the imported model and a chat returns real text with timings",
  ...INTEGRATION,
  fn: async () => {
    const { ollama } = integrationConfig();
    const client = new Ollama({ host: ollama.host });
    const { models } = await client.list();
    assert.ok(models.some((m) => m.name === ollama.model), `models: ${models.map((m) => m.name)}`);
    const reply = await client.chat({
      model: ollama.model,
      messages: [{ role: "user", content: "Name one colour." }],
      options: { num_predict: 24, temperature: 0 },
    });
    assert.ok(reply.message.content.trim().length > 0, "empty reply");
    assert.ok(reply.eval_count > 0, `eval_count ${reply.eval_count}`);
    assert.ok(reply.total_duration > 0 && reply.eval_duration > 0, "zero durations");
    assert.ok(reply.prompt_eval_count > 0);
  },
});

Deno.test("a tiny Deno notebook executes in Jupyter with the Deno kernel", async () => {
  const config = integrationConfig();
  const dir = await Deno.makeTempDir();
  const notebook = {
    cells: [
      {
        cell_type: "code",
        metadata: {},
        execution_count: null,
        outputs: [],
        source: ["const xs = [1, 2, 3];\n", "xs.reduce((a, b) => a + b, 0) * 7"],
      },
      {
        cell_type: "code",
        metadata: {},
        execution_count: null,
        outputs: [],
        source: ["Deno.version.deno"],
      },
    ],
    metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  await Deno.writeTextFile(`${dir}/tiny.ipynb`, JSON.stringify(notebook));
  await executeNotebook(config, `${dir}/tiny.ipynb`, {
    outputPath: `${dir}/tiny.out.ipynb`,
    cellTimeoutS: 120,
  });
  const executed = JSON.parse(await Deno.readTextFile(`${dir}/tiny.out.ipynb`));
  const plain = (cell: number) =>
    stripAnsi(String(executed.cells[cell].outputs[0].data["text/plain"]));
  assert.equal(plain(0).trim(), "42");
  const second = plain(1);
  assert.match(second, /2\.\d+\.\d+/);
  await Deno.remove(dir, { recursive: true });
});
