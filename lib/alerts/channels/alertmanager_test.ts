// Alertmanager (built from its Go module) receives, groups and resolves the alerts, and notifies
// its own receiver (a local webhook) of the group firing and then resolved.
import assert from "node:assert/strict";
import { loadStackConfig } from "../../stack/config.ts";
import { startAlertmanager } from "../../stack/alertmanager.ts";
import { waitFor } from "../../stack/testing.ts";
import { sampleNotification, startReceiver } from "../_testing.ts";
import { alertmanagerAlerts, sendAlertmanager } from "./alertmanager.ts";
import { parseChannel } from "./config.ts";

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
  status: { state: string };
}

interface AmWebhook {
  status: "firing" | "resolved";
  groupLabels: Record<string, string>;
  alerts: { status: string; labels: Record<string, string>; endsAt: string }[];
}

Deno.test("the Alertmanager payload has labels, annotations, startsAt, endsAt and generatorURL", () => {
  const now = 1_760_000_100_000;
  const firing =
    alertmanagerAlerts(sampleNotification(), { dashboardUrl: "http://d.test" }, now)[0];
  assert.equal(firing.labels.alertname, "slow p95");
  assert.equal(firing.labels.severity, "warning");
  assert.equal(firing.labels.fingerprint, "0123456789abcdef");
  assert.equal(firing.startsAt, new Date(1_760_000_000_000).toISOString());
  assert.equal(firing.endsAt, new Date(now + 2 * 14_400_000).toISOString(), "renewed by repeats");
  assert.equal(firing.generatorURL, "http://d.test/#alerts/0123456789abcdef");
  assert.match(firing.annotations.summary, /\[FIRING\] slow p95/);
  const resolved = alertmanagerAlerts(
    sampleNotification({ state: "resolved", seq: 2, ended_at: 1_760_000_090_000 }),
    {},
    now,
  )[0];
  assert.equal(resolved.endsAt, new Date(1_760_000_090_000).toISOString());
  assert.equal(resolved.generatorURL, undefined);
});

Deno.test("a real Alertmanager receives firing alerts, groups them by alertname and resolves them", async () => {
  const hooks = startReceiver();
  const am = await startAlertmanager(loadStackConfig(), {
    configYaml: `route:
  receiver: llmops-test
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: llmops-test
    webhook_configs:
      - url: ${hooks.url}/am
        send_resolved: true
`,
  }, (line) => console.error(line));
  try {
    const channel = parseChannel({ name: "am", type: "alertmanager", url: am.url });
    assert.ok(channel.type === "alertmanager");
    const now = Date.now();
    const base = { started_at: now - 60_000, ts: now };
    const modelA = sampleNotification({
      ...base,
      fingerprint: "aaaaaaaaaaaaaaaa",
      labels: { ...sampleNotification().labels, model: "a" },
    });
    const modelB = sampleNotification({
      ...base,
      fingerprint: "bbbbbbbbbbbbbbbb",
      labels: { ...sampleNotification().labels, model: "b" },
    });
    const context = { dashboardUrl: "http://127.0.0.1:8000" };
    await sendAlertmanager(channel, modelA, context, now);
    await sendAlertmanager(channel, modelB, context, now);

    const active = async () =>
      (await (await fetch(`${am.url}/api/v2/alerts?active=true`)).json()) as AmAlert[];
    await waitFor(async () => (await active()).length === 2, "two active alerts", 15_000);
    const alerts = await active();
    assert.deepEqual(alerts.map((a) => a.labels.model).sort(), ["a", "b"]);
    for (const alert of alerts) {
      assert.equal(alert.status.state, "active");
      assert.equal(alert.labels.alertname, "slow p95");
      assert.equal(alert.startsAt, new Date(base.started_at).toISOString());
      assert.equal(alert.generatorURL, `http://127.0.0.1:8000/#alerts/${alert.labels.fingerprint}`);
    }
    const groups = await (await fetch(`${am.url}/api/v2/alerts/groups`)).json() as {
      labels: Record<string, string>;
      alerts: AmAlert[];
    }[];
    assert.equal(groups.length, 1, "one group: both share alertname");
    assert.deepEqual(groups[0].labels, { alertname: "slow p95" });
    assert.equal(groups[0].alerts.length, 2);

    const webhooks = () =>
      hooks.requests.map((r) => JSON.parse(new TextDecoder().decode(r.body)) as AmWebhook);
    // An alert that started before group_wait is flushed at once (Alertmanager's rule), so the
    // first notification may hold one alert; the group's next one holds both.
    await waitFor(
      () => webhooks().some((w) => w.status === "firing" && w.alerts.length === 2),
      "Alertmanager's firing notification of the group with both alerts",
      15_000,
    );
    for (const w of webhooks()) assert.deepEqual(w.groupLabels, { alertname: "slow p95" });

    const ended = Date.now();
    for (const n of [modelA, modelB]) {
      await sendAlertmanager(
        channel,
        { ...n, state: "resolved", seq: 2, key: `${n.fingerprint}:resolved:2`, ended_at: ended },
        context,
      );
    }
    await waitFor(async () => (await active()).length === 0, "no active alert left", 15_000);
    await waitFor(
      () => webhooks().some((w) => w.status === "resolved"),
      "Alertmanager's resolved notification",
      15_000,
    );
    const resolved = webhooks().find((w) => w.status === "resolved")!;
    assert.equal(resolved.alerts.length, 2);
    for (const alert of resolved.alerts) {
      assert.equal(alert.status, "resolved");
      assert.equal(Date.parse(alert.endsAt), ended, "endsAt is the resolve time we sent");
    }
  } finally {
    await am.stop();
    await hooks.stop();
  }
});
