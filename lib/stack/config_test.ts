import assert from "node:assert/strict";
import { loadStackConfig, serviceEnv } from "./config.ts";

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
