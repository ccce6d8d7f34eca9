import assert from "node:assert/strict";
import type { ITopicMetadata } from "kafkajs";
import {
  createTopicsServed,
  type TopicsServedAdmin,
  waitForTopicsServed,
} from "./topics_served.ts";

/** One answer of the admin double: metadata, or the error a broker gave. */
type Answer = ITopicMetadata[] | Error;

/**
 * A double of the kafkajs admin client: metadata answers played in order (the last one repeats),
 * offset reads that fail `offsetFailures` times first.
 */
function adminDouble(answers: Answer[], offsetFailures = 0) {
  const calls = { metadata: 0, offsets: 0, created: [] as string[] };
  const admin: TopicsServedAdmin & {
    createTopics: (o: { topics: { topic: string }[] }) => Promise<boolean>;
  } = {
    fetchTopicMetadata: () => {
      const answer = answers[Math.min(calls.metadata++, answers.length - 1)];
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve({ topics: answer });
    },
    fetchTopicOffsets: () => {
      calls.offsets++;
      return calls.offsets <= offsetFailures
        ? Promise.reject(new Error("This server is not the leader for that topic-partition"))
        : Promise.resolve([]);
    },
    createTopics: ({ topics }) => {
      calls.created.push(...topics.map((t) => t.topic));
      return Promise.resolve(true);
    },
  };
  return { admin, calls };
}

function topic(name: string, leaders: number[]): ITopicMetadata {
  return {
    name,
    partitions: leaders.map((leader, partitionId) => ({
      partitionErrorCode: 0,
      partitionId,
      leader,
      replicas: [1, 2, 3],
      isr: [1, 2, 3],
    })),
  };
}

Deno.test("topics not hosted yet, then without a leader, then not led: the wait goes on until every leader answers", async () => {
  const { admin, calls } = adminDouble([
    new Error("This server does not host this topic-partition"),
    [topic("a", [1, -1, 2])],
    [topic("a", [1, 3, 2])],
  ], 1);
  const created = await createTopicsServed(admin, [{ topic: "a", numPartitions: 3 }], {
    pollMs: 1,
  });
  assert.equal(created, true);
  assert.deepEqual(calls.created, ["a"]);
  // not hosted, leaderless, led but "not the leader", served
  assert.equal(calls.metadata, 4);
  assert.equal(calls.offsets, 2);
});

Deno.test("a topic with fewer partitions than asked for is not served yet", async () => {
  const { admin, calls } = adminDouble([[topic("a", [1])], [topic("a", [1, 2, 3])]]);
  await waitForTopicsServed(admin, [{ topic: "a", partitions: 3 }], { pollMs: 1 });
  assert.equal(calls.metadata, 2);
});

Deno.test("a topic missing from the metadata until the deadline: the error names the topics and the last answer", async () => {
  const { admin } = adminDouble([[topic("b", [1])]]);
  await assert.rejects(
    () =>
      waitForTopicsServed(admin, [{ topic: "a" }, { topic: "b" }], { timeoutMs: 20, pollMs: 1 }),
    (error: Error) => {
      assert.match(error.message, /every partition of a, b to be served by a leader within 20 ms/);
      assert.match(error.message, /found: a missing from the metadata/);
      return true;
    },
  );
});

Deno.test("a broker error until the deadline is what the timeout reports", async () => {
  const { admin } = adminDouble([new Error("This server does not host this topic-partition")]);
  await assert.rejects(
    () => waitForTopicsServed(admin, [{ topic: "a" }], { timeoutMs: 10, pollMs: 1 }),
    /found: This server does not host this topic-partition/,
  );
});
