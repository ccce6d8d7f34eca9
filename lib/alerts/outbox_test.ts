import assert from "node:assert/strict";
import { parseAlertEvent } from "../events/alert.ts";
import { sampleNotification } from "./_testing.ts";
import { backoffDelay, Outbox } from "./outbox.ts";

const T0 = 1_760_000_060_000;
const noJitter = { baseMs: 1_000, maxMs: 8_000, jitter: 0 };

Deno.test("a notification makes one pending delivery per channel, due at once", () => {
  const outbox = new Outbox();
  outbox.apply(sampleNotification({ channels: ["oncall", "mail"] }));
  const due = outbox.pending(T0);
  assert.deepEqual(due.map((d) => d.channel).sort(), ["mail", "oncall"]);
  assert.equal(due[0].id, `${due[0].key}@${due[0].channel}`);
  assert.equal(outbox.pending(T0 - 1).length, 0, "not due before it was decided");
});

Deno.test("failures back off exponentially up to the bound; a success removes the delivery", () => {
  const outbox = new Outbox({ backoff: noJitter });
  outbox.apply(sampleNotification());
  const [d] = outbox.pending(T0);
  const delays: number[] = [];
  let now = T0;
  for (let i = 0; i < 6; i++) {
    const record = outbox.markFailed(d.id, now, "connection refused");
    assert.equal(record.outcome, "failed");
    assert.equal(record.attempt, i + 1);
    delays.push(record.next_attempt_at! - now);
    assert.equal(outbox.pending(record.next_attempt_at! - 1).length, 0);
    now = record.next_attempt_at!;
    assert.equal(outbox.pending(now).length, 1);
  }
  assert.deepEqual(delays, [1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
  const sent = outbox.markSent(d.id, now);
  assert.equal(sent.outcome, "sent");
  assert.equal(sent.attempt, 7);
  assert.equal(outbox.size, 0);
  parseAlertEvent(sent);
});

Deno.test("jitter only shortens a delay, by at most its share", () => {
  for (const r of [0, 0.5, 0.999]) {
    const delay = backoffDelay(3, { baseMs: 100, maxMs: 10_000, jitter: 0.2, random: () => r });
    assert.ok(delay <= 400 && delay >= 320, `${delay} for random ${r}`);
  }
  assert.throws(() => backoffDelay(0), /attempt number ≥ 1, found 0/);
});

Deno.test("a final error, or a delivery older than the max age, is abandoned", () => {
  const outbox = new Outbox({ backoff: noJitter, maxAgeMs: 60_000 });
  outbox.apply(sampleNotification({ channels: ["a", "b"] }));
  const [a, b] = outbox.pending(T0);
  assert.equal(outbox.markFailed(a.id, T0, "HTTP 404", false).outcome, "abandoned");
  assert.equal(outbox.markFailed(b.id, T0 + 59_999, "refused").outcome, "failed");
  const last = outbox.markFailed(b.id, T0 + 60_000, "refused");
  assert.equal(last.outcome, "abandoned");
  assert.match(last.error!, /given up after 2 attempts: refused/);
  assert.equal(outbox.size, 0);
});

Deno.test("replayed records rebuild exactly the deliveries not yet made, with their attempts", () => {
  const log = [];
  const first = new Outbox({ backoff: noJitter });
  const n1 = sampleNotification({ channels: ["a", "b"] });
  const n2 = sampleNotification({ state: "resolved", seq: 2, ts: T0 + 5_000, channels: ["a"] });
  log.push(n1);
  first.apply(n1);
  const [da, db] = first.pending(T0);
  log.push(first.markSent(da.id, T0 + 1));
  log.push(first.markFailed(db.id, T0 + 2, "refused"));
  log.push(n2);
  first.apply(n2);
  // Restart: the records went through JSON, and Kafka delivered some twice.
  const wire = log.map((e) => parseAlertEvent(JSON.parse(JSON.stringify(e))));
  const again = Outbox.replay([...wire, ...wire]);
  const pending = again.pending();
  assert.deepEqual(pending.map((d) => d.id).sort(), [db.id, `${n2.key}@a`].sort());
  const b = pending.find((d) => d.id === db.id)!;
  assert.equal(b.attempts, 1);
  assert.equal(b.next_attempt_at, T0 + 2 + 1_000);
  assert.equal(b.last_error, "refused");
});

Deno.test("a sent record read before its notification (out of order) still keeps it from being sent", () => {
  const outbox = new Outbox();
  const n = sampleNotification();
  const other = new Outbox();
  other.apply(n);
  const sent = other.markSent(other.pending()[0].id, T0 + 1);
  const replayed = Outbox.replay([sent, n]);
  assert.equal(replayed.size, 0);
  outbox.apply(n);
  assert.equal(outbox.size, 1);
});

Deno.test("a claimed delivery is not handed out twice", () => {
  const outbox = new Outbox();
  outbox.apply(sampleNotification());
  const [d] = outbox.pending(T0);
  assert.equal(outbox.claim(d.id), true);
  assert.equal(outbox.claim(d.id), false);
  assert.equal(outbox.pending(T0).length, 0);
  outbox.release(d.id);
  assert.equal(outbox.pending(T0).length, 1);
});
