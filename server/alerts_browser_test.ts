/**
 * Alerts end to end, on the real server (`server/main.ts` as a process, as `deno task serve` runs
 * it) against the running stack, with the Alerts tab driven in Debian's Chromium:
 *
 * - a health rule fires on real Kafka state (a consumer group that lags 5 messages behind its
 *   topic, its lag read by the server's evaluator) and the webhook is notified once;
 * - a restart of the server during the firing alert: still firing afterwards, the same episode,
 *   no second notification;
 * - the Alerts tab shows it live (sidebar count, active table, the rule's value against its
 *   threshold, the history), its forms add a channel, a rule and a silence, a bad rule shows the
 *   server's 400 as text, and rule names carrying XSS payloads stay text.
 *
 * The alert records go to a private topic and the rules to a private file, so other servers on
 * the same Kafka neither see nor disturb them; the lagging group is private too, and the servers
 * run no LLM worker, so nothing here waits behind other traffic on `llm.requests`. (Metric and
 * drift rules on traffic are tested on private topics in lib/consumers/alert_evaluator_test.ts.)
 * Screenshots go to `test-artifacts/screenshots/`.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { startReceiver } from "../lib/alerts/_testing.ts";
import type { AlertsView } from "../lib/alerts/mod.ts";
import { createKafka, EventProducer } from "../lib/kafka/mod.ts";
import {
  createTestTopics,
  INTEGRATION,
  integrationConfig,
  uniqueName,
  waitFor,
} from "../lib/stack/testing.ts";
import { dataValue, launchBrowser, watchPage } from "./_browser_page.ts";
import { ROOT, type ServerHandle, startServer } from "./_browser_server.ts";
import { injectedElements, XSS_PAYLOADS } from "./_browser_xss.ts";

const SCREENSHOTS = `${ROOT}test-artifacts/screenshots`;

async function call(server: ServerHandle, method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.origin}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  assert.ok(response.ok, `${method} ${path} answered ${response.status}: ${JSON.stringify(json)}`);
  return json;
}

const view = (server: ServerHandle) => call(server, "GET", "/api/alerts") as Promise<AlertsView>;

/** Waits until the server leads and has evaluated at least twice after `since`. */
async function evaluatedSince(server: ServerHandle, since: number): Promise<AlertsView> {
  let first: number | null = null;
  let latest: AlertsView | null = null;
  await waitFor(
    async () => {
      latest = await view(server);
      const at = latest.evaluator.last_evaluated_at;
      if (latest.evaluator.role !== "leader" || at === null || at <= since) return false;
      first ??= at;
      return at > first;
    },
    "two evaluations by the restarted server",
    60_000,
  );
  return latest!;
}

/** The sidebar's firing count. */
const sidebarFiring = (page: Page) => dataValue(page, "sidebar-alerts-firing");

Deno.test({
  name: "alerts survive a restart of the server without a second notification, and the Alerts " +
    "tab in Chromium shows them live, adds channels, rules and silences, and keeps names as text",
  ...INTEGRATION,
  async fn(t) {
    const config = integrationConfig();
    await Deno.mkdir(SCREENSHOTS, { recursive: true });
    const kafka = createKafka(config.kafka.brokers, uniqueName("alerts-browser"));
    const { topics, cleanup } = await createTestTopics(kafka, ["alerts", "lagging"]);
    // a group 5 messages behind: committed at 0, 5 messages on its topic
    const lagging = uniqueName("alerts-lagging");
    const producer = new EventProducer(kafka);
    await producer.connect();
    for (let i = 0; i < 5; i++) await producer.send(topics.lagging, `k${i}`, { n: i });
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.setOffsets({
      groupId: lagging,
      topic: topics.lagging,
      partitions: [0, 1, 2].map((partition) => ({ partition, offset: "0" })),
    });
    const dir = await Deno.makeTempDir({ prefix: "alerts-browser-" });
    const hook = startReceiver();
    const env = {
      LLMOPS_ALERTS_FILE: `${dir}/alerts.json`,
      LLMOPS_ALERTS_TOPIC: topics.alerts,
      LLMOPS_WORKERS: "0",
    };
    const lagRule = (name: string, threshold: number) => ({
      name,
      kind: "health",
      check: "consumer_lag",
      group: lagging,
      threshold,
    });
    const failed: string[] = [];
    const step = async (name: string, fn: () => Promise<void>) => {
      if (!await t.step(name, fn)) failed.push(name);
    };
    let server: ServerHandle | null = null;
    let browser: Awaited<ReturnType<typeof launchBrowser>> | null = null;
    let ruleId = "";
    let fingerprint = "";
    try {
      const t0 = Date.now();
      server = await startServer({ env });
      console.log(`server up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

      await step("a consumer-lag rule fires and notifies the webhook once", async () => {
        await call(server!, "POST", "/api/alerts/channels", {
          name: "hook",
          type: "webhook",
          url: `${hook.url}/first`,
          secret: "browser-test-secret-0123",
        });
        const rule = await call(server!, "POST", "/api/alerts/rules", {
          ...lagRule("a lagging consumer", 2),
          channels: ["hook"],
        });
        ruleId = rule.id;
        await waitFor(async () => (await view(server!)).firing === 1, "the rule firing", 30_000);
        assert.equal((await view(server!)).active[0].value, 5, "the group's lag");
        await waitFor(() => hook.requests.length === 1, "the firing notification", 30_000);
        fingerprint = (await view(server!)).active[0].fingerprint;
      });

      await step(
        "a restart keeps the alert firing, the same episode, with no second notification",
        async () => {
          const t1 = Date.now();
          // SIGTERM, then SIGKILL after 15 s: the alert state is on Kafka before anything is
          // sent, so a crash must keep it as well as a clean stop does
          const code = await server!.stop(15_000);
          assert.ok(code === 143 || code === 137, `the server stopped (exit code ${code})`);
          server = null;
          server = await startServer({ env });
          const restarted = Date.now();
          console.log(
            `stopped (exit ${code}) and up again in ${((restarted - t1) / 1000).toFixed(1)} s`,
          );
          const after = await evaluatedSince(server, restarted);
          assert.equal(after.firing, 1, "still firing after the restart");
          assert.equal(after.active[0].fingerprint, fingerprint, "the same episode");
          assert.equal(after.active[0].notified, 1, "its notification is remembered");
          assert.ok(
            after.history.some((h) => h.fingerprint === fingerprint && h.state === "firing"),
          );
          assert.equal(after.deliveries_pending, 0);
          assert.equal(hook.requests.length, 1, "no second notification");
          const rules = await call(server, "GET", "/api/alerts/rules");
          assert.deepEqual(rules.rules.map((r: { id: string }) => r.id), [ruleId]);
        },
      );
      if (!server) throw new Error("the server did not come back");
      const origin = server.origin;

      browser = await launchBrowser();
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      page.setDefaultTimeout(30_000);
      const watch = await watchPage(page);
      await page.goto(`${origin}/#alerts/${fingerprint}`);

      await step(
        "the Alerts tab shows the firing alert, its rule against the threshold and the history",
        async () => {
          await page.getByTestId("panel-alerts").waitFor({ state: "visible" });
          assert.equal(await page.getByTestId("tab-alerts").getAttribute("aria-selected"), "true");
          await page.locator(
            `[data-testid="alert-active"][data-rule-id="${ruleId}"][data-state="firing"]`,
          )
            .waitFor();
          await waitFor(async () => (await sidebarFiring(page)) === 1, "the sidebar's count of 1");
          await page.locator(
            `[data-testid="rule-row"][data-rule-id="${ruleId}"][data-state="firing"]`,
          )
            .waitFor();
          await waitFor(
            async () => (await dataValue(page, `rule-value-${ruleId}`)) >= 1,
            "the rule's current value",
          );
          assert.ok(await page.getByTestId("history-row").count() >= 1);
          await page.locator('[data-testid="alerts-evaluator"][data-role="leader"]').waitFor();
          await page.screenshot({ path: `${SCREENSHOTS}/alerts.png`, fullPage: true });
        },
      );

      await step(
        "the forms add a channel, a rule that fires live, and a silence; a bad rule shows the 400 as text",
        async () => {
          const loads = watch.loads.length;
          await page.getByTestId("channel-name").fill("second");
          await page.getByTestId("channel-type").selectOption("webhook");
          await page.getByTestId("channel-url").fill(`${hook.url}/second`);
          await page.getByTestId("channel-submit").click();
          await page.locator('[data-testid="channel-row"][data-channel="second"]').waitFor();

          await page.getByTestId("rule-name").fill("second rule");
          await page.getByTestId("rule-kind").selectOption("health");
          await page.getByTestId("rule-check").selectOption("consumer_lag");
          await page.getByTestId("rule-group").fill(lagging);
          await page.getByTestId("rule-threshold").fill("1");
          await page.getByTestId("rule-channel-second").check();
          await page.getByTestId("rule-submit").click();
          await waitFor(
            async () => (await sidebarFiring(page)) === 2,
            "the count of 2, live",
            30_000,
          );
          await waitFor(
            () => hook.requests.some((r) => r.path === "/second"),
            "the second rule's notification",
            30_000,
          );
          const rules = (await call(server!, "GET", "/api/alerts/rules")).rules as {
            id: string;
            name: string;
          }[];
          const second = rules.find((r) => r.name === "second rule")!;
          assert.ok(second, "the form's rule was stored");

          await page.getByTestId(`rule-silence-${second.id}`).click();
          await page.locator(
            `[data-testid="alert-active"][data-rule-id="${second.id}"] [data-testid="alert-silenced"]`,
          ).waitFor();
          await page.locator(`[data-testid="silence-row"][data-rule-id="${second.id}"]`).waitFor();

          await page.getByTestId("rule-name").fill("no threshold");
          await page.getByTestId("rule-kind").selectOption("metric");
          await page.getByTestId("rule-threshold").fill("");
          await page.getByTestId("rule-submit").click();
          const error = page.getByTestId("rule-error");
          await error.waitFor();
          assert.match(await error.textContent() ?? "", /threshold: expected a number, found ""/);

          await page.getByTestId(`rule-delete-${second.id}`).click();
          await waitFor(async () => (await sidebarFiring(page)) === 1, "the count back to 1, live");
          assert.equal(watch.loads.length, loads, "all of it without reloading the page");
        },
      );

      await step("rule names carrying XSS payloads stay text in every table", async () => {
        const ids: string[] = [];
        for (const payload of XSS_PAYLOADS) {
          const rule = await call(server!, "POST", "/api/alerts/rules", {
            ...lagRule(payload, 0),
            description: payload,
          });
          ids.push(rule.id);
        }
        await waitFor(
          async () => (await sidebarFiring(page)) === 1 + XSS_PAYLOADS.length,
          "every payload rule firing",
          30_000,
        );
        await page.locator('[data-testid="rule-row"]').nth(XSS_PAYLOADS.length).waitFor();
        const text = await page.getByTestId("panel-alerts").innerText();
        for (const payload of XSS_PAYLOADS.slice(0, 5)) {
          assert.ok(text.includes(payload), `the payload shows as text: ${payload}`);
        }
        assert.deepEqual(await page.evaluate(injectedElements), []);
        assert.deepEqual(await watch.scriptCalls(), [], "no alert/confirm/prompt ran");
        assert.deepEqual(watch.dialogs, []);
        await page.screenshot({ path: `${SCREENSHOTS}/alerts_xss.png`, fullPage: true });
        for (const id of ids) await call(server!, "DELETE", `/api/alerts/rules/${id}`);
        await waitFor(async () => (await sidebarFiring(page)) === 1, "the payload rules resolved");
      });

      await step("the page had no console errors, page errors or dialogs", () => {
        assert.deepEqual(watch.pageErrors, []);
        assert.deepEqual(watch.consoleErrors.filter((e) => !/status of 400/.test(e)), []);
        assert.deepEqual(watch.dialogs, []);
        return Promise.resolve();
      });
      assert.deepEqual(failed, [], "every step passed");
    } finally {
      await browser?.close();
      if (server) await server.stop(15_000);
      await hook.stop();
      await admin.deleteGroups([lagging]).catch(() => {});
      await admin.disconnect();
      await cleanup();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
