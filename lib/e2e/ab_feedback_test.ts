/**
 * Feedback, cost and A/B comparison end to end on the real stack: the dashboard's pipeline and
 * HTTP app in this process on topics and an MLflow experiment of this test's own, a real LLM
 * worker pricing every response from a test price table, an A/B stream of `deno task stream`
 * between the stack's two Ollama models, feedback through `POST /api/feedback` (one posted before
 * its request has a response, so before its MLflow run exists), the MLflow runs checked for the
 * tag `variant`, the metric `cost_usd` and the metric `feedback_score`, the dashboard's
 * comparison checked against `deno task compare` over `deno task export --compare`, and Chromium
 * clicking thumbs and running the Compare tab.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { LlmClient } from "../client/llm_client.ts";
import { LlmWorker, readResponses } from "../consumers/mod.ts";
import { runExport } from "../consumers/export_responses.ts";
import type { ResponseEvent } from "../events/mod.ts";
import { createKafka, EventProducer } from "../kafka/mod.ts";
import { parsePriceTable, priceOf } from "../llm/prices.ts";
import { MlflowClient, type MlflowRun, tagOf } from "../mlflow/mod.ts";
import { freePort } from "../stack/free_port.ts";
import { CONCISE_MODEL } from "../stack/ollama.ts";
import {
  createTestTopics,
  INTEGRATION,
  integrationConfig,
  uniqueName,
  waitFor,
} from "../stack/testing.ts";
import { runStreamCli } from "../stream/cli.ts";
import type { StreamSummary } from "../stream/engine.ts";
import { createApp } from "../../server/app.ts";
import { bundleClient, readStyles } from "../../server/bundle.ts";
import { serveGuarded } from "../../server/connection_guard.ts";
import { Pipeline } from "../../server/pipeline.ts";
import { launchBrowser, watchPage } from "../../server/_browser_page.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BASE_MODEL = "smollm2:135m";
const PRICES = parsePriceTable({
  version: "e2e-prices-1",
  models: {
    [BASE_MODEL]: { input_per_1m: 100, output_per_1m: 300 },
    [CONCISE_MODEL]: { usd_per_hour: 36, parallel: 2 },
  },
  hosted: [{ name: "hosted-x", input_per_1m: 1, output_per_1m: 2 }],
}, "e2e price table");
const STREAM_REQUESTS = 20;
const MAX_TOKENS = 12;

interface Compared {
  columns: string[];
  result: { columns: { column: string }[] } | null;
  reason: string | null;
  verdicts: string[];
  a: { rows: number };
  b: { rows: number };
}

Deno.test({
  name: "an A/B stream between the two Ollama models, with feedback and costs, reaches MLflow, " +
    "the dashboard, deno task compare and the browser",
  ...INTEGRATION,
  async fn(t) {
    const started = Date.now();
    const base = integrationConfig();
    const experiment = uniqueName("ab-feedback-e2e");
    const config = { ...base, mlflow: { ...base.mlflow, experiment } };
    const kafka = createKafka(config.kafka.brokers, "ab-feedback-e2e");
    const made = await createTestTopics(kafka, ["requests", "responses", "feedback", "alerts"]);
    const { alerts: alertsTopic, ...topics } = made.topics;
    const stateDir = await Deno.makeTempDir({ prefix: "ab-feedback-" });
    const cleanup = async () => {
      await made.cleanup();
      await Deno.remove(stateDir, { recursive: true });
    };
    const producer = new EventProducer(kafka);
    await producer.connect();
    const mlflow = new MlflowClient(config.mlflow.uri);
    const port = freePort();
    // no worker in the pipeline: the test starts its own once feedback waits for a run
    const pipeline = await Pipeline.start({
      config,
      port,
      workers: 0,
      datasetsDir: `${ROOT}datasets`,
      topics,
      prices: PRICES,
      // alerting on topics of its own, as serve runs it (the tabs ask for its state)
      alerts: { topic: alertsTopic, file: `${stateDir}/alerts.json` },
    });
    const worker = new LlmWorker({
      kafka: createKafka(config.kafka.brokers, "ab-feedback-e2e-worker"),
      producer,
      ollamaHost: config.ollama.host,
      concurrency: 2,
      topics,
      groupId: uniqueName("ab-feedback-worker"),
      prices: PRICES,
    });
    let script = "";
    const app = createApp(pipeline, {
      assets: { script: () => Promise.resolve(script), styles: readStyles },
      // every client of this test shares one address
      rateLimit: { perMinute: 6_000, burst: 200 },
    });
    const server = await serveGuarded(
      { hostname: "127.0.0.1", port, onListen: () => {} },
      (request, client) =>
        app.fetch(request, { remoteAddr: { hostname: client, port: 0, transport: "tcp" } }),
    );
    const origin = `http://127.0.0.1:${port}`;
    const api = async (path: string, body?: unknown) => {
      const res = await fetch(
        `${origin}${path}`,
        body === undefined ? {} : {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        },
      );
      return { status: res.status, body: await res.json() };
    };
    const runsOf = async (): Promise<Map<string, MlflowRun>> => {
      const id = await mlflow.getExperimentId(experiment);
      if (!id) return new Map();
      const runs = await mlflow.searchAllRuns({ experiment_ids: [id] });
      return new Map(runs.map((r) => [r.info.run_name ?? "", r]));
    };
    const metric = (run: MlflowRun | undefined, key: string) =>
      run?.data.metrics?.find((m) => m.key === key)?.value;
    let workerStarted = false;
    const failed: string[] = [];
    const step = async (name: string, fn: () => Promise<void>) => {
      const t0 = Date.now();
      const ok = await t.step(name, fn);
      console.log(`${ok ? "ok" : "FAILED"} ${((Date.now() - t0) / 1000).toFixed(1)} s: ${name}`);
      if (!ok) failed.push(name);
      return ok;
    };
    const lastScore = new Map<string, number>();
    let early = "";
    let summary: StreamSummary | null = null;
    let responses: ResponseEvent[] = [];
    try {
      await step(
        "feedback posted before the request has a response is accepted and waits for its run",
        async () => {
          const submitted = await api("/api/requests", {
            prompt: "Name one use of Apache Kafka.",
            model: BASE_MODEL,
            max_tokens: 8,
            temperature: 0,
          });
          assert.equal(submitted.status, 202);
          early = submitted.body.request_id;
          const fb = await api("/api/feedback", { request_id: early, score: 1, user_id: "ada" });
          assert.equal(fb.status, 202, JSON.stringify(fb.body));
          lastScore.set(early, 1);
          assert.equal((await runsOf()).has(early), false, "no worker has run: no MLflow run yet");
          await worker.start();
          workerStarted = true;
          await waitFor(
            async () => metric((await runsOf()).get(early), "feedback_score") === 1,
            "the early feedback to be logged on the run once the run exists",
            300_000,
          );
          const run = (await runsOf()).get(early)!;
          assert.equal(tagOf(run, "feedback"), "up");
          assert.equal(tagOf(run, "price_version"), PRICES.version);
        },
      );

      await step(
        "deno task stream --models splits 20 requests between the two models",
        async () => {
          const out: string[] = [];
          const err: string[] = [];
          const code = await runStreamCli([
            "--file",
            `${ROOT}datasets/quick_test.json`,
            "--models",
            `${BASE_MODEL},${CONCISE_MODEL}`,
            "--split",
            "50,50",
            "--seed",
            "7",
            "--count",
            String(STREAM_REQUESTS),
            "--loop",
            "--delay",
            "0",
            "--concurrency",
            "4",
            "--max-tokens",
            String(MAX_TOKENS),
            "--temperature",
            "0",
            "--timeout",
            "240",
            "--json",
          ], {
            connect: () =>
              LlmClient.connect({
                config,
                kafka,
                source: "stream",
                topics,
                clientId: "ab-e2e-stream",
              }),
            stdout: (text) => out.push(text),
            stderr: (text) => err.push(text),
            terminal: false,
            progressIntervalMs: 60_000,
          });
          assert.equal(code, 0, err.join(""));
          summary = JSON.parse(out.join("").trim().split("\n").at(-1)!) as StreamSummary;
          const ab = summary.ab!;
          assert.equal(summary.sent, STREAM_REQUESTS);
          assert.equal(ab.seed, 7);
          assert.deepEqual(ab.variants.map((v) => v.name), [BASE_MODEL, CONCISE_MODEL]);
          assert.equal(ab.variants[0].sent + ab.variants[1].sent, STREAM_REQUESTS);
          assert.ok(ab.variants.every((v) => v.sent >= 3), JSON.stringify(ab.variants));
          assert.ok(ab.variants.every((v) => v.cost_usd !== null), "both variants are priced");
          const [comparison] = ab.comparisons;
          assert.ok(comparison.result, comparison.reason ?? "");
          assert.equal(comparison.verdicts.length, comparison.columns.length);
          assert.ok(
            comparison.columns.includes("latency_s") && comparison.columns.includes("cost_usd"),
          );
          console.log(`A/B summary:\n  ${comparison.verdicts.join("\n  ")}`);
          ({ events: responses } = await readResponses(kafka, { topic: topics.responses }));
          assert.equal(new Set(responses.map((r) => r.request_id)).size, STREAM_REQUESTS + 1);
        },
      );

      await step(
        "feedback on some calls: the last per user counts, bad feedback is a 400 naming the field",
        async () => {
          const ids = summary!.request_ids;
          const plan: [string, string, number][] = [
            [ids[0], "ada", -1],
            [ids[0], "ada", 1], // ada changes her mind: the last counts
            [ids[1], "ada", -1],
            [ids[2], "bob", 1],
            [ids[3], "bob", 0.25],
            [ids[4], "ada", 1],
            [ids[5], "bob", -1],
          ];
          for (const [request_id, user_id, score] of plan) {
            const res = await api("/api/feedback", { request_id, user_id, score, comment: "e2e" });
            assert.equal(res.status, 202, JSON.stringify(res.body));
            lastScore.set(request_id, score);
          }
          const unknown = await api("/api/feedback", { request_id: crypto.randomUUID(), score: 1 });
          assert.equal(unknown.status, 400);
          assert.match(unknown.body.error.message, /^request_id: no request .* has been seen/);
          const badScore = await api("/api/feedback", { request_id: ids[0], score: 3 });
          assert.equal(badScore.status, 400);
          assert.match(badScore.body.error.message, /^score: /);
          const long = await api("/api/feedback", {
            request_id: ids[0],
            score: 1,
            comment: "x".repeat(2_001),
          });
          assert.equal(long.status, 400);
          assert.match(long.body.error.message, /^comment: must be at most 2000 characters/);
        },
      );

      await step("every MLflow run carries its variant, its cost and its feedback", async () => {
        await waitFor(
          async () => {
            const runs = await runsOf();
            return [...lastScore].every(([id, score]) =>
              metric(runs.get(id), "feedback_score") === score
            ) &&
              responses.every((r) =>
                runs.get(r.request_id)?.info.status !== "RUNNING" && runs.has(r.request_id)
              );
          },
          "every run, with every feedback logged",
          300_000,
        );
        const runs = await runsOf();
        for (const r of responses) {
          const run = runs.get(r.request_id)!;
          const expected = priceOf(r, PRICES)!.cost_usd;
          assert.equal(r.cost_usd, expected, "the worker priced the response from the table");
          assert.equal(metric(run, "cost_usd"), expected, `cost_usd of ${r.request_id}`);
          assert.equal(tagOf(run, "price_version"), PRICES.version);
          if (r.request_id !== early) {
            assert.equal(tagOf(run, "variant"), r.model, "the variant is the model with --models");
          }
        }
        assert.equal(tagOf(runs.get(summary!.request_ids[3])!, "feedback"), "rating");
        assert.equal(tagOf(runs.get(summary!.request_ids[5])!, "feedback"), "down");
      });

      await step("the dashboard's KPIs count the costs and the feedback", async () => {
        await waitFor(
          () => pipeline.metrics().feedback!.count === lastScore.size,
          `${lastScore.size} counted feedbacks (one per request and user)`,
          30_000,
        );
        const m = pipeline.metrics();
        const total = responses.reduce((s, r) => s + r.cost_usd!, 0);
        assert.ok(Math.abs(m.cost!.total_usd - total) < 1e-12, `${m.cost!.total_usd} vs ${total}`);
        assert.equal(m.cost!.priced_calls, responses.length);
        assert.deepEqual(m.cost!.price_versions, [PRICES.version]);
        assert.deepEqual(Object.keys(m.cost!.per_model).sort(), [BASE_MODEL, CONCISE_MODEL]);
        assert.equal(m.cost!.hosted[0].name, "hosted-x");
        const f = m.feedback!;
        // a thumb up or a rating of at least 0.5 is favourable
        const up = [...lastScore.values()].filter((s) => s === 1 || (s !== -1 && s >= 0.5)).length;
        assert.equal(f.count, lastScore.size);
        assert.equal(f.up, up);
        assert.equal(
          Object.values(f.per_model).reduce((s, g) => s + g.count, 0),
          lastScore.size,
          "every feedback is attributed to a model",
        );
      });

      await step(
        "the dashboard's comparison equals deno task compare on the exported rows",
        async () => {
          await waitFor(
            () => pipeline.comparisonWindow().rows.length === STREAM_REQUESTS + 1,
            "every response in the dashboard's comparison window",
            30_000,
          );
          const query = `/api/compare?by=variant&a=${encodeURIComponent(BASE_MODEL)}&b=${
            encodeURIComponent(CONCISE_MODEL)
          }`;
          const dashboard = (await api(query)).body as Compared;
          assert.ok(dashboard.result, dashboard.reason ?? "");
          assert.equal(dashboard.a.rows + dashboard.b.rows, STREAM_REQUESTS);
          assert.ok(dashboard.columns.includes("feedback_score"), dashboard.columns.join(","));
          const dir = await Deno.makeTempDir({ prefix: "ab_e2e_" });
          try {
            const env = { KAFKA_BROKERS: config.kafka.brokers.join(",") };
            for (const [side, variant] of [["a", BASE_MODEL], ["b", CONCISE_MODEL]]) {
              await runExport([
                "--compare",
                "--topic",
                topics.responses,
                "--feedback-topic",
                topics.feedback,
                "--variant",
                variant,
                "--out",
                `${dir}/${side}.csv`,
              ], env);
            }
            const cli = await new Deno.Command(Deno.execPath(), {
              args: [
                "task",
                "compare",
                "--a",
                `${dir}/a.csv`,
                "--b",
                `${dir}/b.csv`,
                "--columns",
                dashboard.columns.join(","),
                "--json",
              ],
              cwd: ROOT,
              stdout: "piped",
              stderr: "piped",
            }).output();
            const stderr = new TextDecoder().decode(cli.stderr);
            assert.equal(cli.code, 0, stderr);
            const fromCli = JSON.parse(new TextDecoder().decode(cli.stdout));
            assert.deepEqual(fromCli, dashboard.result, "the same numbers, test by test");
          } finally {
            await Deno.remove(dir, { recursive: true });
          }
        },
      );

      await step(
        "Chromium: thumbs on a Response Stream card and under a Test LLM answer, and the Compare tab",
        async () => {
          script = await bundleClient();
          const browser = await launchBrowser();
          try {
            const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
            page.setDefaultTimeout(30_000);
            const watch = await watchPage(page);
            await page.goto(`${origin}/#stream`);
            const target = summary!.request_ids[10];
            const card = page.getByTestId("panel-stream").locator(
              `[data-testid="response-card"][data-request-id="${target}"]`,
            );
            await card.locator("summary").click();
            const thumbs = card.getByTestId("feedback");
            await thumbs.getByTestId("thumb-up").click();
            // the state comes back from llm.feedback through the server's live events
            await card.locator('[data-testid="feedback"][data-state="up"]').waitFor();
            await waitFor(
              () => pipeline.metrics().feedback!.count === lastScore.size + 1,
              "the browser's feedback counted",
              30_000,
            );
            lastScore.set(target, 1);

            await page.getByTestId("tab-test").click();
            await page.getByTestId("prompt-input").fill("Say hello.");
            await page.getByTestId("max-tokens-input").fill("6");
            await page.getByTestId("send-button").click();
            await page.locator('[data-testid="test-answer"][data-state="final"]').waitFor({
              timeout: 300_000,
            });
            const answerId = (await page.getByTestId("test-request-id").textContent())!.trim();
            const testPanel = page.getByTestId("panel-test");
            const under = testPanel.locator(
              `[data-testid="feedback"][data-request-id="${answerId}"]`,
            );
            await under.getByTestId("thumb-down").click();
            await testPanel.locator(
              `[data-testid="feedback"][data-request-id="${answerId}"][data-state="down"]`,
            ).waitFor();
            assert.equal(
              await under.getByTestId("thumb-down").getAttribute("aria-pressed"),
              "true",
            );
            lastScore.set(answerId, -1);

            await page.getByTestId("tab-metrics").click();
            await waitFor(
              async () =>
                Number(await page.getByTestId("kpi-feedback-count").getAttribute("data-value")) ===
                  lastScore.size,
              "the feedback KPI",
              30_000,
            );
            assert.ok(
              Number(await page.getByTestId("kpi-cost-total").getAttribute("data-value")) > 0,
            );
            await page.locator('[data-testid="chart-feedback-trend"] svg').first().waitFor({
              state: "attached",
            });

            await page.getByTestId("tab-compare").click();
            await page.locator('[data-testid="compare-by"]').waitFor();
            await waitFor(
              async () => await page.getByTestId("compare-by").inputValue() === "variant",
              "variants chosen by default",
              20_000,
            );
            await page.getByTestId("compare-a").selectOption(BASE_MODEL);
            await page.getByTestId("compare-b").selectOption(CONCISE_MODEL);
            await page.getByTestId("compare-run").click();
            await page.getByTestId("compare-verdicts").waitFor();
            const shown = await page.getByTestId("compare-verdict").allTextContents();
            const expected = (await api(
              `/api/compare?by=variant&a=${encodeURIComponent(BASE_MODEL)}&b=${
                encodeURIComponent(CONCISE_MODEL)
              }`,
            )).body as Compared;
            assert.deepEqual(shown.map((s) => s.trim()), expected.verdicts);
            assert.equal(
              await page.locator('[data-testid="compare-table"] tbody tr').count(),
              expected.columns.length,
            );
            await page.locator('[data-testid="chart-compare-differences"] svg').first().waitFor({
              state: "attached",
            });
            await page.locator('[data-testid="chart-compare-rates"] svg').first().waitFor({
              state: "attached",
            });
            assert.deepEqual(watch.pageErrors, []);
            assert.deepEqual(watch.consoleErrors, []);
            assert.deepEqual(watch.failedResponses, []);
          } finally {
            await browser.close().catch(() => {});
          }
          await waitFor(
            async () => {
              const runs = await runsOf();
              return [...lastScore].every(([id, score]) =>
                metric(runs.get(id), "feedback_score") === score
              );
            },
            "the browser's feedback on the MLflow runs",
            300_000,
          );
        },
      );
    } finally {
      await server.shutdown().catch(() => {});
      if (workerStarted) await worker.stop().catch(() => {});
      await pipeline.stop().catch(() => {});
      await producer.disconnect().catch(() => {});
      await cleanup();
      const id = await mlflow.getExperimentId(experiment).catch(() => null);
      if (id) {
        await fetch(`${config.mlflow.uri}/api/2.0/mlflow/experiments/delete`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ experiment_id: id }),
        }).then((r) => r.body?.cancel()).catch(() => {});
      }
      console.log(
        `total ${((Date.now() - started) / 1000).toFixed(1)} s; failed: ${
          failed.join("; ") || "none"
        }`,
      );
    }
  },
});
