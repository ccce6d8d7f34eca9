/**
 * End-to-end browser tests of the dashboard: the real server (`server/main.ts`) as a subprocess
 * against the running stack (Kafka, MLflow, Ollama), driven in Debian's Chromium through
 * playwright-core. Part of `deno task test`; `deno task test:browser` runs it alone.
 *
 * Screenshots of every tab go to `test-artifacts/screenshots/` (git-ignored).
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { INTEGRATION, integrationConfig, waitFor } from "../lib/stack/testing.ts";
import { dataValue, launchBrowser, watchPage } from "./_browser_page.ts";
import { ROOT, startServer } from "./_browser_server.ts";
import { injectedElements, XSS_PAYLOADS } from "./_browser_xss.ts";

const SCREENSHOTS = `${ROOT}test-artifacts/screenshots`;
const TAB_IDS = ["metrics", "stream", "mlflow", "drift", "test", "auto"] as const;
type TabId = typeof TAB_IDS[number];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Opens a tab and waits until its panel is the visible one. */
async function openTab(page: Page, id: TabId): Promise<void> {
  await page.getByTestId(`tab-${id}`).click();
  await page.getByTestId(`panel-${id}`).waitFor({ state: "visible" });
  assert.equal(await page.getByTestId(`tab-${id}`).getAttribute("aria-selected"), "true");
}

/** Waits until the chart with `testId` has drawn an svg (charts draw only while visible). */
async function expectChart(page: Page, testId: string): Promise<void> {
  await page.locator(`[data-testid="${testId}"] svg`).first().waitFor({
    state: "attached",
    timeout: 20_000,
  });
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

/** POST /api/requests, retrying after a 429 (all clients of the test share one address). */
async function submit(origin: string, prompt: string, maxTokens: number): Promise<string> {
  for (let attempt = 0;; attempt++) {
    const res = await fetch(`${origin}/api/requests`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ prompt, max_tokens: maxTokens, temperature: 0 }),
    });
    const body = await res.json();
    if (res.status === 429 && attempt < 20) {
      await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get("retry-after") ?? 1)));
      continue;
    }
    assert.equal(
      res.status,
      202,
      `POST /api/requests answered ${res.status}: ${JSON.stringify(body)}`,
    );
    assert.match(body.request_id, UUID);
    return body.request_id;
  }
}

async function getJson<T>(origin: string, path: string): Promise<T> {
  const res = await fetch(`${origin}${path}`);
  const body = await res.json();
  assert.equal(res.status, 200, `GET ${path} answered ${res.status}: ${JSON.stringify(body)}`);
  return body as T;
}

/** The card of a request in the Response Stream tab. */
function card(page: Page, requestId: string) {
  return page.locator(`[data-testid="response-card"][data-request-id="${requestId}"]`);
}

Deno.test({
  name: "the dashboard in Chromium streams a dataset, shows every tab, updates live, " +
    "renders XSS payloads as text and round-trips a Test LLM prompt",
  ...INTEGRATION,
  async fn(t) {
    const config = integrationConfig();
    const mlflowUri = config.mlflow.uri.replace(/\/+$/, "");
    await Deno.mkdir(SCREENSHOTS, { recursive: true });
    const started = Date.now();
    const server = await startServer();
    const failed: string[] = [];
    const step = async (name: string, fn: () => void | Promise<void>) => {
      if (!await t.step(name, fn)) failed.push(name);
    };
    console.log(`server ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      page.setDefaultTimeout(30_000);
      const watch = await watchPage(page);

      const response = await page.goto(`${server.origin}/`);
      assert.ok(response, "the page answered");
      assert.equal(response.status(), 200);

      await step("the page is served under a CSP that forbids inline script", () => {
        const csp = response.headers()["content-security-policy"];
        assert.ok(csp, "the page carries a Content-Security-Policy header");
        const directives = new Map(
          csp.split(";").map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map((
            [name, ...values],
          ) => [name.toLowerCase(), values]),
        );
        const scriptSrc = directives.get("script-src") ?? directives.get("default-src");
        assert.ok(scriptSrc, `the CSP restricts scripts: ${csp}`);
        assert.ok(!scriptSrc.includes("'unsafe-inline'"), `script-src allows inline: ${csp}`);
        assert.ok(!scriptSrc.includes("'unsafe-eval'"), `script-src allows eval: ${csp}`);
        assert.ok(!scriptSrc.includes("*"), `script-src allows any origin: ${csp}`);
      });

      await step("the worker has no backlog of earlier requests", async () => {
        // requests left in llm.requests by earlier runs are answered first: wait for them
        let lag: number | null = null;
        await waitFor(
          async () => {
            lag = await workerLag(server.origin);
            return lag === 0;
          },
          "the llm-worker backlog to drain",
          90_000,
        ).catch((e) => {
          throw new Error(
            `${e.message}: ${lag} earlier requests are still queued in llm.requests, so this ` +
              "test's requests would wait behind them",
          );
        });
      });

      await step(
        "Auto Streaming sends quick_test.json and counts 10 sent and 10 done",
        async () => {
          await openTab(page, "auto");
          const file = page.getByTestId("stream-file");
          await page.locator('[data-testid="stream-file"] option[value="quick_test.json"]').waitFor(
            {
              state: "attached",
            },
          );
          await file.selectOption("quick_test.json");
          await page.getByTestId("stream-delay").fill("0.5");
          await page.getByTestId("stream-max-tokens").fill("24");
          await page.getByTestId("stream-loop").setChecked(false);
          await page.getByTestId("stream-start").click();
          await page.locator(
            '[data-testid="stream-state"][data-state="running"], ' +
              '[data-testid="stream-state"][data-state="finished"]',
          ).waitFor();
          assert.match(await page.getByTestId("stream-state").textContent() ?? "", /quick_test/);
          await waitFor(
            async () => {
              const sent = await dataValue(page, "stream-sent");
              const done = await dataValue(page, "stream-succeeded") +
                await dataValue(page, "stream-failed");
              const progress = await page.getByTestId("stream-progress").evaluate((el) => {
                const p = el as HTMLProgressElement;
                return p.value / p.max;
              });
              return sent === 10 && done === 10 && progress === 1;
            },
            "the stream counters to show 10 sent, 10 done and a full progress bar",
            200_000,
          );
          const failed = await dataValue(page, "stream-failed");
          if (failed > 0) {
            console.warn(`stream: ${failed} of 10 requests failed (${await page.getByTestId(
              "panel-auto",
            ).innerText()})`);
          }
          assert.ok(
            await dataValue(page, "stream-succeeded") >= 1,
            "at least one request succeeded",
          );
          await page.locator('[data-testid="stream-state"][data-state="finished"]').waitFor();
        },
      );

      await step("the sidebar shows every service healthy", async () => {
        for (const service of ["kafka", "mlflow", "ollama", "workers"]) {
          await page.locator(`[data-testid="health-${service}"][data-healthy="true"]`).waitFor({
            timeout: 20_000,
          });
        }
        await page.getByTestId("lag-llm-worker").waitFor({ state: "attached" });
      });

      await step(
        "Real-time Metrics shows KPIs, four charts and the 10 latest requests",
        async () => {
          await openTab(page, "metrics");
          for (
            const kpi of ["kpi-avg-latency", "kpi-avg-tokens", "kpi-success-rate", "kpi-total"]
          ) {
            const text = (await page.getByTestId(kpi).textContent())?.trim() ?? "";
            assert.ok(text !== "" && text !== "—", `${kpi} shows a value, found "${text}"`);
            assert.ok(Number.isFinite(await dataValue(page, kpi)), `${kpi} carries a number`);
          }
          // other clients of the stack may add responses meanwhile: poll until page and API agree
          let shown = NaN;
          let api = NaN;
          await waitFor(
            async () => {
              shown = await dataValue(page, "kpi-total");
              api = (await getJson<{ total: number }>(server.origin, "/api/metrics")).total;
              return shown === api;
            },
            "kpi-total to equal GET /api/metrics total",
            20_000,
          ).catch((e) => {
            throw new Error(`${e.message} (page ${shown}, API ${api})`);
          });
          assert.ok(shown >= 10, `kpi-total is at least 10, found ${shown}`);
          for (
            const chart of [
              "chart-latency-trend",
              "chart-status",
              "chart-tokens",
              "chart-response-length",
            ]
          ) {
            await expectChart(page, chart);
          }
          const rows = page.locator('[data-testid="recent-table"] tbody tr[data-request-id]');
          await waitFor(
            async () => await rows.count() === 10,
            "10 rows in the recent table",
            10_000,
          );
          await screenshot(page, "metrics");
        },
      );

      await step("Response Stream shows at least 10 cards with prompt and response", async () => {
        await openTab(page, "stream");
        const cards = page.getByTestId("response-card");
        await waitFor(async () => await cards.count() >= 10, "10 response cards", 20_000);
        const texts = await cards.evaluateAll((els) =>
          els.slice(0, 10).map((el) => ({
            prompt: el.querySelector('[data-testid="response-prompt"]')?.textContent ?? "",
            response: el.querySelector('[data-testid="response-text"]')?.textContent ?? "",
          }))
        );
        for (const [i, { prompt, response }] of texts.entries()) {
          assert.ok(prompt.trim(), `card ${i} shows its prompt`);
          assert.ok(response.trim(), `card ${i} shows its response`);
        }
        await cards.first().locator("summary").click();
        await cards.first().getByTestId("response-text").waitFor({ state: "visible" });
        await screenshot(page, "stream");
      });

      await step(
        "MLflow Tracking lists runs linked to the MLflow UI and draws two charts",
        async () => {
          await openTab(page, "mlflow");
          const rows = page.locator('[data-testid="runs-table"] tbody tr[data-run-id]');
          await waitFor(async () => await rows.count() > 0, "rows in the runs table", 30_000);
          const links = await page.getByTestId("run-link").evaluateAll((els) =>
            els.map((el) => (el as HTMLAnchorElement).getAttribute("href") ?? "")
          );
          assert.ok(links.length > 0, "the runs link to the MLflow UI");
          for (const href of links) {
            assert.ok(href.startsWith(`${mlflowUri}/`), `run link ${href} points at ${mlflowUri}`);
            assert.match(href, /#\/experiments\/[^/]+\/runs\/[0-9a-f]+$/);
          }
          const experiment = await page.getByTestId("mlflow-experiment-link").getAttribute("href");
          assert.ok(experiment?.startsWith(`${mlflowUri}/`), `experiment link ${experiment}`);
          await expectChart(page, "chart-mlflow-latency");
          await expectChart(page, "chart-mlflow-scatter");
          await screenshot(page, "mlflow");
        },
      );

      await step(
        "Drift Analysis with 10/10 windows shows verdict, tables and charts",
        async () => {
          await openTab(page, "drift");
          await page.getByTestId("drift-reference-size").fill("10");
          await page.getByTestId("drift-current-size").fill("10");
          await page.getByTestId("drift-apply").click();
          // A provisional report of the default windows may already show: wait for the verdict
          // of the applied ones.
          await page.getByTestId("drift-verdict")
            .filter({ hasText: /Reference 10 rows, current 10 rows/ })
            .waitFor({ timeout: 30_000 }).catch(async (e) => {
              throw new Error(`${e.message}\n${await page.getByTestId("panel-drift").innerText()}`);
            });
          const drift = await getJson<{ report: { columns: unknown[] } | null; windows: unknown }>(
            server.origin,
            "/api/drift",
          );
          assert.ok(drift.report, "GET /api/drift has a report");
          const verdict = (await page.getByTestId("drift-verdict").textContent()) ?? "";
          assert.match(verdict, /dataset drift/i);
          assert.match(verdict, /Reference 10 rows, current 10 rows/);
          const windowRows = await page.locator('[data-testid="drift-windows"] tbody tr')
            .allInnerTexts();
          assert.equal(windowRows.length, 2, `two windows: ${windowRows.join(" | ")}`);
          assert.match(
            windowRows[0],
            /Reference\s+first 10 responses\s+10 of 10\s+\d{4}-\d\d-\d\d /,
          );
          assert.match(
            windowRows[1],
            /Current\s+newest 10 responses\s+10 of 10\s+\d{4}-\d\d-\d\d /,
          );
          const verdicts = await page.locator('[data-testid="drift-table"] tbody tr').evaluateAll(
            (els) => els.map((el) => el.getAttribute("data-verdict")),
          );
          assert.equal(verdicts.length, drift.report.columns.length, "one row per drift column");
          assert.ok(verdicts.length > 0, "the drift table has rows");
          for (const v of verdicts) assert.ok(v, "every drift row carries data-verdict");
          await expectChart(page, "chart-drift-scores");
          await page.locator('[data-testid^="chart-distribution-"] svg').first().waitFor({
            state: "attached",
            timeout: 20_000,
          });
          const quality = await page.locator('[data-testid="quality-table"] tbody tr').count();
          assert.ok(quality > 0, "the data-quality table has rows");
          await screenshot(page, "drift");
        },
      );

      await step("Test LLM and Auto Streaming show their controls", async () => {
        await openTab(page, "test");
        for (
          const id of [
            "prompt-input",
            "model-select",
            "temperature-input",
            "max-tokens-input",
            "send-button",
          ]
        ) {
          await page.getByTestId(id).waitFor({ state: "visible" });
        }
        assert.ok(await page.getByTestId("quick-prompt").count() > 0, "quick prompts are offered");
        await page.locator('[data-testid="model-select"] option').first().waitFor({
          state: "attached",
        });
        assert.ok(
          (await page.getByTestId("model-select").inputValue()).length > 0,
          "a model is selected",
        );
        await screenshot(page, "test");

        await openTab(page, "auto");
        for (
          const id of [
            "stream-file",
            "stream-delay",
            "stream-max-tokens",
            "stream-loop",
            "stream-start",
            "stream-stop",
            "stream-sent",
            "stream-succeeded",
            "stream-failed",
            "stream-progress",
            "stream-state",
          ]
        ) {
          await page.getByTestId(id).waitFor({ state: "visible" });
        }
        assert.equal(await dataValue(page, "stream-sent"), 10);
        await screenshot(page, "auto");
      });

      await step("the worker has answered every queued request", async () => {
        // stream requests that the stream gave up on (response timeout) are still answered by the
        // worker; the next steps measure their own requests, not that queue
        await waitFor(async () => await workerLag(server.origin) === 0, "an idle worker", 240_000);
      });

      await step(
        "a response submitted elsewhere appears on the open page without reload",
        async () => {
          await openTab(page, "stream");
          const marker = crypto.randomUUID();
          await page.evaluate((m) => {
            (globalThis as unknown as { __liveMarker: string }).__liveMarker = m;
          }, marker);
          const loads = watch.loads.length;
          const id = await submit(server.origin, `Say hello (live check ${marker.slice(0, 8)})`, 8);
          await card(page, id).waitFor({ state: "attached", timeout: 90_000 });
          assert.equal(
            await page.evaluate(() =>
              (globalThis as unknown as { __liveMarker?: string }).__liveMarker
            ),
            marker,
            "the page was not reloaded",
          );
          assert.equal(watch.loads.length, loads, "no document was loaded again");
        },
      );

      await step("XSS payloads in prompts render as text on every tab", async () => {
        // one through the Test LLM form (first: the API submissions below use up the rate limit
        // that the page shares with this test's address)
        const ids = new Map<string, string>();
        const formPayload = XSS_PAYLOADS[0];
        await openTab(page, "test");
        const before = await page.getByTestId("test-request-id").count()
          ? await page.getByTestId("test-request-id").textContent()
          : null;
        await page.getByTestId("prompt-input").fill(formPayload);
        await page.getByTestId("max-tokens-input").fill("8");
        await page.getByTestId("send-button").click();
        const formId = await waitForNewRequestId(page, before);
        ids.set(formId, formPayload);
        for (const payload of XSS_PAYLOADS) {
          ids.set(await submit(server.origin, payload, 8), payload);
        }

        await openTab(page, "stream");
        await waitFor(
          async () => {
            const shown = await page.getByTestId("response-card").evaluateAll((els) =>
              els.map((el) => el.getAttribute("data-request-id"))
            );
            return [...ids.keys()].every((id) => shown.includes(id));
          },
          `the responses to ${ids.size} XSS prompts`,
          150_000,
        );

        const check = async (where: string) => {
          assert.deepEqual(watch.dialogs, [], `no dialog opened (${where})`);
          assert.deepEqual(await watch.scriptCalls(), [], `no alert/confirm/prompt ran (${where})`);
          assert.deepEqual(
            await page.evaluate(injectedElements),
            [],
            `no injected element (${where})`,
          );
        };

        // Response Stream: open every card, the prompt is the raw payload as text
        for (const [id, payload] of ids) {
          const c = card(page, id);
          await c.locator("summary").click();
          await c.getByTestId("response-prompt").waitFor({ state: "visible" });
          assert.equal(await c.getByTestId("response-prompt").textContent(), payload);
          assert.ok(
            (await c.locator("summary").textContent())?.includes(payload.slice(0, 100)),
            `the card summary shows the payload as text: ${payload}`,
          );
        }
        const listText = await page.getByTestId("response-list").textContent() ?? "";
        for (const payload of XSS_PAYLOADS) {
          assert.ok(listText.includes(payload), `the stream shows the literal text ${payload}`);
        }
        await check("Response Stream");
        await screenshot(page, "xss-stream");

        await openTab(page, "metrics");
        await page.locator('[data-testid="recent-table"] tbody tr[data-request-id]').first()
          .waitFor();
        await check("Real-time Metrics");

        await openTab(page, "mlflow");
        await page.locator('[data-testid="runs-table"] tbody tr[data-run-id]').first().waitFor();
        await check("MLflow Tracking");

        await openTab(page, "test");
        const history = page.locator(
          `[data-testid="test-history"] li[data-request-id="${formId}"]`,
        );
        await history.waitFor();
        assert.ok(
          (await history.textContent())?.includes(formPayload),
          "the Test LLM history shows the payload as text",
        );
        await page.locator('[data-testid="test-answer"][data-state="final"]').waitFor({
          timeout: 60_000,
        });
        await check("Test LLM");

        await openTab(page, "drift");
        await page.getByTestId("drift-table").waitFor();
        await check("Drift Analysis");

        await openTab(page, "auto");
        await check("Auto Streaming");
      });

      await step(
        "a Test LLM prompt comes back as a real answer and in Response Stream",
        async () => {
          await openTab(page, "test");
          const previous = await page.getByTestId("test-request-id").textContent();
          await page.getByTestId("prompt-input").fill("Explain machine learning in simple terms");
          await page.getByTestId("max-tokens-input").fill("24");
          await page.getByTestId("send-button").click();
          const id = await waitForNewRequestId(page, previous);
          const answer = page.locator('[data-testid="test-answer"][data-state="final"]');
          await answer.waitFor({ timeout: 120_000 });
          assert.equal(await page.getByTestId("test-request-id").textContent(), id);
          const text = (await answer.textContent())?.trim() ?? "";
          assert.ok(text.length > 0, "the answer has text");
          assert.match(await page.getByTestId("test-status").textContent() ?? "", /^Done in /);
          await screenshot(page, "test-answer");

          await openTab(page, "stream");
          const c = card(page, id);
          await c.waitFor({ state: "attached", timeout: 30_000 });
          assert.equal(
            (await c.getByTestId("response-text").textContent())?.trim(),
            text,
            "Response Stream shows the same answer",
          );
        },
      );

      await step(
        "no failed API call, console error, page error or dialog during the whole run",
        async () => {
          assert.deepEqual(watch.pageErrors, []);
          assert.deepEqual(watch.failedResponses, [], "no API call of the page failed");
          assert.deepEqual(watch.consoleErrors, []);
          assert.deepEqual(watch.dialogs, []);
          assert.deepEqual(await watch.scriptCalls(), []);
          assert.equal(watch.loads.length, 1, `one page load: ${watch.loads.join(", ")}`);
        },
      );
      await context.close();
    } finally {
      await browser.close().catch(() => {});
      const code = await server.stop();
      if (failed.length) {
        console.log(
          `failed: ${failed.join("; ")}\nserver output (tail):\n${server.output().slice(-6000)}`,
        );
      }
      console.log(
        `server stopped with code ${code}; total ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
    }
  },
});

/** The lag of the llm-worker group on llm.requests, from GET /api/health (null if unknown). */
async function workerLag(origin: string): Promise<number | null> {
  const health = await getJson<{ consumers: { group: string; lag: number | null }[] }>(
    origin,
    "/api/health",
  );
  return health.consumers.find((c) => c.group === "llm-worker")?.lag ?? null;
}

/** Waits until Test LLM shows a request id other than `previous` and returns it. */
async function waitForNewRequestId(page: Page, previous: string | null): Promise<string> {
  let id = "";
  await waitFor(
    async () => {
      const el = page.getByTestId("test-request-id");
      if (await el.count() === 0) return false;
      id = (await el.textContent())?.trim() ?? "";
      return UUID.test(id) && id !== previous;
    },
    "a new request id in Test LLM",
    20_000,
  );
  return id;
}
