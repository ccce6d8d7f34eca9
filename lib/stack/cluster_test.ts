/**
 * The cluster profile of the local stack (`LLMOPS_KAFKA_NODES=3`) on a scratch state folder
 * and its own ports: three KRaft nodes come up healthy, the topics are replicated 3 with
 * min ISR 2, a message written with acks=all survives SIGKILL of its partition's leader (and
 * writes go on while that node is down), the node rejoins, `stack down` leaves no process, and
 * a second `stack up` reuses the data without formatting it again.
 *
 * Needs only the provisioned Kafka jars (`LLMOPS_STACK_DIR`): `deno test --allow-all` this file.
 */
import assert from "node:assert/strict";
import { Kafka, logLevel } from "kafkajs";
import { TOPICS } from "./config.ts";
import {
  kafkaNodePaths,
  killKafkaNode,
  readMetaClusterId,
  restartKafkaNode,
  underReplicatedPartitions,
} from "./kafka.ts";
import { isPortOpen } from "./process.ts";
import { stackUp } from "./stack.ts";
import { INTEGRATION, uniqueName, waitFor } from "./testing.ts";
import { groupGone, lastJson, scratchStack } from "./_scratch_stack.ts";
import type { KafkaNodeStatus } from "./kafka.ts";

interface StatusJson {
  kafka: { healthy: boolean; brokers: number; topics: string[]; nodes: KafkaNodeStatus[] };
}

function client(brokers: string[]): Kafka {
  return new Kafka({
    clientId: "cluster-test",
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 200, maxRetryTime: 2_000 },
  });
}

/** Reads `topic` from the beginning until every key in `keys` was seen; returns key → value. */
async function readKeys(kafka: Kafka, topic: string, keys: string[]): Promise<Map<string, string>> {
  const seen = new Map<string, string>();
  const consumer = kafka.consumer({ groupId: uniqueName("cluster-test-reader") });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        const key = message.key?.toString() ?? "";
        if (keys.includes(key)) seen.set(key, message.value?.toString() ?? "");
        return Promise.resolve();
      },
    });
    await waitFor(() => keys.every((k) => seen.has(k)), `keys ${keys.join(", ")} on ${topic}`);
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

Deno.test({
  name:
    "a three-node cluster replicates 3 with min ISR 2, keeps acks=all writes through a SIGKILLed leader, stops cleanly and restarts on its data",
  ...INTEGRATION,
  fn: async () => {
    const scratch = await scratchStack({ LLMOPS_KAFKA_NODES: "3" }, { kafkaFrom: 19192 });
    const { config } = scratch;
    const lines: string[] = [];
    const progress = (line: string) => lines.push(line);
    const t0 = Date.now();
    const timings: string[] = [];
    const mark = (what: string) =>
      timings.push(`${what} ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    try {
      // Up: three nodes, each healthy on its own port, one cluster id on every node.
      await stackUp(config, { services: ["kafka"], jupyter: false, progress });
      mark("up");
      assert.ok(
        lines.some((l) => /formatting KRaft storage of nodes 1, 2, 3/.test(l)),
        lines.join("\n"),
      );
      const status = await scratch.cli(["status", "--json"]);
      const report = lastJson<StatusJson>(status.stdout).kafka;
      assert.equal(report.healthy, true, status.stderr);
      assert.equal(report.brokers, 3);
      assert.deepEqual(report.topics, Object.values(TOPICS).sort());
      assert.deepEqual(
        report.nodes.map((n) => [n.id, n.port, n.healthy]),
        config.kafka.localNodes.map((n) => [n.id, n.port, true]),
      );
      const pids = report.nodes.map((n) => n.pid!);
      assert.equal(new Set(pids).size, 3, `three processes: ${pids}`);
      const clusterIds = await Promise.all(
        [1, 2, 3].map((id) => readMetaClusterId(kafkaNodePaths(config, id).data)),
      );
      assert.equal(new Set(clusterIds).size, 1, `one cluster id: ${clusterIds}`);
      assert.ok(clusterIds[0]);

      // The product's topics: replication factor 3, min.insync.replicas 2, every replica in sync.
      const kafka = client(config.kafka.brokers);
      const admin = kafka.admin();
      await admin.connect();
      const metadata = await admin.fetchTopicMetadata({ topics: [TOPICS.requests] });
      for (const partition of metadata.topics[0].partitions) {
        assert.equal(partition.replicas.length, 3);
        assert.equal(partition.isr.length, 3);
      }
      const configs = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: 2, name: TOPICS.requests, configNames: ["min.insync.replicas"] }],
      });
      assert.equal(configs.resources[0].configEntries[0].configValue, "2");

      // A message written with acks=all, then its partition's leader killed with SIGKILL.
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      const before = uniqueName("before-kill");
      const [written] = await producer.send({
        topic: TOPICS.requests,
        acks: -1,
        messages: [{ key: before, value: "written before the kill" }],
      });
      const leader = metadata.topics[0].partitions.find((p) => p.partitionId === written.partition)!
        .leader;
      const killedPid = await killKafkaNode(config, leader, "SIGKILL");
      mark(`node ${leader} killed`);
      assert.ok(groupGone(killedPid));

      // Writes with acks=all go on with two of three replicas in sync (min ISR 2).
      const during = uniqueName("while-down");
      await producer.send({
        topic: TOPICS.requests,
        acks: -1,
        messages: [{ key: during, value: "written while a node was down" }],
      });
      await producer.disconnect();
      const degraded = lastJson<StatusJson>((await scratch.cli(["status", "--json"])).stdout).kafka;
      const down = degraded.nodes.find((n) => n.id === leader)!;
      assert.deepEqual([down.pid, down.healthy], [null, false]);
      assert.equal(degraded.nodes.filter((n) => n.healthy).length, 2);

      // The node comes back with its data and catches up: every replica in sync again.
      const restarted = await restartKafkaNode(config, leader);
      assert.notEqual(restarted.pid, killedPid);
      await waitFor(
        async () => (await underReplicatedPartitions(config, Object.values(TOPICS))) === 0,
        "every partition fully in sync after the restart",
        120_000,
      );
      mark(`node ${leader} back in sync`);
      const healed = lastJson<StatusJson>((await scratch.cli(["status", "--json"])).stdout).kafka;
      assert.ok(healed.nodes.every((n) => n.healthy), JSON.stringify(healed.nodes));
      const read = await readKeys(kafka, TOPICS.requests, [before, during]);
      assert.equal(read.get(before), "written before the kill");
      assert.equal(read.get(during), "written while a node was down");
      await admin.disconnect();

      // stack down: every node's process group gone, every port closed, pid files removed.
      const finalPids = healed.nodes.map((n) => n.pid!);
      const stopped = await scratch.cli(["down", "--json"]);
      assert.equal(stopped.code, 0, stopped.stderr);
      assert.deepEqual(JSON.parse(stopped.stdout).stopped, ["kafka"]);
      mark("down");
      for (const pid of finalPids) assert.ok(groupGone(pid), `kafka process ${pid} left`);
      for (const node of config.kafka.localNodes) {
        assert.equal(await isPortOpen("127.0.0.1", node.port), false, `port ${node.port} open`);
        assert.equal(await isPortOpen("127.0.0.1", node.controllerPort), false);
        await assert.rejects(Deno.stat(kafkaNodePaths(config, node.id).pid));
      }

      // A second stack up reuses the data: no format, the same cluster id, the messages there.
      lines.length = 0;
      await stackUp(config, { services: ["kafka"], jupyter: false, progress });
      mark("up again");
      assert.ok(!lines.some((l) => /formatting/.test(l)), lines.join("\n"));
      const againIds = await Promise.all(
        [1, 2, 3].map((id) => readMetaClusterId(kafkaNodePaths(config, id).data)),
      );
      assert.deepEqual(againIds, clusterIds);
      const again = await readKeys(client(config.kafka.brokers), TOPICS.requests, [before, during]);
      assert.equal(again.get(before), "written before the kill");
      assert.equal(again.get(during), "written while a node was down");
      const last = await scratch.cli(["down", "--json"]);
      assert.deepEqual(JSON.parse(last.stdout).stopped, ["kafka"]);
      console.log(`cluster test: ${timings.join(", ")}`);
    } finally {
      await scratch.cleanup();
    }
  },
});
