/**
 * The local Apache Kafka cluster: jars from Maven Central (a small pom and
 * `mvn dependency:copy-dependencies`), one node (default) or `LLMOPS_KAFKA_NODES` nodes, each a
 * combined KRaft controller and broker with its own ports, data folder, log and pid file,
 * loopback listeners, storage formatted once with one shared cluster id, and the product's
 * topics (replicated on a cluster). Nodes can be killed and restarted one by one for fault tests.
 *
 * @module
 */

import { ConfigResourceTypes, Kafka, logLevel } from "kafkajs";
// the fix of kafkajs' request queue timer (TimeoutNegativeWarning, busy polling): see the module
import "../kafka/request_queue_fix.ts";
import { createTopicsServed } from "../kafka/topics_served.ts";
import { type StackConfig, TOPICS } from "./config.ts";
import { exists } from "./_fs.ts";
import { requireCommand } from "./prerequisites.ts";
import {
  ensurePortFree,
  isAlive,
  processGroupMembers,
  readPidFile,
  runLogged,
  type StartedService,
  startService,
  stopService,
  waitUntil,
} from "./process.ts";

/**
 * Paths of the Kafka parts inside the stack folders. `data`, `properties`, `log` and `pid` are
 * node 1's (see {@linkcode kafkaNodePaths}); `clusterId` holds the cluster id that every node
 * is formatted with.
 */
export function kafkaPaths(config: StackConfig) {
  const home = `${config.dir}/kafka-${config.kafka.version}`;
  const state = `${config.stateDir}/kafka`;
  return {
    home,
    pom: `${home}/pom.xml`,
    libs: `${home}/libs`,
    ready: `${home}/.ready`,
    state,
    log4j: `${state}/log4j2.properties`,
    clusterId: `${state}/cluster.id`,
    ...kafkaNodePaths(config, 1),
  };
}

/**
 * Paths of one local node: one node keeps the single-broker layout (`state/kafka/data`,
 * `kafka.pid`, …); in a cluster each node has its own folder `state/kafka/node-<id>/`.
 *
 * @example
 * ```ts
 * kafkaNodePaths(loadStackConfig({ LLMOPS_KAFKA_NODES: "3" }), 2).pid;
 * // ".../state/kafka/node-2/kafka.pid"
 * ```
 */
export function kafkaNodePaths(config: StackConfig, id: number) {
  const node = nodeOf(config, id);
  const state = `${config.stateDir}/kafka`;
  const dir = config.kafka.nodes === 1 ? state : `${state}/node-${node.id}`;
  return {
    dir,
    data: `${dir}/data`,
    properties: `${dir}/server.properties`,
    log: `${dir}/kafka.log`,
    pid: `${dir}/kafka.pid`,
  };
}

function nodeOf(config: StackConfig, id: number) {
  const node = config.kafka.localNodes.find((n) => n.id === id);
  if (!node) {
    throw new RangeError(
      `Kafka node id must be one of ${config.kafka.localNodes.map((n) => n.id).join(", ")}, ` +
        `found ${id}`,
    );
  }
  return node;
}

/**
 * Every Kafka pid file under the state folder, whichever node count wrote it (the single-node
 * `kafka.pid` and each `node-<id>/kafka.pid`), so that `stack down` stops them all.
 */
export async function recordedKafkaPidFiles(config: StackConfig): Promise<string[]> {
  const state = `${config.stateDir}/kafka`;
  const files = [`${state}/kafka.pid`];
  try {
    for await (const entry of Deno.readDir(state)) {
      if (entry.isDirectory && /^node-\d+$/.test(entry.name)) {
        files.push(`${state}/${entry.name}/kafka.pid`);
      }
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return files;
}

/** The pom whose dependencies are the broker's classpath. */
export function kafkaPom(version: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.llmops</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>${version}</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-slf4j-impl</artifactId>
      <version>2.24.3</version>
    </dependency>
  </dependencies>
</project>
`;
}

/**
 * One node's configuration: a combined KRaft controller and broker on loopback, the static
 * quorum of every local node (`controller.quorum.voters`), and replication defaults for the
 * cluster's size (internal topics and new topics get the configured replication factor and
 * `min.insync.replicas`).
 *
 * @example
 * ```ts
 * kafkaServerProperties(loadStackConfig({ LLMOPS_KAFKA_NODES: "3" }), 2);
 * // "process.roles=broker,controller\nnode.id=2\ncontroller.quorum.voters=1@127.0.0.1:9093,…"
 * ```
 */
export function kafkaServerProperties(config: StackConfig, id = 1): string {
  const { partitions, replicationFactor: rf, minInsyncReplicas: isr } = config.kafka;
  const node = nodeOf(config, id);
  const voters = config.kafka.localNodes.map((n) => `${n.id}@127.0.0.1:${n.controllerPort}`);
  return [
    "process.roles=broker,controller",
    `node.id=${node.id}`,
    `controller.quorum.voters=${voters.join(",")}`,
    `listeners=PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${node.port}`,
    "controller.listener.names=CONTROLLER",
    "inter.broker.listener.name=PLAINTEXT",
    "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
    `log.dirs=${kafkaNodePaths(config, id).data}`,
    `num.partitions=${partitions}`,
    `default.replication.factor=${rf}`,
    `min.insync.replicas=${isr}`,
    `offsets.topic.replication.factor=${rf}`,
    "offsets.topic.num.partitions=3",
    `transaction.state.log.replication.factor=${rf}`,
    `transaction.state.log.min.isr=${isr}`,
    `share.coordinator.state.topic.replication.factor=${rf}`,
    `share.coordinator.state.topic.min.isr=${isr}`,
    "group.initial.rebalance.delay.ms=0",
    "auto.create.topics.enable=false",
    "",
  ].join("\n");
}

const LOG4J2 = `status = error
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.stdout.ref = STDOUT
logger.server.name = kafka.server.KafkaRaftServer
logger.server.level = info
`;

/** Downloads the broker's jars once (idempotent: a marker file records success). */
export async function provisionKafka(config: StackConfig, progress: (line: string) => void) {
  const paths = kafkaPaths(config);
  if (await exists(paths.ready)) return;
  await requireCommand("java", ["-version"], "Kafka", "KAFKA_BROKERS=host:9092");
  await requireCommand("mvn", ["-v"], "Kafka", "KAFKA_BROKERS=host:9092");
  progress(`kafka: downloading Kafka ${config.kafka.version} jars with Maven`);
  await Deno.mkdir(paths.home, { recursive: true });
  await Deno.writeTextFile(paths.pom, kafkaPom(config.kafka.version));
  await runLogged(
    "maven: copy Kafka's dependencies",
    "mvn",
    [
      "-B",
      "-q",
      "-f",
      paths.pom,
      "dependency:copy-dependencies",
      `-DoutputDirectory=${paths.libs}`,
    ],
    { logFile: `${paths.home}/mvn.log`, progress },
  );
  await Deno.writeTextFile(paths.ready, new Date().toISOString());
}

/**
 * Writes every node's configuration and formats the storage of each node that has none yet,
 * all with one cluster id (kept in `cluster.id`, or read back from a formatted node). A node
 * whose storage exists is never formatted again, so a second `stack up` reuses the data.
 */
export async function prepareKafkaStorage(
  config: StackConfig,
  progress: (line: string) => void,
): Promise<void> {
  const paths = kafkaPaths(config);
  await refuseOtherNodeCount(config);
  await Deno.mkdir(paths.state, { recursive: true });
  await Deno.writeTextFile(paths.log4j, LOG4J2);
  const unformatted: number[] = [];
  const formattedIds = new Map<number, string>();
  for (const { id } of config.kafka.localNodes) {
    const node = kafkaNodePaths(config, id);
    await Deno.mkdir(node.dir, { recursive: true });
    await Deno.writeTextFile(node.properties, kafkaServerProperties(config, id));
    const clusterId = await readMetaClusterId(node.data);
    if (clusterId === null) unformatted.push(id);
    else formattedIds.set(id, clusterId);
  }
  const known = new Set(formattedIds.values());
  if (known.size > 1) {
    throw new Error(
      `kafka: the nodes' storage belongs to different clusters (${
        [...formattedIds].map(([id, c]) => `node ${id}: ${c}`).join(", ")
      }); remove ${paths.state} to start afresh`,
    );
  }
  if (unformatted.length === 0) return;
  let clusterId = [...known][0] ?? await readClusterIdFile(paths.clusterId);
  if (!clusterId) {
    clusterId = randomClusterId();
    await Deno.writeTextFile(paths.clusterId, `${clusterId}\n`);
  }
  progress(
    `kafka: formatting KRaft storage of node${unformatted.length > 1 ? "s" : ""} ` +
      `${unformatted.join(", ")} (cluster ${clusterId})`,
  );
  await Promise.all(unformatted.map((id) => {
    const node = kafkaNodePaths(config, id);
    return runLogged(
      `kafka: format storage of node ${id}`,
      "java",
      [
        "-cp",
        `${paths.libs}/*`,
        `-Dlog4j2.configurationFile=${paths.log4j}`,
        "kafka.tools.StorageTool",
        "format",
        "-t",
        clusterId,
        "-c",
        node.properties,
      ],
      { logFile: node.log, progress },
    );
  }));
}

/**
 * Throws when a broker started with another node count still runs from this state folder: its
 * ports would clash, and the error would blame "another program".
 */
async function refuseOtherNodeCount(config: StackConfig): Promise<void> {
  const ownPidFiles = new Set(config.kafka.localNodes.map((n) => kafkaNodePaths(config, n.id).pid));
  for (const file of await recordedKafkaPidFiles(config)) {
    const pid = ownPidFiles.has(file) ? null : await readPidFile(file);
    if (pid !== null && isAlive(pid)) {
      throw new Error(
        `kafka: a broker started with another LLMOPS_KAFKA_NODES runs from this state folder ` +
          `(pid ${pid}, ${file}); stop it with \`deno task stack down\` first`,
      );
    }
  }
}

/** The `cluster.id` recorded in a node's `meta.properties`, or null when it is unformatted. */
export async function readMetaClusterId(dataDir: string): Promise<string | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(`${dataDir}/meta.properties`);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  const match = text.match(/^cluster\.id=(.+)$/m);
  if (!match) throw new Error(`${dataDir}/meta.properties holds no cluster.id`);
  return match[1].trim();
}

async function readClusterIdFile(path: string): Promise<string | null> {
  try {
    return (await Deno.readTextFile(path)).trim() || null;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/**
 * Starts the single local broker and waits until it serves metadata. With several nodes use
 * {@linkcode startKafkaNodes}.
 */
export async function startKafka(
  config: StackConfig,
  progress: (line: string) => void,
): Promise<StartedService> {
  if (config.kafka.nodes !== 1) {
    throw new RangeError(
      `startKafka starts a single node, found LLMOPS_KAFKA_NODES=${config.kafka.nodes}; use ` +
        "startKafkaNodes",
    );
  }
  const [service] = await startKafkaNodes(config, progress);
  if (!service) throw new Error("kafka: the broker is already running");
  return service;
}

/**
 * Starts the local nodes that are not running (all of them, or only `ids`) and waits until each
 * of them serves metadata on its own port and is a registered broker of the cluster. Nodes of
 * a cluster start together: none answers before a majority of the controller quorum is up.
 *
 * @example
 * ```ts
 * const started = await startKafkaNodes(config, console.error); // one entry per node
 * ```
 */
export async function startKafkaNodes(
  config: StackConfig,
  progress: (line: string) => void,
  ids: number[] = config.kafka.localNodes.map((n) => n.id),
): Promise<StartedService[]> {
  const paths = kafkaPaths(config);
  const nodes = ids.map((id) => nodeOf(config, id));
  await refuseOtherNodeCount(config);
  const toStart = [];
  for (const node of nodes) {
    const pid = await readPidFile(kafkaNodePaths(config, node.id).pid);
    if (pid === null || !isAlive(pid)) toStart.push(node);
  }
  for (const node of toStart) {
    const portVariable = node.id === 1
      ? "LLMOPS_KAFKA_PORT"
      : "LLMOPS_KAFKA_PORT (node i: + 2·(i − 1))";
    await ensurePortFree(
      `kafka node ${node.id}`,
      node.port,
      portVariable,
      `KAFKA_BROKERS=127.0.0.1:${node.port}`,
      "a Kafka broker",
    );
    await ensurePortFree(
      `kafka node ${node.id}`,
      node.controllerPort,
      "LLMOPS_KAFKA_CONTROLLER_PORT",
      `KAFKA_BROKERS=127.0.0.1:${node.port}`,
      "a Kafka broker",
    );
  }
  const heap = config.kafka.nodes === 1 ? "768m" : "512m";
  const started: StartedService[] = [];
  for (const node of toStart) {
    const nodePaths = kafkaNodePaths(config, node.id);
    progress(
      config.kafka.nodes === 1
        ? `kafka: starting broker on 127.0.0.1:${node.port}`
        : `kafka: starting node ${node.id} on 127.0.0.1:${node.port} ` +
          `(controller ${node.controllerPort})`,
    );
    started.push(
      await startService({
        name: config.kafka.nodes === 1 ? "kafka" : `kafka-${node.id}`,
        command: "java",
        args: [
          "-Xms256m",
          `-Xmx${heap}`,
          "-XX:+UseG1GC",
          "-Djava.awt.headless=true",
          `-Dlog4j2.configurationFile=${paths.log4j}`,
          "-cp",
          `${paths.libs}/*`,
          "kafka.Kafka",
          nodePaths.properties,
        ],
        logFile: nodePaths.log,
        pidFile: nodePaths.pid,
      }),
    );
  }
  const waiting = toStart.map((n) => n.id);
  try {
    await waitUntil(() => kafkaNodesServe(config, waiting), {
      timeoutMs: config.kafka.nodes === 1 ? 90_000 : 180_000,
      intervalMs: 500,
      what: `kafka on ${toStart.map((n) => `127.0.0.1:${n.port}`).join(", ")} (log: ${
        toStart.map((n) => kafkaNodePaths(config, n.id).log).join(", ")
      })`,
      stillAlive: () => started.every((s) => isAlive(s.pid)),
    });
  } catch (error) {
    await Promise.all(started.map((s) => stopService(s.pid).catch(() => {})));
    throw error;
  }
  return started;
}

/**
 * True when each of the nodes `ids` answers a metadata request on its own client port and the
 * cluster lists it as a broker (a killed node stays listed until its session times out, and a
 * restarted one answers only once it is unfenced).
 */
export async function kafkaNodesServe(config: StackConfig, ids: number[]): Promise<boolean> {
  const registered = await clusterBrokerIds(config.kafka.brokers);
  if (registered === null) return false;
  for (const id of ids) {
    if (!registered.has(id)) return false;
    if (!(await kafkaAnswers([`127.0.0.1:${nodeOf(config, id).port}`]))) return false;
  }
  return true;
}

async function clusterBrokerIds(brokers: string[]): Promise<Set<number> | null> {
  const admin = quietKafka(brokers, "llmops-stack-probe").admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return new Set(cluster.brokers.map((b) => b.nodeId));
  } catch {
    return null;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * Sends a signal (SIGKILL unless told) to one local node's process group and waits until the
 * process is gone; returns its pid. For fault tests: the node's data stays, and
 * {@linkcode restartKafkaNode} brings it back.
 *
 * @example
 * ```ts
 * await killKafkaNode(config, 2);           // SIGKILL
 * await restartKafkaNode(config, 2);        // rejoins with its data
 * ```
 */
export async function killKafkaNode(
  config: StackConfig,
  id: number,
  signal: Deno.Signal = "SIGKILL",
): Promise<number> {
  const pidFile = kafkaNodePaths(config, id).pid;
  const pid = await readPidFile(pidFile);
  if (pid === null || !isAlive(pid)) {
    throw new Error(`kafka node ${id} is not running (pid file ${pidFile})`);
  }
  try {
    Deno.kill(-pid, signal);
  } catch {
    Deno.kill(pid, signal);
  }
  await waitUntil(() => Promise.resolve(!isAlive(pid) && processGroupMembers(pid).length === 0), {
    timeoutMs: signal === "SIGKILL" ? 10_000 : 60_000,
    intervalMs: 100,
    what: `kafka node ${id} (pid ${pid}) to exit after ${signal}`,
  });
  return pid;
}

/**
 * Starts one stopped or killed local node again with its data folder, and waits until it
 * serves and is registered in the cluster. Throws when the node is still running.
 *
 * @example
 * ```ts
 * const service = await restartKafkaNode(config, 2);
 * service.pid; // the new process
 * ```
 */
export async function restartKafkaNode(
  config: StackConfig,
  id: number,
  progress: (line: string) => void = () => {},
): Promise<StartedService> {
  const pid = await readPidFile(kafkaNodePaths(config, id).pid);
  if (pid !== null && isAlive(pid)) {
    throw new Error(`kafka node ${id} is still running (pid ${pid}); kill it first`);
  }
  const [service] = await startKafkaNodes(config, progress, [id]);
  return service;
}

/** Pid of a local node when its process is alive, else null. */
export async function kafkaNodePid(config: StackConfig, id: number): Promise<number | null> {
  const pid = await readPidFile(kafkaNodePaths(config, id).pid);
  return pid !== null && isAlive(pid) ? pid : null;
}

/**
 * Partitions of `topics` whose in-sync replicas are fewer than their replicas (0 once every
 * replica has caught up, for example after a node rejoined).
 *
 * @example
 * ```ts
 * await underReplicatedPartitions(config, ["llm.requests"]); // 0
 * ```
 */
export async function underReplicatedPartitions(
  config: StackConfig,
  topics: string[],
): Promise<number> {
  const admin = quietKafka(config.kafka.brokers, "llmops-stack-isr").admin();
  await admin.connect();
  try {
    const metadata = await admin.fetchTopicMetadata({ topics });
    return metadata.topics.flatMap((t) => t.partitions)
      .filter((p) => p.isr.length < p.replicas.length).length;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** True when the brokers answer a metadata request. */
export async function kafkaAnswers(brokers: string[]): Promise<boolean> {
  const admin = quietKafka(brokers, "llmops-stack-probe").admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * Creates the product's topics where they are missing, each with the configured number of
 * partitions; on the local stack with the cluster's replication factor and
 * `min.insync.replicas` (3 and 2 on three nodes, 1 and 1 on one), on an external cluster with
 * its defaults.
 */
export async function ensureTopics(config: StackConfig): Promise<void> {
  const admin = quietKafka(config.kafka.brokers, "llmops-stack-admin").admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = Object.values(TOPICS).filter((t) => !existing.has(t));
    // The alert history is the alerts' state: it must outlive the broker's default retention,
    // or a long-firing alert would be forgotten on replay.
    const kept = (topic: string) =>
      topic === TOPICS.alerts ? [{ name: "retention.ms", value: "-1" }] : [];
    if (missing.length > 0) {
      // kafkajs' waitForLeaders gives up when a node answers "does not host this
      // topic-partition" a moment after creation (seen on the three-node cluster)
      await createTopicsServed(
        admin,
        missing.map((topic) => ({
          topic,
          numPartitions: config.kafka.partitions,
          ...(config.kafka.external ? { replicationFactor: -1, configEntries: kept(topic) } : {
            replicationFactor: config.kafka.replicationFactor,
            configEntries: [{
              name: "min.insync.replicas",
              value: String(config.kafka.minInsyncReplicas),
            }, ...kept(topic)],
          }),
        })),
      );
    }
    if (existing.has(TOPICS.alerts) && !config.kafka.external) {
      await admin.alterConfigs({
        validateOnly: false,
        resources: [{
          type: ConfigResourceTypes.TOPIC,
          name: TOPICS.alerts,
          configEntries: kept(TOPICS.alerts),
        }],
      });
    }
  } finally {
    await admin.disconnect();
  }
}

/** One Kafka node in the status: a local node with its process, or a broker of an external cluster. */
export interface KafkaNodeStatus {
  /** KRaft node id (broker id). */
  id: number;
  /** Process id of a local node while it is alive; null when it is not (or external). */
  pid: number | null;
  /** Client port. */
  port: number;
  /**
   * A local node: alive, serving metadata on its own port and registered in the cluster.
   * An external broker: listed in the cluster's metadata.
   */
  healthy: boolean;
}

/**
 * Health of the brokers: whether the cluster answers, the topics present, and each node.
 *
 * @example
 * ```ts
 * const status = await kafkaStatus(loadStackConfig({ LLMOPS_KAFKA_NODES: "3" }));
 * status.nodes.map((n) => n.healthy); // [true, true, true]
 * ```
 */
export async function kafkaStatus(config: StackConfig) {
  const admin = quietKafka(config.kafka.brokers, "llmops-stack-status").admin();
  const base = {
    url: config.kafka.brokers.join(","),
    version: config.kafka.external ? null : config.kafka.version,
  };
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    const topics = (await admin.listTopics()).filter((t) => !t.startsWith("__")).sort();
    const registered = new Set(cluster.brokers.map((b) => b.nodeId));
    const nodes: KafkaNodeStatus[] = config.kafka.external
      ? cluster.brokers.map((b) => ({ id: b.nodeId, pid: null, port: b.port, healthy: true }))
        .sort((a, b) => a.id - b.id)
      : await localNodeStatuses(config, registered);
    return {
      healthy: true,
      ...base,
      cluster_id: cluster.clusterId,
      brokers: cluster.brokers.length,
      topics,
      nodes,
    };
  } catch (error) {
    return {
      healthy: false,
      ...base,
      error: (error as Error).message,
      nodes: config.kafka.external ? [] : await localNodeStatuses(config, new Set<number>()),
    };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

async function localNodeStatuses(
  config: StackConfig,
  registered: Set<number>,
): Promise<KafkaNodeStatus[]> {
  return await Promise.all(config.kafka.localNodes.map(async (node) => {
    const pid = await kafkaNodePid(config, node.id);
    const healthy = pid !== null && registered.has(node.id) &&
      await kafkaAnswers([`127.0.0.1:${node.port}`]);
    return { id: node.id, pid, port: node.port, healthy };
  }));
}

/** An admin-only client that tries each bootstrap broker in turn (one may be down). */
function quietKafka(brokers: string[], clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2_000,
    requestTimeout: 5_000,
    retry: { retries: Math.max(1, brokers.length), initialRetryTime: 100, maxRetryTime: 500 },
  });
}

/**
 * A KRaft cluster id: 16 random bytes, base64url without padding. Like Kafka's own
 * `Uuid.randomUuid`, it never starts with "-": the storage tool's argument parser would read
 * such an id as an option and fail with "expected one argument" (about 1 format in 64).
 *
 * @example
 * ```ts
 * randomClusterId(); // e.g. "q1w2e3r4t5y6u7i8o9p0aA"
 * ```
 */
export function randomClusterId(): string {
  for (;;) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    const id = btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
      .replace(/=+$/, "");
    if (!id.startsWith("-")) return id;
  }
}
