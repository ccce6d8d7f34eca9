import assert from "node:assert/strict";
import { loadStackConfig } from "./config.ts";
import {
  kafkaNodePaths,
  kafkaPaths,
  kafkaServerProperties,
  prepareKafkaStorage,
  randomClusterId,
  readMetaClusterId,
  recordedKafkaPidFiles,
} from "./kafka.ts";

Deno.test("a KRaft cluster id is 22 base64url characters and never starts with a dash", () => {
  // About one random id in 64 would start with "-"; 5,000 draws meet that case ~78 times.
  for (let i = 0; i < 5_000; i++) {
    const id = randomClusterId();
    assert.match(id, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/, `unexpected cluster id ${id}`);
  }
});

function props(text: string): Record<string, string> {
  return Object.fromEntries(
    text.trim().split("\n").map((
      line,
    ) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
}

Deno.test("a three-node cluster's node 2 votes in a static quorum of all three and replicates 3 with min ISR 2", () => {
  const config = loadStackConfig({ LLMOPS_KAFKA_NODES: "3", LLMOPS_STATE_DIR: "/state" });
  const p = props(kafkaServerProperties(config, 2));
  assert.equal(p["node.id"], "2");
  assert.equal(p["process.roles"], "broker,controller");
  assert.equal(p["controller.quorum.voters"], "1@127.0.0.1:9093,2@127.0.0.1:9095,3@127.0.0.1:9097");
  assert.equal(p.listeners, "PLAINTEXT://127.0.0.1:9094,CONTROLLER://127.0.0.1:9095");
  assert.equal(p["advertised.listeners"], "PLAINTEXT://127.0.0.1:9094");
  assert.equal(p["log.dirs"], "/state/kafka/node-2/data");
  for (
    const key of [
      "default.replication.factor",
      "offsets.topic.replication.factor",
      "transaction.state.log.replication.factor",
      "share.coordinator.state.topic.replication.factor",
    ]
  ) {
    assert.equal(p[key], "3", key);
  }
  for (
    const key of [
      "min.insync.replicas",
      "transaction.state.log.min.isr",
      "share.coordinator.state.topic.min.isr",
    ]
  ) {
    assert.equal(p[key], "2", key);
  }
});

Deno.test("one node keeps the single-broker layout and settings; a cluster gives each node its folder", () => {
  const single = loadStackConfig({ LLMOPS_STATE_DIR: "/state" });
  const p = props(kafkaServerProperties(single));
  assert.equal(p["controller.quorum.voters"], "1@127.0.0.1:9093");
  assert.equal(p["min.insync.replicas"], "1");
  assert.equal(p["offsets.topic.replication.factor"], "1");
  assert.equal(kafkaNodePaths(single, 1).pid, "/state/kafka/kafka.pid");
  assert.equal(kafkaPaths(single).data, "/state/kafka/data");
  const cluster = loadStackConfig({ LLMOPS_STATE_DIR: "/state", LLMOPS_KAFKA_NODES: "3" });
  assert.deepEqual(
    [1, 2, 3].map((id) => kafkaNodePaths(cluster, id).pid),
    [
      "/state/kafka/node-1/kafka.pid",
      "/state/kafka/node-2/kafka.pid",
      "/state/kafka/node-3/kafka.pid",
    ],
  );
  assert.throws(() => kafkaNodePaths(cluster, 4), /Kafka node id must be one of 1, 2, 3, found 4/);
});

Deno.test("stack down finds the pid files of every node count that ran in a state folder", async () => {
  const state = await Deno.makeTempDir();
  try {
    const config = loadStackConfig({ LLMOPS_STATE_DIR: state });
    assert.deepEqual(await recordedKafkaPidFiles(config), [`${state}/kafka/kafka.pid`]);
    await Deno.mkdir(`${state}/kafka/node-2`, { recursive: true });
    await Deno.mkdir(`${state}/kafka/node-1`, { recursive: true });
    await Deno.mkdir(`${state}/kafka/data`, { recursive: true });
    assert.deepEqual((await recordedKafkaPidFiles(config)).sort(), [
      `${state}/kafka/kafka.pid`,
      `${state}/kafka/node-1/kafka.pid`,
      `${state}/kafka/node-2/kafka.pid`,
    ]);
  } finally {
    await Deno.remove(state, { recursive: true });
  }
});

Deno.test("the cluster id is read from a formatted node's meta.properties, null when unformatted", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.equal(await readMetaClusterId(dir), null);
    await Deno.writeTextFile(
      `${dir}/meta.properties`,
      "#\nnode.id=2\ndirectory.id=abc\nversion=1\ncluster.id=mExH005DsmyoNLZaXZL-WA\n",
    );
    assert.equal(await readMetaClusterId(dir), "mExH005DsmyoNLZaXZL-WA");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a cluster refuses to start while a broker of another node count runs from the same state folder", async () => {
  const state = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${state}/kafka`, { recursive: true });
    // A live process recorded as the single-node broker (this test process stands in for it).
    await Deno.writeTextFile(`${state}/kafka/kafka.pid`, `${Deno.pid}\n`);
    const cluster = loadStackConfig({ LLMOPS_STATE_DIR: state, LLMOPS_KAFKA_NODES: "3" });
    await assert.rejects(
      prepareKafkaStorage(cluster, () => {}),
      new RegExp(`another LLMOPS_KAFKA_NODES runs from this state folder \\(pid ${Deno.pid}`),
    );
    await assert.rejects(Deno.stat(`${state}/kafka/node-1`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(state, { recursive: true });
  }
});
