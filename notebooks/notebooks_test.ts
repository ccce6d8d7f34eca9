/**
 * Every notebook runs top to bottom, headless, with the Deno kernel against the real stack; each
 * plotting cell (tagged "plot") shows an SVG or HTML chart; and the KPIs notebook 01 computes
 * equal those that the server's metrics API returns for the same data.
 */
import assert from "node:assert/strict";
import { executeNotebook } from "../lib/stack/jupyter.ts";
import { serviceEnv } from "../lib/stack/config.ts";
import { createKafka, EventProducer } from "../lib/kafka/mod.ts";
import { MlflowClient } from "../lib/mlflow/mod.ts";
import { MlflowSink, readResponses } from "../lib/consumers/mod.ts";
import { INTEGRATION, integrationConfig, waitFor } from "../lib/stack/testing.ts";
import { assertClose } from "../lib/drift/_test_utils.ts";
import { createApp } from "../server/app.ts";
import { Pipeline } from "../server/pipeline.ts";

const DIR = new URL(".", import.meta.url).pathname;
// 04 first: it sends the traffic that the others read.
const NOTEBOOKS = [
  "04_load_test",
  "01_live_metrics",
  "02_drift_analysis",
  "03_mlflow_experiments",
  "05_alerts",
];

interface Cell {
  cell_type: string;
  metadata: { tags?: string[] };
  outputs?: { output_type: string; data?: Record<string, unknown>; ename?: string }[];
}

Deno.test({
  name: "every notebook runs headless with the Deno kernel and its plotting cells show charts",
  ...INTEGRATION,
  fn: async (t) => {
    const config = integrationConfig();
    const kafka = createKafka(config.kafka.brokers, "notebooks-test");
    const producer = new EventProducer(kafka);
    await producer.connect();
    // The MLflow sink logs the traffic notebook 04 sends, for notebook 03.
    const sink = new MlflowSink({ kafka, dlq: producer, mlflow: new MlflowClient(config.mlflow.uri), experiment: config.mlflow.experiment });
    await sink.start();
    const outDir = await Deno.makeTempDir({ prefix: "notebooks-" });
    const executed: Record<string, { cells: Cell[] }> = {};
    try {
      for (const name of NOTEBOOKS) {
        await t.step(name, async () => {
          const output = `${outDir}/${name}.ipynb`;
          await executeNotebook(config, `${DIR}${name}.ipynb`, { outputPath: output, cellTimeoutS: 300, env: serviceEnv(config) });
          const notebook = JSON.parse(await Deno.readTextFile(output)) as { cells: Cell[] };
          executed[name] = notebook;
          const code = notebook.cells.filter((c) => c.cell_type === "code");
          for (const cell of code) {
            assert.ok(!cell.outputs?.some((o) => o.output_type === "error"), `${name}: a cell failed`);
          }
          const plots = code.filter((c) => c.metadata.tags?.includes("plot"));
          assert.ok(plots.length >= 1, `${name} has no plotting cell`);
          for (const [i, cell] of plots.entries()) {
            const charts = (cell.outputs ?? []).filter((o) => o.data?.["image/svg+xml"] || String(o.data?.["text/html"] ?? "").includes("<svg"));
            assert.ok(charts.length >= 1, `${name}: plotting cell ${i} produced no SVG or HTML chart`);
          }
        });
      }
    } finally {
      await sink.stop();
      await producer.disconnect();
    }

    await t.step("the KPIs of notebook 01 equal the server's /api/metrics for the same data", async () => {
      // The Deno kernel sometimes publishes a display after reporting the cell done, and
      // nbclient then drops it: run notebook 01 again (at most twice more) until the KPIs show.
      const kpisOf = (notebook: { cells: Cell[] }) =>
        notebook.cells.find((c) => c.metadata.tags?.includes("kpis"))?.outputs
          ?.find((o) => o.data?.["application/json"])?.data?.["application/json"] as
          | Record<string, number | null>
          | undefined;
      let kpis = kpisOf(executed["01_live_metrics"]);
      for (let attempt = 0; !kpis && attempt < 2; attempt++) {
        const output = `${outDir}/01_again_${attempt}.ipynb`;
        await executeNotebook(config, `${DIR}01_live_metrics.ipynb`, { outputPath: output, cellTimeoutS: 300, env: serviceEnv(config) });
        kpis = kpisOf(JSON.parse(await Deno.readTextFile(output)));
      }
      assert.ok(kpis, "notebook 01 displayed no KPIs in three runs");
      // At-least-once delivery may repeat a response; the aggregates count each request once.
      const onTopic = new Set((await readResponses(kafka)).events.map((r) => r.request_id)).size;
      assert.equal(kpis.total_requests, onTopic, "notebook 01 read every response on the topic");
      assert.ok(onTopic >= 5, "notebook 04 sent traffic");
      const port = 40_000 + Math.floor(Math.random() * 10_000);
      const pipeline = await Pipeline.start({ config, port, workers: 0, datasetsDir: `${DIR}../datasets` });
      try {
        await waitFor(
          () => pipeline.metrics().total === onTopic,
          `the server to ingest ${onTopic} responses (it has ${pipeline.metrics().total}; other traffic on the topic meanwhile breaks this check)`,
        );
        const app = createApp(pipeline, { assets: { script: () => Promise.resolve(""), styles: () => Promise.resolve("") } });
        const api = await (await app.request("/api/metrics")).json();
        // Sums over the same values in another order (partitions interleave differently for
        // the two readers) may differ in the last bits, so compare to 1e-9 relative.
        assertKpisEqual(kpis, {
          total_requests: api.total,
          avg_latency_s: api.avg_latency_s,
          avg_tokens: api.avg_tokens,
          success_rate: api.success_rate,
          latency_p50_s: api.latency_s.p50,
          latency_p95_s: api.latency_s.p95,
          latency_p99_s: api.latency_s.p99,
          ttft_p50_s: api.ttft_s.p50,
          ttft_p95_s: api.ttft_s.p95,
          ttft_p99_s: api.ttft_s.p99,
        });
      } finally {
        await pipeline.stop();
      }
    });
    await Deno.remove(outDir, { recursive: true });
  },
});

/** The two KPI records have the same keys and the same values up to float rounding. */
function assertKpisEqual(
  actual: Record<string, number | null>,
  expected: Record<string, number | null>,
): void {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), "the same KPIs");
  for (const [key, want] of Object.entries(expected)) {
    assertClose(actual[key], want, 1e-9, 1e-9, `${key} (notebook vs server)`);
  }
}
