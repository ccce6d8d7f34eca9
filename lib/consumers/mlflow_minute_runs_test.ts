import assert from "node:assert/strict";
import { AssignerProtocol, type Cluster, type Logger } from "kafkajs";
import { Buffer } from "node:buffer";
import { allToOneAssigner } from "./mlflow_minute_runs.ts";

/** A cluster double that knows the partitions of two topics. */
const clusterDouble = {
  findTopicPartitionMetadata: (topic: string) =>
    Array.from({ length: topic === "a" ? 3 : 2 }, (_, partitionId) => ({ partitionId })),
} as unknown as Cluster;

Deno.test("allToOneAssigner gives every partition to the first member by id and none to the others", async () => {
  const assigner = allToOneAssigner({
    cluster: clusterDouble,
    groupId: "g",
    logger: {} as Logger,
  });
  const members = ["m-c", "m-a", "m-b"].map((memberId) => ({
    memberId,
    memberMetadata: Buffer.alloc(0),
  }));
  const result = await assigner.assign({ members, topics: ["a", "b"] });
  const decoded = Object.fromEntries(
    result.map((r) => [r.memberId, AssignerProtocol.MemberAssignment.decode(r.memberAssignment)]),
  );
  assert.deepEqual(decoded["m-a"]?.assignment, { a: [0, 1, 2], b: [0, 1] });
  assert.deepEqual(decoded["m-b"]?.assignment, {});
  assert.deepEqual(decoded["m-c"]?.assignment, {});
  const protocol = assigner.protocol({ topics: ["a"] });
  assert.equal(protocol.name, "AllToOne");
  assert.deepEqual(AssignerProtocol.MemberMetadata.decode(protocol.metadata)?.topics, ["a"]);
});
