import assert from "node:assert/strict";
import { isTransientKafkaError, retryTransient } from "./transient_retry.ts";

/** An error as kafkajs makes them: `retriable` says whether trying again can help. */
class KafkaErrorDouble extends Error {
  constructor(message: string, readonly retriable: boolean) {
    super(message);
  }
}

Deno.test("a read that fails transiently is tried again after growing waits, then succeeds", async () => {
  const waits: number[] = [];
  let calls = 0;
  const result = await retryTransient(() => {
    calls++;
    if (calls < 3) {
      throw new KafkaErrorDouble("This server is not the leader for that topic-partition", true);
    }
    return Promise.resolve("offsets");
  }, { sleep: (ms) => (waits.push(ms), Promise.resolve()) });
  assert.equal(result, "offsets");
  assert.equal(calls, 3);
  assert.deepEqual(waits, [200, 400]);
});

Deno.test("a read that keeps failing throws its last error after the attempts", async () => {
  let calls = 0;
  await assert.rejects(
    () =>
      retryTransient(() => {
        calls++;
        return Promise.reject(new KafkaErrorDouble(`leader moved (${calls})`, true));
      }, { attempts: 4, sleep: () => Promise.resolve() }),
    /leader moved \(4\)/,
  );
  assert.equal(calls, 4);
});

Deno.test("an error kafkajs marks as not retriable is thrown at once", async () => {
  let calls = 0;
  await assert.rejects(
    () =>
      retryTransient(() => {
        calls++;
        return Promise.reject(new KafkaErrorDouble("Topic authorization failed", false));
      }, { sleep: () => Promise.resolve() }),
    /authorization/,
  );
  assert.equal(calls, 1);
  assert.equal(isTransientKafkaError(new Error("plain")), true);
  assert.equal(isTransientKafkaError(null), true);
  await assert.rejects(() => retryTransient(() => Promise.resolve(1), { attempts: 0 }), RangeError);
});
