/** The bounded publisher never waits, keeps events while the producer fails, counts its drops. */
import assert from "node:assert/strict";
import { BoundedPublisher, type PublisherProducer } from "./bounded_publisher.ts";

/** A producer double: records sends; fails them while `down`, or holds them while `hold`. */
class ProducerDouble implements PublisherProducer {
  down = false;
  hold = false;
  sent: { topic: string; key: string | null; value: string }[] = [];
  held: (() => void)[] = [];
  send(topic: string, key: string | null, value: unknown): Promise<void> {
    if (this.down) return Promise.reject(new Error("not acknowledged within 120000 ms: down"));
    if (this.hold) {
      return new Promise((resolve) =>
        this.held.push(() => {
          this.sent.push({ topic, key, value: value as string });
          resolve();
        })
      );
    }
    this.sent.push({ topic, key, value: value as string });
    return Promise.resolve();
  }
  release() {
    for (const r of this.held.splice(0)) r();
  }
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 2));
  assert.ok(check(), "condition not reached");
};

Deno.test("events are serialized, admitted at once and acknowledged in order", async () => {
  const producer = new ProducerDouble();
  const publisher = new BoundedPublisher(producer);
  const event = { id: 1, text: "é" };
  assert.equal(
    publisher.publish([
      { topic: "a", key: "k1", value: event },
      { topic: "b", key: "k1", value: '{"id":2}' },
    ]),
    true,
  );
  event.id = 99; // later changes do not leak into the published text
  assert.equal(await publisher.flush(1_000), true);
  assert.deepEqual(producer.sent.map((s) => [s.topic, s.value]), [
    ["a", '{"id":1,"text":"é"}'],
    ["b", '{"id":2}'],
  ]);
  const stats = publisher.stats();
  assert.equal(stats.published, 2);
  assert.equal(stats.buffered, 0);
  assert.equal(stats.bufferedBytes, 0);
  assert.equal(stats.dropped, 0);
});

Deno.test("while the producer fails, events wait and go out in order once it succeeds", async () => {
  const producer = new ProducerDouble();
  producer.down = true;
  const errors: string[] = [];
  const publisher = new BoundedPublisher(producer, {
    retryDelayMs: 5,
    onError: (e) => errors.push(e.message),
  });
  for (let i = 0; i < 5; i++) publisher.publish([{ topic: "t", key: String(i), value: { i } }]);
  await until(() => publisher.stats().retries >= 5);
  assert.equal(publisher.buffered, 5);
  assert.match(publisher.stats().lastError ?? "", /not acknowledged/);
  assert.ok(errors.length >= 5);
  producer.down = false;
  assert.equal(await publisher.flush(2_000), true);
  assert.deepEqual(producer.sent.map((s) => s.key), ["0", "1", "2", "3", "4"]);
  assert.equal(publisher.stats().lastError, null);
  assert.equal(publisher.stats().dropped, 0);
});

Deno.test("a full buffer drops the newest group whole and counts it; room comes back", async () => {
  const producer = new ProducerDouble();
  producer.hold = true;
  const publisher = new BoundedPublisher(producer, { maxEvents: 3, maxInFlight: 1 });
  assert.equal(publisher.publish([{ topic: "t", key: "a", value: 1 }]), true);
  assert.equal(publisher.publish([{ topic: "t", key: "b", value: 2 }]), true);
  assert.equal(publisher.hasRoom(2), false);
  assert.equal(
    publisher.publish([{ topic: "t", key: "c", value: 3 }, { topic: "t", key: "d", value: 4 }]),
    false,
  );
  assert.equal(publisher.stats().dropped, 2);
  assert.equal(publisher.buffered, 2);
  producer.hold = false;
  producer.release();
  assert.equal(await publisher.flush(1_000), true);
  assert.deepEqual(producer.sent.map((s) => s.key), ["a", "b"]);
  assert.equal(publisher.publish([{ topic: "t", key: "e", value: 5 }]), true);
  await publisher.flush(1_000);
  assert.equal(publisher.stats().published, 3);
});

Deno.test("the byte bound counts UTF-8 bytes of values and keys", () => {
  const producer = new ProducerDouble();
  producer.hold = true;
  const publisher = new BoundedPublisher(producer, { maxBytes: 10 });
  assert.equal(publisher.publish([{ topic: "t", key: "k", value: "ééé" }]), true); // 6 + 1
  assert.equal(publisher.stats().bufferedBytes, 7);
  assert.equal(publisher.publish([{ topic: "t", key: "k", value: "abc" }]), false); // 7 + 4 > 10
  assert.equal(publisher.stats().dropped, 1);
});

Deno.test("an event the broker refuses for good is counted as rejected, not retried", async () => {
  const producer: PublisherProducer = {
    send: () => Promise.reject(new Error("message of 2000000 bytes to t refused by the broker")),
  };
  const publisher = new BoundedPublisher(producer, { retryDelayMs: 1 });
  publisher.publish([{ topic: "t", key: null, value: { big: true } }]);
  await until(() => publisher.stats().rejected === 1);
  assert.equal(publisher.buffered, 0);
  assert.equal(publisher.stats().retries, 0);
});

Deno.test("close waits for acknowledgements, then counts what is left as dropped", async () => {
  const producer = new ProducerDouble();
  producer.down = true;
  const publisher = new BoundedPublisher(producer, { retryDelayMs: 1 });
  publisher.publish([{ topic: "t", key: "x", value: 1 }, { topic: "t", key: "y", value: 2 }]);
  assert.equal(await publisher.close(30), 2);
  assert.equal(publisher.stats().dropped, 2);
  assert.equal(publisher.publish([{ topic: "t", key: "z", value: 3 }]), false);
  assert.equal(publisher.stats().rejected, 1);
  assert.throws(() => new BoundedPublisher(producer, { maxEvents: 0 }), RangeError);
});
