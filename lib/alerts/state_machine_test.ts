import assert from "node:assert/strict";
import { sampleResponse } from "../events/testing.ts";
import {
  type AlertEvent,
  type AlertNotificationEvent,
  type AlertStateEvent,
  parseAlertEvent,
} from "../events/alert.ts";
import { AlertEngine } from "./engine.ts";
import { type AlertRule, parseRule } from "./rules.ts";
import { emptyAlertState, replay, step } from "./state_machine.ts";

/** A clock the test moves by hand. */
class ManualClock {
  constructor(public ms = 1_760_000_000_000) {}
  now = () => this.ms;
  advance(seconds: number) {
    this.ms += seconds * 1000;
  }
}

/** A rule that holds while at least one response ended in the last 60 s. */
function busyRule(overrides: Record<string, unknown> = {}): AlertRule {
  return parseRule({
    id: "busy",
    name: "busy",
    kind: "metric",
    metric: "requests",
    op: ">",
    threshold: 0,
    window_s: 60,
    channels: ["oncall"],
    ...overrides,
  });
}

/** Inputs in which the busy rule's condition holds (or not) at the clock's time. */
function inputs(clock: ManualClock, active: boolean) {
  return { responses: active ? [sampleResponse({ ts_end: clock.ms - 1 })] : [] };
}

const states = (events: AlertEvent[]) =>
  events.filter((e): e is AlertStateEvent => e.kind === "state").map((e) => e.state);
const notifications = (events: AlertEvent[]) =>
  events.filter((e): e is AlertNotificationEvent => e.kind === "notification");

Deno.test("a condition goes pending, fires after for_s and is notified once", () => {
  const clock = new ManualClock();
  const engine = new AlertEngine({ now: clock.now });
  const rule = busyRule({ for_s: 60 });
  const first = engine.evaluate([rule], inputs(clock, true));
  assert.deepEqual(states(first), ["pending"]);
  assert.equal(notifications(first).length, 0);
  clock.advance(59);
  assert.deepEqual(engine.evaluate([rule], inputs(clock, true)), []);
  clock.advance(1);
  const fired = engine.evaluate([rule], inputs(clock, true));
  assert.deepEqual(states(fired), ["firing"]);
  const [note] = notifications(fired);
  assert.equal(note.state, "firing");
  assert.equal(note.seq, 1);
  assert.deepEqual(note.channels, ["oncall"]);
  assert.equal(note.key, `${note.fingerprint}:firing:1`);
  const pending = first[0] as AlertStateEvent;
  assert.equal(note.fingerprint, pending.fingerprint, "one fingerprint for the whole episode");
  for (let i = 0; i < 10; i++) {
    clock.advance(30);
    assert.deepEqual(engine.evaluate([rule], inputs(clock, true)), [], "no second notification");
  }
  for (const event of [...first, ...fired]) parseAlertEvent(event);
  assert.equal(engine.snapshot().firing, 1);
});

Deno.test("a pending alert whose condition clears before for_s goes back to inactive", () => {
  const clock = new ManualClock();
  const engine = new AlertEngine({ now: clock.now });
  const rule = busyRule({ for_s: 120 });
  engine.evaluate([rule], inputs(clock, true));
  clock.advance(60);
  const cleared = engine.evaluate([rule], inputs(clock, false));
  assert.deepEqual(states(cleared), ["inactive"]);
  assert.equal(notifications(cleared).length, 0);
  clock.advance(120);
  assert.deepEqual(states(engine.evaluate([rule], inputs(clock, true))), ["pending"]);
});

Deno.test("for_s of zero fires at once; a false condition resolves and notifies the resolve", () => {
  const clock = new ManualClock();
  const engine = new AlertEngine({ now: clock.now });
  const rule = busyRule();
  const fired = engine.evaluate([rule], inputs(clock, true));
  assert.deepEqual(states(fired), ["firing"]);
  clock.advance(10);
  const resolved = engine.evaluate([rule], inputs(clock, false));
  assert.deepEqual(states(resolved), ["resolved"]);
  const [note] = notifications(resolved);
  assert.equal(note.state, "resolved");
  assert.equal(note.seq, 2);
  assert.equal(note.ended_at, clock.ms);
  assert.equal(note.fingerprint, (fired[0] as AlertStateEvent).fingerprint);
});

Deno.test("keep_firing_s holds a firing alert until its condition has been false that long", () => {
  const clock = new ManualClock();
  const engine = new AlertEngine({ now: clock.now });
  const rule = busyRule({ keep_firing_s: 300 });
  engine.evaluate([rule], inputs(clock, true));
  clock.advance(10);
  assert.deepEqual(engine.evaluate([rule], inputs(clock, false)), [], "false at t0: keeps firing");
  clock.advance(200);
  engine.evaluate([rule], inputs(clock, true)); // true again: the wait starts over
  clock.advance(10);
  assert.deepEqual(engine.evaluate([rule], inputs(clock, false)), []);
  clock.advance(299);
  assert.deepEqual(engine.evaluate([rule], inputs(clock, false)), [], "299 s false: firing");
  clock.advance(1);
  const resolved = engine.evaluate([rule], inputs(clock, false));
  assert.deepEqual(states(resolved), ["resolved"]);
  assert.equal(notifications(resolved)[0].seq, 2);
});

Deno.test("a firing alert is notified again only after repeat_s", () => {
  const clock = new ManualClock();
  const engine = new AlertEngine({ now: clock.now });
  const rule = busyRule({ repeat_s: 3600 });
  assert.equal(notifications(engine.evaluate([rule], inputs(clock, true))).length, 1);
  clock.advance(3599);
  assert.equal(notifications(engine.evaluate([rule], inputs(clock, true))).length, 0);
  clock.advance(1);
  const repeat = notifications(engine.evaluate([rule], inputs(clock, true)));
  assert.equal(repeat.length, 1);
  assert.equal(repeat[0].state, "firing");
  assert.equal(repeat[0].seq, 2);
  assert.equal(repeat[0].key.endsWith(":firing:2"), true);
  clock.advance(1800);
  assert.equal(notifications(engine.evaluate([rule], inputs(clock, true))).length, 0);
});

Deno.test("the default repeat interval is four hours", () => {
  const clock = new ManualClock();
  const engine = new AlertEngine({ now: clock.now });
  const rule = busyRule();
  engine.evaluate([rule], inputs(clock, true));
  clock.advance(4 * 3600 - 1);
  assert.equal(notifications(engine.evaluate([rule], inputs(clock, true))).length, 0);
  clock.advance(1);
  assert.equal(notifications(engine.evaluate([rule], inputs(clock, true))).length, 1);
});

Deno.test("a silenced alert changes state but notifies nothing until the silence ends", () => {
  const clock = new ManualClock();
  const engine = new AlertEngine({ now: clock.now });
  const rule = busyRule();
  const silence = engine.silence({ rule_id: "busy", duration_s: 600, comment: "deploy" }, {
    rules: ["busy"],
  });
  const fired = engine.evaluate([rule], inputs(clock, true));
  assert.deepEqual(states(fired), ["firing"], "the state still changes");
  assert.equal(notifications(fired).length, 0, "but nothing is sent");
  assert.equal(engine.snapshot().active[0].silenced, true);
  clock.advance(599);
  assert.equal(notifications(engine.evaluate([rule], inputs(clock, true))).length, 0);
  clock.advance(1);
  const after = notifications(engine.evaluate([rule], inputs(clock, true)));
  assert.equal(after.length, 1, "the silence ended while firing: notified now");
  assert.equal(after[0].seq, 1);
  // Silenced again, the resolve is not sent either.
  engine.silence({ rule_id: "busy", until: clock.ms + 60_000 });
  clock.advance(10);
  const resolved = engine.evaluate([rule], inputs(clock, false));
  assert.deepEqual(states(resolved), ["resolved"]);
  assert.equal(notifications(resolved).length, 0);
  assert.equal(silence.until, silence.ts + 600_000);
});

Deno.test("an alert silenced for its whole episode sends neither firing nor resolve", () => {
  const clock = new ManualClock();
  const engine = new AlertEngine({ now: clock.now });
  const rule = busyRule();
  engine.silence({ rule_id: "busy", duration_s: 3600 });
  engine.evaluate([rule], inputs(clock, true));
  clock.advance(60);
  const resolved = engine.evaluate([rule], inputs(clock, false));
  assert.deepEqual(states(resolved), ["resolved"]);
  assert.equal(notifications(resolved).length, 0);
});

Deno.test("after a restart replayed from the records, a firing alert stays firing and is not notified twice", () => {
  const clock = new ManualClock();
  const log: AlertEvent[] = [];
  const before = new AlertEngine({ now: clock.now });
  const rule = busyRule({ for_s: 30 });
  log.push(...before.evaluate([rule], inputs(clock, true)));
  clock.advance(30);
  log.push(...before.evaluate([rule], inputs(clock, true)));
  assert.equal(notifications(log).length, 1);
  // The records go through JSON (as on Kafka) and arrive twice (at-least-once delivery).
  const wire = log.map((e) => parseAlertEvent(JSON.parse(JSON.stringify(e))));
  clock.advance(5);
  const after = AlertEngine.replay([...wire, ...wire], { now: clock.now });
  assert.equal(after.snapshot().firing, 1, "the firing alert is not forgotten");
  const fingerprint = after.snapshot().active[0].fingerprint;
  for (let i = 0; i < 5; i++) {
    clock.advance(60);
    assert.deepEqual(after.evaluate([rule], inputs(clock, true)), [], "no second notification");
  }
  clock.advance(60);
  const resolved = after.evaluate([rule], inputs(clock, false));
  assert.deepEqual(states(resolved), ["resolved"]);
  const [note] = notifications(resolved);
  assert.equal(note.seq, 2);
  assert.equal(note.fingerprint, fingerprint);
});

Deno.test("a firing record written without its notification (crash in between) is notified after replay", () => {
  const clock = new ManualClock();
  const before = new AlertEngine({ now: clock.now });
  const rule = busyRule();
  const records = before.evaluate([rule], inputs(clock, true));
  const onlyState = records.filter((e) => e.kind === "state");
  clock.advance(5);
  const after = AlertEngine.replay(onlyState, { now: clock.now });
  const sent = notifications(after.evaluate([rule], inputs(clock, true)));
  assert.equal(sent.length, 1);
  assert.equal(sent[0].seq, 1);
});

Deno.test("a new episode after a resolve gets a new fingerprint", () => {
  const clock = new ManualClock();
  const engine = new AlertEngine({ now: clock.now });
  const rule = busyRule();
  const a = engine.evaluate([rule], inputs(clock, true))[0] as AlertStateEvent;
  clock.advance(10);
  engine.evaluate([rule], inputs(clock, false));
  clock.advance(10);
  const b = engine.evaluate([rule], inputs(clock, true));
  assert.deepEqual(states(b), ["firing"]);
  assert.notEqual((b[0] as AlertStateEvent).fingerprint, a.fingerprint);
  assert.equal(notifications(b)[0].seq, 1);
});

Deno.test("a deleted or disabled rule resolves its firing alert and notifies the resolve", () => {
  const clock = new ManualClock();
  const engine = new AlertEngine({ now: clock.now });
  engine.evaluate([busyRule({ keep_firing_s: 600 })], inputs(clock, true));
  clock.advance(1);
  const gone = engine.evaluate([], {});
  assert.deepEqual(states(gone), ["resolved"]);
  assert.deepEqual(notifications(gone)[0].channels, ["oncall"], "the channels it was sent to");

  const other = new AlertEngine({ now: clock.now });
  other.evaluate([busyRule()], inputs(clock, true));
  clock.advance(1);
  const disabled = other.evaluate([busyRule({ enabled: false })], inputs(clock, true));
  assert.deepEqual(states(disabled), ["resolved"]);
});

Deno.test("step is pure: it returns records and leaves the state as it was", () => {
  const state = emptyAlertState();
  const rule = busyRule();
  const result = step(state, "busy", {
    rule,
    sample: { value: 1, active: true, threshold: 0, detail: "x" },
    now: 1000,
  });
  assert.deepEqual(result.events.map((e) => e.kind), ["state", "notification"]);
  assert.equal(state.alerts.size, 0);
  assert.equal(replay(result.events).alerts.get("busy")?.state, "firing");
});

Deno.test("the history keeps the newest 200 state changes", () => {
  const clock = new ManualClock();
  const engine = new AlertEngine({ now: clock.now });
  const rule = busyRule();
  for (let i = 0; i < 150; i++) {
    engine.evaluate([rule], inputs(clock, i % 2 === 0));
    clock.advance(100);
  }
  const history = engine.snapshot().history;
  assert.equal(history.length, 150);
  for (let i = 0; i < 100; i++) {
    engine.evaluate([rule], inputs(clock, i % 2 === 0));
    clock.advance(100);
  }
  const full = engine.snapshot().history;
  assert.equal(full.length, 200);
  assert.ok(full[0].ts > full[199].ts, "newest first");
});
