/**
 * The local Apache Kafka broker: jars from Maven Central (a small pom and
 * `mvn dependency:copy-dependencies`), one node in KRaft combined mode, loopback listeners,
 * storage formatted once, and the product's topics.
 *
 * @module
 */

import { Kafka, logLevel } from "kafkajs";
import { type StackConfig, TOPICS } from "./config.ts";
import { exists } from "./_fs.ts";
import { requireCommand } from "./prerequisites.ts";
import {
  ensurePortFree,
  isAlive,
  runLogged,
  type StartedService,
  startService,
  waitUntil,
} from "./process.ts";

/** Paths of the Kafka parts inside the stack folders. */
export function kafkaPaths(config: StackConfig) {
  const home = `${config.dir}/kafka-${config.kafka.version}`;
  const state = `${config.stateDir}/kafka`;
  return {
    home,
    pom: `${home}/pom.xml`,
    libs: `${home}/libs`,
    ready: `${home}/.ready`,
    state,
    data: `${state}/data`,
    properties: `${state}/server.properties`,
    log4j: `${state}/log4j2.properties`,
    log: `${state}/kafka.log`,
    pid: `${state}/kafka.pid`,
  };
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

/** The broker's configuration: one node, broker and controller, loopback only. */
export function kafkaServerProperties(config: StackConfig): string {
  const { port, controllerPort, partitions } = config.kafka;
  const paths = kafkaPaths(config);
  return [
    "process.roles=broker,controller",
    "node.id=1",
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    "controller.listener.names=CONTROLLER",
    "inter.broker.listener.name=PLAINTEXT",
    "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
    `log.dirs=${paths.data}`,
    `num.partitions=${partitions}`,
    "offsets.topic.replication.factor=1",
    "offsets.topic.num.partitions=3",
    "transaction.state.log.replication.factor=1",
    "transaction.state.log.min.isr=1",
    "share.coordinator.state.topic.replication.factor=1",
    "share.coordinator.state.topic.min.isr=1",
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

/** Writes the broker configuration and formats the storage (once per state folder). */
export async function prepareKafkaStorage(
  config: StackConfig,
  progress: (line: string) => void,
): Promise<void> {
  const paths = kafkaPaths(config);
  await Deno.mkdir(paths.state, { recursive: true });
  await Deno.writeTextFile(paths.properties, kafkaServerProperties(config));
  await Deno.writeTextFile(paths.log4j, LOG4J2);
  if (await exists(`${paths.data}/meta.properties`)) return;
  progress("kafka: formatting KRaft storage");
  await runLogged(
    "kafka: format storage",
    "java",
    [
      "-cp",
      `${paths.libs}/*`,
      `-Dlog4j2.configurationFile=${paths.log4j}`,
      "kafka.tools.StorageTool",
      "format",
      "-t",
      randomClusterId(),
      "-c",
      paths.properties,
    ],
    { logFile: paths.log, progress },
  );
}

/** Starts the broker and waits until it serves metadata; then creates the product's topics. */
export async function startKafka(
  config: StackConfig,
  progress: (line: string) => void,
): Promise<StartedService> {
  const paths = kafkaPaths(config);
  const { port } = config.kafka;
  await ensurePortFree(
    "kafka",
    port,
    "LLMOPS_KAFKA_PORT",
    `KAFKA_BROKERS=127.0.0.1:${port}`,
    "a Kafka broker",
  );
  progress(`kafka: starting broker on 127.0.0.1:${config.kafka.port}`);
  const service = await startService({
    name: "kafka",
    command: "java",
    args: [
      "-Xms256m",
      "-Xmx768m",
      "-XX:+UseG1GC",
      "-Djava.awt.headless=true",
      `-Dlog4j2.configurationFile=${paths.log4j}`,
      "-cp",
      `${paths.libs}/*`,
      "kafka.Kafka",
      paths.properties,
    ],
    logFile: paths.log,
    pidFile: paths.pid,
  });
  await waitUntil(() => kafkaAnswers(config.kafka.brokers), {
    timeoutMs: 90_000,
    intervalMs: 500,
    what: `kafka on 127.0.0.1:${config.kafka.port} (log: ${paths.log})`,
    stillAlive: () => isAlive(service.pid),
  });
  return service;
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
 * Creates `llm.requests`, `llm.responses` and `llm.dlq` where they are missing, each with the
 * configured number of partitions.
 */
export async function ensureTopics(config: StackConfig): Promise<void> {
  const admin = quietKafka(config.kafka.brokers, "llmops-stack-admin").admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = Object.values(TOPICS).filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: config.kafka.partitions,
          replicationFactor: config.kafka.external ? -1 : 1,
        })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}

/** Health of the brokers: whether they answer, and the topics present. */
export async function kafkaStatus(config: StackConfig) {
  const admin = quietKafka(config.kafka.brokers, "llmops-stack-status").admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    const topics = (await admin.listTopics()).filter((t) => !t.startsWith("__")).sort();
    return {
      healthy: true,
      url: config.kafka.brokers.join(","),
      version: config.kafka.external ? null : config.kafka.version,
      cluster_id: cluster.clusterId,
      brokers: cluster.brokers.length,
      topics,
    };
  } catch (error) {
    return {
      healthy: false,
      url: config.kafka.brokers.join(","),
      version: config.kafka.external ? null : config.kafka.version,
      error: (error as Error).message,
    };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

function quietKafka(brokers: string[], clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2_000,
    requestTimeout: 5_000,
    retry: { retries: 1, initialRetryTime: 100 },
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
