import assert from "node:assert/strict";
import { DEFAULT_MLFLOW_WORKERS, loadStackConfig, serviceEnv, STACK_ENV_VARS } from "./config.ts";

Deno.test("with nothing configured every service is local, on loopback, with default ports", () => {
  const config = loadStackConfig({});
  assert.equal(config.kafka.external, false);
  assert.deepEqual(config.kafka.brokers, ["127.0.0.1:9092"]);
  assert.equal(config.kafka.partitions, 3);
  assert.equal(config.mlflow.uri, "http://127.0.0.1:5000");
  assert.equal(config.ollama.host, "http://127.0.0.1:11434");
  assert.equal(config.ollama.model, "smollm2:135m");
  assert.equal(config.mlflow.experiment, "llm-monitoring");
  assert.ok(config.dir.endsWith("/.stack"), config.dir);
  assert.equal(config.stateDir, `${config.dir}/state`);
});

Deno.test("an environment variable naming a service makes it external", () => {
  const config = loadStackConfig({
    KAFKA_BROKERS: "10.1.2.3:9092, 10.1.2.4:9092",
    MLFLOW_TRACKING_URI: "http://mlflow.internal:5000/",
    OLLAMA_HOST: "gpu-box:11434",
  });
  assert.equal(config.kafka.external, true);
  assert.deepEqual(config.kafka.brokers, ["10.1.2.3:9092", "10.1.2.4:9092"]);
  assert.equal(config.mlflow.external, true);
  assert.equal(config.mlflow.uri, "http://mlflow.internal:5000");
  assert.equal(config.ollama.external, true);
  assert.equal(config.ollama.host, "http://gpu-box:11434");
});

Deno.test("OLLAMA_HOST without a port gets Ollama's default port", () => {
  assert.equal(loadStackConfig({ OLLAMA_HOST: "gpu-box" }).ollama.host, "http://gpu-box:11434");
  assert.equal(
    loadStackConfig({ OLLAMA_HOST: "https://ollama.example:8443" }).ollama.host,
    "https://ollama.example:8443",
  );
});

Deno.test("ports and partitions come from the environment and bad values are named", () => {
  const config = loadStackConfig({
    LLMOPS_KAFKA_PORT: "19092",
    LLMOPS_MLFLOW_PORT: "15000",
    LLMOPS_OLLAMA_PORT: "21434",
    LLMOPS_KAFKA_PARTITIONS: "6",
  });
  assert.deepEqual(config.kafka.brokers, ["127.0.0.1:19092"]);
  assert.equal(config.mlflow.uri, "http://127.0.0.1:15000");
  assert.equal(config.ollama.host, "http://127.0.0.1:21434");
  assert.equal(config.kafka.partitions, 6);
  assert.throws(
    () => loadStackConfig({ LLMOPS_KAFKA_PORT: "nine" }),
    /LLMOPS_KAFKA_PORT must be a positive integer, found "nine"/,
  );
  assert.throws(
    () => loadStackConfig({ LLMOPS_MLFLOW_PORT: "70000" }),
    /LLMOPS_MLFLOW_PORT must be a TCP port between 1 and 65535, found "70000"/,
  );
  assert.throws(() => loadStackConfig({ LLMOPS_KAFKA_PARTITIONS: "0" }), /found "0"/);
});

Deno.test("serviceEnv points child processes at the configured services", () => {
  const env = serviceEnv(loadStackConfig({ LLMOPS_KAFKA_PORT: "19092", LLMOPS_MODEL: "m:1" }));
  assert.equal(env.KAFKA_BROKERS, "127.0.0.1:19092");
  assert.equal(env.MLFLOW_TRACKING_URI, "http://127.0.0.1:5000");
  assert.equal(env.OLLAMA_HOST, "http://127.0.0.1:11434");
  assert.equal(env.LLMOPS_MODEL, "m:1");
});

Deno.test("one Kafka node by default: replication factor 1 and min ISR 1", () => {
  const { kafka } = loadStackConfig({});
  assert.equal(kafka.nodes, 1);
  assert.deepEqual(kafka.localNodes, [{ id: 1, port: 9092, controllerPort: 9093 }]);
  assert.equal(kafka.replicationFactor, 1);
  assert.equal(kafka.minInsyncReplicas, 1);
});

Deno.test("LLMOPS_KAFKA_NODES=3 gives three nodes two ports apart, RF 3, min ISR 2, every broker listed", () => {
  const { kafka } = loadStackConfig({ LLMOPS_KAFKA_NODES: "3" });
  assert.deepEqual(kafka.localNodes, [
    { id: 1, port: 9092, controllerPort: 9093 },
    { id: 2, port: 9094, controllerPort: 9095 },
    { id: 3, port: 9096, controllerPort: 9097 },
  ]);
  assert.deepEqual(kafka.brokers, ["127.0.0.1:9092", "127.0.0.1:9094", "127.0.0.1:9096"]);
  assert.equal(kafka.replicationFactor, 3);
  assert.equal(kafka.minInsyncReplicas, 2);
  const moved = loadStackConfig({
    LLMOPS_KAFKA_NODES: "3",
    LLMOPS_KAFKA_PORT: "19192",
    LLMOPS_KAFKA_CONTROLLER_PORT: "19292",
  }).kafka;
  assert.deepEqual(moved.localNodes.map((n) => [n.port, n.controllerPort]), [
    [19192, 19292],
    [19194, 19294],
    [19196, 19296],
  ]);
  const two = loadStackConfig({ LLMOPS_KAFKA_NODES: "2" }).kafka;
  assert.deepEqual([two.replicationFactor, two.minInsyncReplicas], [2, 1]);
  const five = loadStackConfig({ LLMOPS_KAFKA_NODES: "5" }).kafka;
  assert.deepEqual([five.replicationFactor, five.minInsyncReplicas], [3, 2]);
});

Deno.test("cluster ports that overlap or leave the TCP range are refused with the variables named", () => {
  assert.throws(
    () =>
      loadStackConfig({
        LLMOPS_KAFKA_NODES: "3",
        LLMOPS_KAFKA_PORT: "9092",
        LLMOPS_KAFKA_CONTROLLER_PORT: "9094",
      }),
    /client ports \(9092, 9094, 9096\) and controller ports \(9094, 9096, 9098\) of 3 nodes overlap/,
  );
  assert.throws(
    () => loadStackConfig({ LLMOPS_KAFKA_NODES: "3", LLMOPS_KAFKA_PORT: "65533" }),
    /reach 65537, above 65535/,
  );
  assert.throws(
    () => loadStackConfig({ LLMOPS_KAFKA_NODES: "12" }),
    /LLMOPS_KAFKA_NODES must be an integer from 1 to 9, found "12"/,
  );
});

Deno.test("MLflow's backend: sqlite by default, postgresql on request, external with a tracking URI", () => {
  const sqlite = loadStackConfig({});
  assert.equal(sqlite.mlflow.backend, "sqlite");
  assert.equal(sqlite.mlflow.workers, DEFAULT_MLFLOW_WORKERS.sqlite);
  const pg = loadStackConfig({ LLMOPS_MLFLOW_DB: "PostgreSQL", LLMOPS_POSTGRES_PORT: "15433" });
  assert.equal(pg.mlflow.backend, "postgresql");
  assert.equal(pg.mlflow.workers, DEFAULT_MLFLOW_WORKERS.postgresql);
  assert.deepEqual(pg.postgres, { port: 15433, database: "mlflow", user: "llmops" });
  assert.equal(loadStackConfig({}).postgres.port, 5433);
  const external = loadStackConfig({
    LLMOPS_MLFLOW_DB: "postgresql",
    MLFLOW_TRACKING_URI: "http://mlflow.internal:5000",
  });
  assert.equal(external.mlflow.backend, "external");
  assert.equal(loadStackConfig({ LLMOPS_MLFLOW_WORKERS: "3" }).mlflow.workers, 3);
  assert.throws(
    () => loadStackConfig({ LLMOPS_MLFLOW_DB: "mysql" }),
    /LLMOPS_MLFLOW_DB must be "sqlite" or "postgresql", found "mysql"/,
  );
  assert.throws(() => loadStackConfig({ LLMOPS_POSTGRES_PORT: "0" }), /LLMOPS_POSTGRES_PORT/);
});

Deno.test("every variable the configuration reads is documented once", async () => {
  const source = await Deno.readTextFile(new URL("./config.ts", import.meta.url));
  const read = new Set([...source.matchAll(/env(?:\.|, ")([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]));
  const documented = STACK_ENV_VARS.map((v) => v.name);
  assert.equal(new Set(documented).size, documented.length, "a variable is documented twice");
  for (const name of read) {
    assert.ok(documented.includes(name), `${name} is read but not documented`);
  }
  for (
    const name of [
      "LLMOPS_KAFKA_NODES",
      "LLMOPS_MLFLOW_DB",
      "LLMOPS_POSTGRES_PORT",
      "LLMOPS_MLFLOW_WORKERS",
    ]
  ) {
    assert.ok(documented.includes(name), name);
  }
});
