/**
 * The first minutes, end to end: the real pipeline (consumers on Kafka, private topics, no LLM
 * worker) and app served on a free loopback port, response events produced to Kafka, and the
 * dashboard in Debian's Chromium.
 *
 * - with no worker in the group, `/api/health`, the Auto Streaming tab and the Test LLM tab say
 *   so in one sentence, and a prompt sent from Test LLM says it instead of waiting in silence;
 * - the bundled baseline gives a (provisional) drift report after the first 30 responses;
 * - back on the first responses, a provisional report after 60 (30 against 30);
 * - the full report after N + M = 400, no longer provisional;
 * each in `GET /api/drift` and on the Drift tab.
 *
 * The response events are synthetic (the statistics do not need a model); everything else is
 * real. Nothing touches the product's topics.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { fileURLToPath } from "node:url";
import { responses } from "../lib/drift/_llm_testing.ts";
import { BUNDLED_BASELINE } from "../lib/drift/mod.ts";
import { createKafka, EventProducer } from "../lib/kafka/mod.ts";
import { createTestTopics, INTEGRATION, integrationConfig, waitFor } from "../lib/stack/testing.ts";
import { createApp } from "./app.ts";
import { bundleClient, readStyles } from "./bundle.ts";
import { serveGuarded } from "./connection_guard.ts";
import { launchBrowser, watchPage } from "./_browser_page.ts";
import { Pipeline } from "./pipeline.ts";
import type { DriftBody } from "./ui/types.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const SCREENSHOTS = `${ROOT}test-artifacts/screenshots`;

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

async function drift(origin: string): Promise<DriftBody> {
  const res = await fetch(`${origin}/api/drift`);
  assert.equal(res.status, 200);
  return await res.json();
}

async function configure(origin: string, body: unknown): Promise<DriftBody> {
  const res = await fetch(`${origin}/api/drift/config`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  assert.equal(res.status, 200, JSON.stringify(json));
  return json;
}

/** Waits until /api/drift has a report with these row counts; returns it. */
async function reportWith(
  origin: string,
  rows: { reference: number; current: number },
): Promise<DriftBody> {
  let last: DriftBody | null = null;
  await waitFor(
    async () => {
      last = await drift(origin);
      return last.report !== null && last.report.reference_rows === rows.reference &&
        last.report.current_rows === rows.current;
    },
    `a drift report on ${rows.reference} and ${rows.current} rows`,
    60_000,
  ).catch((error) => {
    throw new Error(`${error.message}; last: ${JSON.stringify(last)?.slice(0, 400)}`);
  });
  return last!;
}

/** Reads the Drift tab's verdict: its provisional flag and note. */
async function tabVerdict(page: Page, provisional: boolean): Promise<string | null> {
  const verdict = page.getByTestId("drift-verdict");
  await page.locator(
    `[data-testid="drift-verdict"][data-provisional="${provisional}"]`,
  ).waitFor({ timeout: 120_000 }).catch(async (error) => {
    const shown = await verdict.innerText().catch(() => "(no verdict)");
    throw new Error(`${error.message}\nthe tab shows: ${shown}`);
  });
  assert.match(await verdict.innerText(), provisional ? /\(provisional\)/ : /dataset drift/i);
  const note = page.getByTestId("drift-provisional");
  return (await note.count()) ? await note.innerText() : null;
}

Deno.test({
  name: "with no worker the tabs say so; the Drift tab and /api/drift report provisionally " +
    "after 30 responses against the bundled baseline and after 60 on the first responses, and " +
    "in full after N + M",
  ...INTEGRATION,
  async fn() {
    const config = integrationConfig();
    const kafka = createKafka(config.kafka.brokers, "drift-browser-test");
    const made = await createTestTopics(kafka, ["requests", "responses", "alerts"]);
    const { alerts: alertsTopic, ...topics } = made.topics;
    const stateDir = await Deno.makeTempDir({ prefix: "first-minutes-" });
    const cleanup = async () => {
      await made.cleanup();
      await Deno.remove(stateDir, { recursive: true });
    };
    const producer = new EventProducer(kafka);
    await producer.connect();
    // the whole dashboard as serve runs it, alerting included (the tabs ask for its state)
    const pipeline = await Pipeline.start({
      config,
      port: 0,
      workers: 0,
      datasetsDir: `${ROOT}datasets`,
      topics,
      alerts: { topic: alertsTopic, file: `${stateDir}/alerts.json` },
    });
    const script = await bundleClient();
    const app = createApp(pipeline, {
      assets: { script: () => Promise.resolve(script), styles: readStyles },
    });
    let port = 0;
    const server = await serveGuarded(
      { hostname: "127.0.0.1", port: 0, onListen: (addr) => (port = addr.port) },
      (request, client) =>
        app.fetch(request, { remoteAddr: { hostname: client, port: 0, transport: "tcp" } }),
    );
    const origin = `http://127.0.0.1:${port}`;
    const browser = await launchBrowser();
    const events = [...responses(200, 61, false), ...responses(200, 62, false)];
    let sent = 0;
    const send = async (n: number) => {
      for (const event of events.slice(sent, sent + n)) {
        await producer.send(topics.responses, event.request_id, event);
      }
      sent += n;
    };
    await Deno.mkdir(SCREENSHOTS, { recursive: true });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const watch = await watchPage(page);
    try {
      // 0. no worker consumes the requests: one sentence wherever a request would wait
      const reason = `no LLM worker is consuming ${topics.requests}: start \`deno task serve\` ` +
        "or `deno task worker`";
      const health = await (await fetch(`${origin}/api/health`)).json();
      assert.equal(health.workers_reason, reason);
      await page.goto(`${origin}/#auto`);
      assert.equal(await page.getByTestId("stream-no-worker").innerText(), reason);
      await page.goto(`${origin}/#test`);
      assert.equal(await page.getByTestId("test-no-worker").innerText(), reason);
      await page.getByTestId("prompt-input").fill("Is anyone there?");
      await page.getByTestId("send-button").click();
      await page.locator('[data-testid="test-status"][data-stuck="true"]').waitFor();
      assert.equal(
        await page.getByTestId("test-status").innerText(),
        `Queued in Kafka, but ${reason}.`,
      );
      assert.equal(await page.getByTestId("test-answer").getAttribute("aria-busy"), "false");
      await screenshot(page, "first_minutes_test_no_worker");

      await page.goto(`${origin}/#drift`);
      await page.getByTestId("panel-drift").waitFor({ state: "visible" });

      // 1. the bundled baseline, chosen on the tab: a report after the first 30 responses
      await page.getByTestId("drift-baseline-bundled").click();
      await page.getByText("The bundled baseline is the reference now.").waitFor();
      const pinned = await drift(origin);
      assert.equal(pinned.report, null);
      assert.match("reason" in pinned ? pinned.reason : "", /needs 30 more for a first/);
      assert.match(
        await page.getByTestId("drift-windows").innerText(),
        new RegExp(`baseline: ${BUNDLED_BASELINE.file.replace(".", "\\.")}`),
      );
      await send(30);
      const baselineRows = (await Deno.readTextFile(`${ROOT}datasets/${BUNDLED_BASELINE.file}`))
        .trim().split("\n").length - 1;
      const first = await reportWith(origin, { reference: baselineRows, current: 30 });
      assert.equal(first.report && first.provisional, true);
      assert.equal(first.windows.reference.kind, "baseline");
      const columns = first.report!.columns.map((c) => c.column);
      for (const timing of ["latency_s", "ttft_s", "tokens_per_s"]) {
        assert.ok(!columns.includes(timing), `${timing} is not compared with the bundled baseline`);
      }
      assert.match(
        (await tabVerdict(page, true)) ?? "",
        new RegExp(`the baseline \\(${baselineRows} rows\\) against the newest 30 responses`),
      );

      // 2. back on the first responses: 30 held, a provisional report after 60 (30 against 30)
      await configure(origin, { baseline: null });
      const waiting = await drift(origin);
      assert.equal(waiting.report, null);
      assert.match("reason" in waiting ? waiting.reason : "", /needs 30 more for a first/);
      await send(30);
      const provisional = await reportWith(origin, { reference: 30, current: 30 });
      assert.equal(provisional.report && provisional.provisional, true);
      assert.equal(provisional.report && provisional.needed, 340);
      assert.equal(
        await tabVerdict(page, true),
        "Provisional report: the first 30 responses against the newest 30, while the windows " +
          "fill (340 more responses to fill them).",
      );
      await screenshot(page, "first_minutes_drift_provisional");

      // 3. N + M = 400: the full windows
      await send(340);
      const full = await reportWith(origin, { reference: 200, current: 200 });
      assert.equal(full.report && full.provisional, false);
      assert.equal(await tabVerdict(page, false), null, "no provisional note on a full report");
      assert.equal(
        await page.getByTestId("drift-table").locator("tbody tr").count(),
        full.report!.columns.length,
      );
      assert.deepEqual(watch.pageErrors, []);
      assert.deepEqual(watch.consoleErrors, []);
    } catch (error) {
      await screenshot(page, "first_minutes_failed").catch(() => {});
      throw new Error(
        `${(error as Error).message}\npage errors: ${watch.pageErrors.join("\n")}\n` +
          `console errors: ${watch.consoleErrors.join("\n")}`,
      );
    } finally {
      await browser.close();
      await server.shutdown();
      await pipeline.stop();
      await producer.disconnect();
      await cleanup();
    }
  },
});
