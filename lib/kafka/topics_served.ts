/**
 * Topics created and ready to use: every partition has a leader that answers for it. kafkajs'
 * own `waitForLeaders` asks the controller once and gives up on the first answer that is not
 * "leader not available"; on a cluster a node can answer "This server does not host this
 * topic-partition" for a moment after the topic was created (its metadata is behind the
 * controller's), and a leader named in the metadata can still answer "not the leader". This
 * waits through both, up to a deadline.
 *
 * @module
 */

import type { Admin, ITopicConfig } from "kafkajs";

/** Options of {@linkcode createTopicsServed} and {@linkcode waitForTopicsServed}. */
export interface TopicsServedOptions {
  /** How long to wait for every partition to be served. Default 60,000 ms. */
  timeoutMs?: number;
  /** Wait between two looks. Default 100 ms. */
  pollMs?: number;
}

/** The part of a kafkajs admin client that the wait reads. */
export type TopicsServedAdmin = Pick<Admin, "fetchTopicMetadata" | "fetchTopicOffsets">;

/**
 * Creates `topics` (those that exist are left as they are) and waits until every partition of
 * every one of them is served by its leader.
 *
 * @returns true when kafkajs created at least one topic, false when all of them existed.
 * @example
 * ```ts ignore
 * await createTopicsServed(admin, [{ topic: "llm.requests", numPartitions: 3 }]);
 * ```
 */
export async function createTopicsServed(
  admin: TopicsServedAdmin & Pick<Admin, "createTopics">,
  topics: ITopicConfig[],
  options: TopicsServedOptions = {},
): Promise<boolean> {
  const created = await admin.createTopics({ topics, waitForLeaders: false });
  await waitForTopicsServed(
    admin,
    topics.map((t) => ({ topic: t.topic, partitions: t.numPartitions })),
    options,
  );
  return created;
}

/**
 * Waits until each topic is in the metadata with a leader for every partition (and, where
 * `partitions` is given and positive, that many partitions) and every leader answers for its
 * partitions' offsets. Throws after `timeoutMs` with what the brokers last answered.
 *
 * @example
 * ```ts ignore
 * await waitForTopicsServed(admin, [{ topic: "llm.requests", partitions: 3 }], { timeoutMs: 30_000 });
 * ```
 */
export async function waitForTopicsServed(
  admin: TopicsServedAdmin,
  topics: { topic: string; partitions?: number }[],
  options: TopicsServedOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const pollMs = options.pollMs ?? 100;
  const names = topics.map((t) => t.topic);
  const deadline = Date.now() + timeoutMs;
  let last = "no answer yet";
  for (;;) {
    try {
      const notServed = await unservedTopic(admin, topics);
      if (notServed === null) return;
      last = notServed;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `expected every partition of ${names.join(", ")} to be served by a leader within ` +
          `${timeoutMs} ms, found: ${last}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** What is not served yet, or null when everything is. Broker errors are thrown. */
async function unservedTopic(
  admin: TopicsServedAdmin,
  topics: { topic: string; partitions?: number }[],
): Promise<string | null> {
  const { topics: found } = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.topic) });
  for (const wanted of topics) {
    const meta = found.find((t) => t.name === wanted.topic);
    if (!meta) return `${wanted.topic} missing from the metadata`;
    const expected = wanted.partitions !== undefined && wanted.partitions > 0
      ? wanted.partitions
      : null;
    if (
      meta.partitions.length === 0 || (expected !== null && meta.partitions.length !== expected)
    ) {
      return `${wanted.topic} with ${meta.partitions.length} partitions` +
        (expected === null ? "" : ` of ${expected}`);
    }
    const leaderless = meta.partitions.filter((p) => p.leader < 0).length;
    if (leaderless > 0) return `${wanted.topic} with ${leaderless} partitions without a leader`;
  }
  // a leader in the metadata can still answer "not the leader" for a moment: served is when
  // every leader answers for its partitions' offsets
  await Promise.all(topics.map((t) => admin.fetchTopicOffsets(t.topic)));
  return null;
}
