/** The response listener against the real broker: nothing is missed across a rebalance. */
import assert from "node:assert/strict";
import { sampleResponse } from "../events/testing.ts";
import { createKafka, EventProducer } from "../kafka/mod.ts";
import { createTestTopics, INTEGRATION, integrationConfig, waitFor } from "../stack/testing.ts";
import { ResponseListener } from "./response_listener.ts";

Deno.test({
  name: "responses produced while the listener's group rebalances still reach it",
  ...INTEGRATION,
  fn: async () => {
    const { kafka: config } = integrationConfig();
    const kafka = createKafka(config.brokers, "response-listener-test");
    const { topics: { responses: topic }, cleanup } = await createTestTopics(kafka, ["responses"]);
    const producer = new EventProducer(kafka, { lingerMs: 5 });
    await producer.connect();
    const seen = new Set<string>();
    const listener = new ResponseListener(kafka, topic, (e) => seen.add(e.request_id));
    // Another member of the listener's group holds partitions (paused, so it reads none) while
    // responses arrive, then leaves: as a group rejoins when its coordinator moves to another
    // Kafka node. The listener must go on from its own position on those partitions, not from
    // the newest offset.
    const intruder = kafka.consumer({ groupId: listener.groupId, allowAutoTopicCreation: false });
    try {
      await listener.start();
      const send = async (n: number) => {
        const ids = Array.from({ length: n }, () => crypto.randomUUID());
        await Promise.all(
          ids.map((id) => producer.send(topic, id, sampleResponse({ request_id: id }))),
        );
        return ids;
      };
      const before = await send(6);
      await waitFor(() => before.every((id) => seen.has(id)), "the first responses", 30_000);

      let assigned = 0;
      const joined = new Promise<void>((resolve) => {
        intruder.on(intruder.events.GROUP_JOIN, (e) => {
          assigned = e.payload.memberAssignment[topic]?.length ?? 0;
          resolve();
        });
      });
      await intruder.connect();
      await intruder.subscribe({ topic, fromBeginning: false });
      await intruder.run({ autoCommit: false, eachBatch: () => Promise.resolve() });
      intruder.pause([{ topic }]);
      await joined;
      assert.ok(assigned > 0, "the second member took partitions");
      const during = await send(30);
      await intruder.disconnect();
      const after = await send(6);
      await waitFor(
        () => [...during, ...after].every((id) => seen.has(id)),
        "every response produced during and after the rebalance",
        60_000,
      ).catch((error) => {
        const missed = [...during, ...after].filter((id) => !seen.has(id)).length;
        throw new Error(`${error.message}: ${missed} of ${during.length + after.length} missed`);
      });
    } finally {
      await intruder.disconnect().catch(() => {});
      await listener.stop();
      await producer.disconnect();
      await cleanup();
    }
  },
});
