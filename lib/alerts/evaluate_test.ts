import assert from "node:assert/strict";
import { sampleResponse } from "../events/testing.ts";
import {
  type DriftColumnLike,
  driftVerdict,
  evaluateRule,
  inputHorizonMs,
  type ResponseLike,
} from "./evaluate.ts";
import { type DriftRule, parseRule } from "./rules.ts";

const NOW = 1_760_000_000_000;

function metricRule(metric: string, extra: Record<string, unknown> = {}) {
  return parseRule({
    id: metric,
    name: metric,
    kind: "metric",
    metric,
    op: ">",
    threshold: 0,
    window_s: 60,
    ...extra,
  });
}

/** Twenty responses in the last 20 s with latencies 1…20 s; every fourth one failed. */
function twenty(): ResponseLike[] {
  return Array.from({ length: 20 }, (_, i) =>
    sampleResponse({
      ts_end: NOW - i * 1000,
      latency_ms: (i + 1) * 1000,
      ttft_ms: i % 2 === 0 ? (i + 1) * 100 : null,
      tokens_per_s: i + 1,
      ...(i % 4 === 3
        ? { status: "error" as const, error: { type: "timeout" as const, message: "slow" } }
        : {}),
    }));
}

Deno.test("latency percentiles interpolate linearly between ranks (numpy's default)", () => {
  const events = twenty();
  // Sorted latencies 1..20 s; position (n−1)·q: p50 → 9.5 → 10.5 s; p95 → 18.05 → 19.05 s.
  assert.equal(evaluateRule(metricRule("latency_p50_s"), { responses: events }, NOW).value, 10.5);
  const p95 = evaluateRule(metricRule("latency_p95_s"), { responses: events }, NOW).value!;
  assert.ok(Math.abs(p95 - 19.05) < 1e-12, String(p95));
  const p99 = evaluateRule(metricRule("latency_p99_s"), { responses: events }, NOW).value!;
  assert.ok(Math.abs(p99 - 19.81) < 1e-12, String(p99));
  // TTFT over the ten responses that have one: 0.1, 0.3, …, 1.9 s; p95 at 8.55 → 1.81 s.
  const ttft = evaluateRule(metricRule("ttft_p95_s"), { responses: events }, NOW).value!;
  assert.ok(Math.abs(ttft - 1.81) < 1e-12, String(ttft));
});

Deno.test("error rate, throughput, request count and mean tokens/s of successes", () => {
  const events = twenty();
  const at = (metric: string) => evaluateRule(metricRule(metric), { responses: events }, NOW).value;
  assert.equal(at("error_rate"), 5 / 20);
  assert.equal(at("requests"), 20);
  assert.equal(at("throughput_rps"), 20 / 60);
  // Successes have tokens_per_s 1..20 except 4, 8, 12, 16, 20 → sum 210 − 60 = 150 over 15.
  assert.equal(at("tokens_per_s_avg"), 150 / 15);
});

Deno.test("the window is (now − window_s, now] and model/source filters apply", () => {
  const events = [
    sampleResponse({ ts_end: NOW - 60_000, model: "a" }), // exactly window_s old: out
    sampleResponse({ ts_end: NOW - 59_999, model: "a" }),
    sampleResponse({ ts_end: NOW, model: "b", source: "stream" }),
    sampleResponse({ ts_end: NOW + 1, model: "a" }), // in the future: out
  ];
  const count = (extra: Record<string, unknown>) =>
    evaluateRule(metricRule("requests", extra), { responses: events }, NOW).value;
  assert.equal(count({}), 2);
  assert.equal(count({ model: "a" }), 1);
  assert.equal(count({ source: "stream" }), 1);
  assert.equal(count({ model: "a", source: "stream" }), 0);
});

Deno.test("too few samples give no value and never fire, whatever the operator", () => {
  const rule = metricRule("latency_p95_s", { op: "<", threshold: 100, min_samples: 5 });
  const few = evaluateRule(rule, { responses: twenty().slice(0, 4) }, NOW);
  assert.equal(few.value, null);
  assert.equal(few.active, false);
  assert.match(few.detail, /4 samples .* fewer than 5/);
  assert.equal(evaluateRule(rule, { responses: twenty() }, NOW).active, true);
  const empty = evaluateRule(metricRule("error_rate", { op: "<", threshold: 1 }), {}, NOW);
  assert.equal(empty.value, null);
  assert.equal(empty.active, false);
});

Deno.test("cost_usd sums the priced responses; thumbs_up_rate counts positive feedback", () => {
  const priced = [
    { ...sampleResponse({ ts_end: NOW - 1 }), cost_usd: 0.25 },
    { ...sampleResponse({ ts_end: NOW - 2 }), cost_usd: 0.5 },
    sampleResponse({ ts_end: NOW - 3 }),
  ];
  const cost = evaluateRule(metricRule("cost_usd", { threshold: 0.7 }), { responses: priced }, NOW);
  assert.equal(cost.value, 0.75);
  assert.equal(cost.active, true);
  const noPrice = evaluateRule(metricRule("cost_usd"), { responses: [priced[2]] }, NOW);
  assert.equal(noPrice.value, null);

  const feedback = [
    { ts: NOW - 10, score: 1 },
    { ts: NOW - 20, score: -1 },
    { ts: NOW - 30, score: 0.8 },
    { ts: NOW - 40, score: 0.2 },
    { ts: NOW - 120_000, score: 1 }, // outside the window
  ];
  const thumbs = evaluateRule(
    metricRule("thumbs_up_rate", { op: "<", threshold: 0.6 }),
    { feedback },
    NOW,
  );
  assert.equal(thumbs.value, 2 / 4);
  assert.equal(thumbs.active, true);
});

Deno.test("thumbs_up_rate with a model filter keeps feedback on that model's responses", () => {
  const mine = sampleResponse({ ts_end: NOW - 5, model: "a" });
  const other = sampleResponse({ ts_end: NOW - 5, model: "b" });
  const feedback = [
    { ts: NOW - 1, score: 1, request_id: mine.request_id },
    { ts: NOW - 1, score: -1, request_id: other.request_id },
    { ts: NOW - 1, score: -1, model: "a" },
  ];
  const value = evaluateRule(
    metricRule("thumbs_up_rate", { model: "a" }),
    { responses: [mine, other], feedback },
    NOW,
  ).value;
  assert.equal(value, 1 / 2);
});

function column(name: string, p: number | null, drifted?: boolean): DriftColumnLike {
  return {
    column: name,
    stattest: p === null ? "wasserstein" : "ks",
    p_value: p,
    score: p ?? 0.2,
    threshold: p === null ? 0.1 : 0.05,
    drifted: drifted ?? (p !== null && p <= 0.05),
  };
}

Deno.test("a drift rule corrects the p-values of one report with Benjamini–Hochberg", () => {
  // Twelve columns, one p-value at 0.01 and one at 0.04: both below 0.05 alone, neither
  // survives the correction (0.01 > 1·0.05/12, 0.04 > 2·0.05/12).
  const report = {
    columns: [
      column("a", 0.01),
      column("b", 0.04),
      ...Array.from({ length: 10 }, (_, i) => column(`c${i}`, 0.3 + i * 0.05)),
    ],
  };
  const withFdr = parseRule({ id: "d", name: "d", kind: "drift", condition: "any_column" });
  const raw = parseRule({ id: "r", name: "r", kind: "drift", condition: "any_column", fdr: false });
  const corrected = evaluateRule(withFdr, { drift: { report, ts: NOW } }, NOW);
  assert.equal(corrected.value, 0);
  assert.equal(corrected.active, false);
  const uncorrected = evaluateRule(raw, { drift: { report, ts: NOW } }, NOW);
  assert.equal(uncorrected.value, 2);
  assert.equal(uncorrected.active, true);
  // A strong signal survives: 0.001 ≤ 0.05/12.
  const strong = { columns: [column("a", 0.001), ...report.columns.slice(1)] };
  const fired = evaluateRule(withFdr, { drift: { report: strong, ts: NOW } }, NOW);
  assert.equal(fired.active, true);
  assert.match(fired.detail, /a \(q=0\.012\)/);
});

Deno.test("distance-scored columns keep their own verdict; named columns and dataset share", () => {
  const report = {
    columns: [column("len", null, true), column("lat", 0.5), column("tok", 0.6), column("x", 0.9)],
  };
  const any = parseRule({ id: "a", name: "a", kind: "drift", condition: "any_column" });
  const verdict = driftVerdict(any as DriftRule, report);
  assert.deepEqual(verdict.drifted, ["len"]);
  assert.equal(verdict.tested, 3, "only the p-valued columns are corrected together");
  const named = parseRule({ id: "n", name: "n", kind: "drift", columns: ["lat", "tok"] });
  assert.equal(evaluateRule(named, { drift: { report, ts: NOW } }, NOW).active, false);
  const dataset = parseRule({ id: "s", name: "s", kind: "drift", drift_share: 0.25 });
  const share = evaluateRule(dataset, { drift: { report, ts: NOW } }, NOW);
  assert.equal(share.value, 1 / 4);
  assert.equal(share.active, true);
  assert.equal(evaluateRule(dataset, {}, NOW).value, null, "no report yet: no data");
});

Deno.test("health checks: service down, consumer lag, dead letters per minute, no data", () => {
  const health = {
    services: { kafka: true, mlflow: false },
    consumer_lag: { "mlflow-sink": 1500 },
    dlq_ts: [NOW - 10_000, NOW - 20_000, NOW - 30_000, NOW - 70_000],
    watching_since: NOW - 3_600_000,
  };
  const rule = (extra: Record<string, unknown>) =>
    parseRule({ id: "h", name: "h", kind: "health", ...extra });
  assert.equal(
    evaluateRule(rule({ check: "service", service: "mlflow" }), { health }, NOW).active,
    true,
  );
  assert.equal(
    evaluateRule(rule({ check: "service", service: "kafka" }), { health }, NOW).active,
    false,
  );
  assert.equal(
    evaluateRule(rule({ check: "service", service: "ollama" }), { health }, NOW).value,
    null,
  );
  const lag = evaluateRule(
    rule({ check: "consumer_lag", group: "mlflow-sink", threshold: 1000 }),
    { health },
    NOW,
  );
  assert.deepEqual([lag.value, lag.active], [1500, true]);
  const dlq = evaluateRule(rule({ check: "dlq_rate", threshold: 2 }), { health }, NOW);
  assert.deepEqual([dlq.value, dlq.active], [3, true]);
  const dlq2m = evaluateRule(
    rule({ check: "dlq_rate", threshold: 2, window_s: 120 }),
    { health },
    NOW,
  );
  assert.equal(dlq2m.value, 2, "4 in 2 minutes = 2 per minute");
  const quiet = rule({ check: "no_data", window_s: 600 });
  assert.equal(evaluateRule(quiet, { health }, NOW).value, 3600, "none ever: since watching began");
  const recent = { responses: [sampleResponse({ ts_end: NOW - 30_000 })], health };
  assert.deepEqual(
    [evaluateRule(quiet, recent, NOW).value, evaluateRule(quiet, recent, NOW).active],
    [30, false],
  );
  const old = { health: { ...health, last_response_ts: NOW - 900_000 } };
  assert.equal(evaluateRule(quiet, old, NOW).active, true);
});

Deno.test("the input horizon is the longest metric or dead-letter window of the rules", () => {
  const rules = [
    metricRule("requests", { window_s: 300 }),
    parseRule({
      id: "d",
      name: "d",
      kind: "health",
      check: "dlq_rate",
      threshold: 1,
      window_s: 900,
    }),
    parseRule({ id: "q", name: "q", kind: "health", check: "no_data", window_s: 86_400 }),
    parseRule({ id: "x", name: "x", kind: "drift" }),
  ];
  assert.equal(inputHorizonMs(rules), 900_000);
  assert.equal(inputHorizonMs(rules.slice(2)), 0, "no_data needs only the newest time");
});
