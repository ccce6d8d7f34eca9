import assert from "node:assert/strict";
import { parseRule, ruleLabels, ruleThreshold } from "./rules.ts";
import { parseSilence } from "./silence.ts";
import { AlertValidationError } from "./validation.ts";

/** The validation error of `fn`, asserting that it throws one. */
function rejection(fn: () => unknown): AlertValidationError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof AlertValidationError, `not an AlertValidationError: ${error}`);
    assert.equal(error.status, 400);
    return error;
  }
  assert.fail("expected an AlertValidationError");
}

const slowP95 = {
  name: "slow p95",
  kind: "metric",
  metric: "latency_p95_s",
  op: ">",
  threshold: 2,
  window_s: 300,
  for_s: 60,
  channels: ["oncall"],
};

Deno.test("the issue's example rule is valid and gets the documented defaults", () => {
  const rule = parseRule(slowP95, { channels: ["oncall"], newId: () => "r-1" });
  assert.equal(rule.id, "r-1");
  assert.equal(rule.kind, "metric");
  assert.equal(rule.keep_firing_s, 0);
  assert.equal(rule.severity, "warning");
  assert.equal(rule.enabled, true);
  assert.equal(rule.repeat_s, 4 * 3600);
  if (rule.kind === "metric") assert.equal(rule.min_samples, 1);
});

Deno.test("an unknown metric is named with the expected metrics and what was found", () => {
  const error = rejection(() => parseRule({ ...slowP95, metric: "latency_p96_s" }));
  assert.equal(error.issues[0].path, "metric");
  assert.match(error.issues[0].message, /expected one of "latency_p50_s", .*"thumbs_up_rate"/);
  assert.match(error.issues[0].message, /found "latency_p96_s"$/);
});

Deno.test("a channel that is not defined is a 400 naming the defined channels", () => {
  const error = rejection(() =>
    parseRule({ ...slowP95, channels: ["oncall", "pager"] }, { channels: ["oncall", "email"] })
  );
  assert.deepEqual(error.issues.map((i) => i.path), ["channels.1"]);
  assert.match(error.issues[0].message, /"oncall", "email".*found "pager"/);
  const none = rejection(() => parseRule(slowP95, { channels: [] }));
  assert.match(none.issues[0].message, /none is defined yet/);
});

Deno.test("missing and mistyped fields say what was expected and what was found", () => {
  const { threshold: _t, ...noThreshold } = slowP95;
  const missing = rejection(() => parseRule(noThreshold));
  assert.deepEqual(missing.issues, [{
    path: "threshold",
    message: "expected a number, found nothing",
  }]);
  const typed = rejection(() => parseRule({ ...slowP95, window_s: "300" }));
  assert.deepEqual(typed.issues, [{ path: "window_s", message: 'expected a number, found "300"' }]);
  const negative = rejection(() => parseRule({ ...slowP95, for_s: -5 }));
  assert.equal(negative.issues[0].message, "expected a number at least 0, found -5");
  const typo = rejection(() => parseRule({ ...slowP95, treshold: 3 }));
  assert.deepEqual(typo.issues, [{ path: "treshold", message: "unknown field" }]);
});

Deno.test("an unknown kind, a non-object body and a bad operator are rejected", () => {
  assert.match(
    rejection(() => parseRule({ ...slowP95, kind: "metrics" })).message,
    /kind: expected one of "metric", "drift", "health", found "metrics"/,
  );
  assert.match(rejection(() => parseRule([1])).message, /expected a JSON object, found an array/);
  assert.match(
    rejection(() => parseRule({ ...slowP95, op: "=>" })).issues[0].message,
    /expected one of ">", ">=", "<", "<=", found "=>"/,
  );
});

Deno.test("health rules need the fields of their check and refuse the others", () => {
  const lag = parseRule({
    id: "lag",
    name: "sink lag",
    kind: "health",
    check: "consumer_lag",
    group: "mlflow-sink",
    threshold: 1000,
    for_s: 120,
  });
  assert.equal(ruleThreshold(lag), 1000);
  const noGroup = rejection(() =>
    parseRule({ name: "lag", kind: "health", check: "consumer_lag", threshold: 5 })
  );
  assert.deepEqual(noGroup.issues.map((i) => i.path), ["group"]);
  assert.match(noGroup.issues[0].message, /expected a consumer group for check "consumer_lag"/);
  const extra = rejection(() =>
    parseRule({ name: "quiet", kind: "health", check: "no_data", window_s: 60, threshold: 1 })
  );
  assert.deepEqual(extra.issues.map((i) => i.path), ["threshold"]);
  assert.equal(
    rejection(() => parseRule({ name: "down", kind: "health", check: "service" })).issues[0].path,
    "service",
  );
});

Deno.test("drift rules default to dataset drift, or any named column, with FDR at 0.05", () => {
  const dataset = parseRule({ id: "d1", name: "dataset", kind: "drift" });
  assert.ok(dataset.kind === "drift");
  assert.equal(dataset.condition, "dataset");
  assert.equal(dataset.fdr, true);
  assert.equal(dataset.level, 0.05);
  const named = parseRule({ id: "d2", name: "len", kind: "drift", columns: ["response_chars"] });
  assert.ok(named.kind === "drift");
  assert.equal(named.condition, "any_column");
  assert.equal(ruleThreshold(named), 1);
  const badLevel = rejection(() => parseRule({ name: "x", kind: "drift", level: 1.5 }));
  assert.equal(badLevel.issues[0].message, "expected a number less than 1, found 1.5");
  const twice = rejection(() => parseRule({ name: "x", kind: "drift", columns: ["a", "a"] }));
  assert.equal(twice.issues[0].path, "columns.1");
});

Deno.test("rule labels carry the filters and cannot be overridden by the rule's own labels", () => {
  const rule = parseRule({
    ...slowP95,
    id: "p95",
    model: "smollm2:135m",
    labels: { team: "ml", alertname: "spoofed" },
  });
  const labels = ruleLabels(rule);
  assert.equal(labels.alertname, "slow p95");
  assert.equal(labels.team, "ml");
  assert.equal(labels.model, "smollm2:135m");
  assert.equal(labels.rule_id, "p95");
});

Deno.test("silences take until or duration_s, in the future, for a defined rule", () => {
  const now = 1_000_000;
  const silence = parseSilence({ rule_id: "p95", until: "2100-01-01T00:00:00Z" }, {
    now,
    rules: ["p95"],
    newId: () => "s1",
  });
  assert.equal(silence.until, Date.parse("2100-01-01T00:00:00Z"));
  assert.equal(silence.silence_id, "s1");
  assert.match(
    rejection(() => parseSilence({ rule_id: "p95", until: now - 1 }, { now })).message,
    /until: expected a time in the future/,
  );
  assert.match(
    rejection(() => parseSilence({ rule_id: "p95" }, { now })).message,
    /exactly one of until .* found neither/,
  );
  assert.match(
    rejection(() => parseSilence({ rule_id: "nope", duration_s: 5 }, { now, rules: ["p95"] }))
      .message,
    /rule_id: expected the id of a defined rule, found "nope"/,
  );
});
