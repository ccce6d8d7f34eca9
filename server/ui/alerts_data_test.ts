import assert from "node:assert/strict";
import { parseChannel } from "../../lib/alerts/channels/config.ts";
import { parseRule } from "../../lib/alerts/rules.ts";
import type { AlertStateEvent } from "../../lib/events/alert.ts";
import {
  channelBody,
  channelTarget,
  emptyChannelForm,
  emptyRuleForm,
  ruleBody,
  ruleSummary,
  stateTone,
} from "./alerts_data.ts";
import { initialLiveState, mergeAlertHistory, reduceLive } from "./live.ts";
import type { AlertsView } from "./types.ts";

Deno.test("the rule form's body for each kind is what the server's parser accepts", () => {
  const metric = ruleBody({
    ...emptyRuleForm(),
    name: " slow p95 ",
    threshold: "2",
    for_s: "60",
    channels: ["oncall"],
    model: "smollm2:135m",
  });
  assert.deepEqual(metric, {
    name: "slow p95",
    kind: "metric",
    severity: "warning",
    for_s: 60,
    channels: ["oncall"],
    metric: "latency_p95_s",
    op: ">",
    threshold: 2,
    window_s: 300,
    model: "smollm2:135m",
  });
  assert.equal(parseRule(metric, { channels: ["oncall"] }).kind, "metric");
  const drift = ruleBody({ ...emptyRuleForm(), name: "d", kind: "drift", columns: "a, b ,," });
  assert.deepEqual(drift.columns, ["a", "b"]);
  assert.equal(parseRule(drift).kind, "drift");
  for (const check of ["service", "consumer_lag", "dlq_rate", "no_data"]) {
    const body = ruleBody({
      ...emptyRuleForm(),
      name: "h",
      kind: "health",
      check,
      group: "mlflow-sink",
      threshold: "10",
      window_s: "120",
    });
    assert.equal(parseRule(body).kind, "health", `check ${check}: ${JSON.stringify(body)}`);
  }
  const typo = ruleBody({ ...emptyRuleForm(), name: "x", threshold: "two" });
  assert.equal(typo.threshold, "two", "text the user typed reaches the server, which names it");
});

Deno.test("the channel form's body for each type is what the server's parser accepts", () => {
  const hook = channelBody({
    ...emptyChannelForm(),
    name: "oncall",
    url: " https://x.test/h ",
    secret: "0123456789abcdef",
  });
  assert.deepEqual(hook, {
    name: "oncall",
    type: "webhook",
    url: "https://x.test/h",
    secret: "0123456789abcdef",
  });
  parseChannel(hook);
  const mail = channelBody({
    ...emptyChannelForm(),
    name: "mail",
    type: "email",
    host: "127.0.0.1",
    port: "1025",
    tls: "none",
    from: "a@x.test",
    to: "b@x.test, c@x.test",
  });
  const parsed = parseChannel(mail);
  assert.ok(parsed.type === "email");
  assert.deepEqual(parsed.to, ["b@x.test", "c@x.test"]);
  assert.equal(channelTarget(parsed), "b@x.test, c@x.test via 127.0.0.1:1025 (none)");
  parseChannel(
    channelBody({ ...emptyChannelForm(), name: "s", type: "slack", url: "https://x/y" }),
  );
});

Deno.test("rules read as sentences", () => {
  const rule = (body: Record<string, unknown>) => parseRule({ id: "r", name: "n", ...body });
  assert.equal(
    ruleSummary(
      rule({
        kind: "metric",
        metric: "error_rate",
        op: ">=",
        threshold: 0.1,
        window_s: 60,
        for_s: 30,
      }),
    ),
    "error_rate >= 0.1 over 60 s, for 30 s",
  );
  assert.equal(
    ruleSummary(rule({ kind: "drift", columns: ["latency_s"] })),
    "any of latency_s drifting, Benjamini–Hochberg FDR 0.05",
  );
  assert.equal(
    ruleSummary(rule({ kind: "health", check: "consumer_lag", group: "g", threshold: 100 })),
    "lag of g > 100 messages",
  );
  assert.equal(
    ruleSummary(rule({ kind: "health", check: "no_data", window_s: 600 })),
    "no responses for 600 s",
  );
  assert.deepEqual(
    ["firing", "pending", "resolved", "inactive"].map(stateTone),
    ["drift", "close", "ok", "neutral"],
  );
});

function change(ts: number, state: AlertStateEvent["state"], fingerprint = "f1"): AlertStateEvent {
  return {
    schema: "llm.alert.v1",
    kind: "state",
    ts,
    rule_id: "r",
    rule_name: "n",
    rule_kind: "metric",
    state,
    value: 1,
    threshold: 0,
    severity: "warning",
    labels: {},
    fingerprint,
    started_at: ts,
    fired_at: null,
  };
}

Deno.test("alerts events merge their newest changes into the history the page loaded", () => {
  const loaded = [change(3, "firing"), change(2, "pending"), change(1, "resolved", "f0")];
  const merged = mergeAlertHistory(loaded, [change(4, "resolved"), change(3, "firing")]);
  assert.deepEqual(merged.map((e) => e.ts), [4, 3, 2, 1], "newest first, the repeat counted once");
  assert.equal(mergeAlertHistory([], loaded, 2).length, 2);
  const view = { history: [change(5, "firing", "f2")], firing: 1 } as unknown as AlertsView;
  const state = reduceLive({
    ...initialLiveState(),
    alerts: { history: loaded } as unknown as AlertsView,
  }, {
    name: "alerts",
    data: view,
  });
  assert.equal(state.alerts?.firing, 1);
  assert.deepEqual(state.alerts?.history.map((e) => e.ts), [5, 3, 2, 1]);
});
