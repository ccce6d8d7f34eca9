/** export_responses.ts against the real Kafka, read back by the drift CLI. */
import assert from "node:assert/strict";
import { createKafka } from "../kafka/client.ts";
import { EventProducer } from "../kafka/producer.ts";
import { createTopicsReady, INTEGRATION, integrationConfig, uniqueName } from "../stack/testing.ts";
import { responses } from "../drift/_llm_testing.ts";
import { driftFromResponses } from "../drift/llm_report.ts";
import { parseCsv } from "../drift/table.ts";

const EXPORT = new URL("./export_responses.ts", import.meta.url).pathname;
const CLI = new URL("../drift/cli.ts", import.meta.url).pathname;

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "piped" })
    .output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("export_responses rejects bad arguments with exit code 2", async () => {
  const missing = await run(["run", "-A", EXPORT, "--last", "5"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /missing --out/);
  const bad = await run(["run", "-A", EXPORT, "--out", "x.csv", "--last", "0"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--last expects a positive integer/);
  const both = await run(["run", "-A", EXPORT, "--out", "x.csv", "--last", "3", "--first", "3"]);
  assert.equal(both.code, 2);
});

Deno.test({
  name: "export_responses writes CSVs of a topic that the drift CLI reads back to the same report",
  ...INTEGRATION,
  fn: async () => {
    const { kafka: config } = integrationConfig();
    const kafka = createKafka(config.brokers, "drift-export-test");
    const admin = kafka.admin();
    await admin.connect();
    const topic = uniqueName("drift-export-test");
    await createTopicsReady(admin, [topic], 3);
    const producer = new EventProducer(kafka);
    await producer.connect();
    const dir = await Deno.makeTempDir({ prefix: "drift_export_" });
    try {
      const normal = responses(30, 51, false);
      const shifted = responses(30, 52, true);
      await Promise.all([
        ...[...normal, ...shifted].map((e) => producer.send(topic, e.request_id, e)),
        producer.send(topic, "bad", "not an event"),
      ]);
      const ref = await run([
        "run",
        "-A",
        EXPORT,
        "--topic",
        topic,
        "--first",
        "30",
        "--out",
        `${dir}/reference.csv`,
      ]);
      assert.equal(ref.code, 0, ref.stderr);
      assert.match(ref.stderr, /wrote 30 responses .* \(skipped 1 invalid messages\)/);
      const cur = await run([
        "run",
        "-A",
        EXPORT,
        "--topic",
        topic,
        "--last",
        "30",
        "--out",
        `${dir}/current.csv`,
      ]);
      assert.equal(cur.code, 0, cur.stderr);
      const all = await run(["run", "-A", EXPORT, "--topic", topic, "--out", "-"]);
      assert.equal(all.code, 0, all.stderr);
      assert.equal(parseCsv(all.stdout).length, 60);

      const cli = await run([
        "run",
        "--allow-read",
        "--allow-env",
        CLI,
        "--reference",
        `${dir}/reference.csv`,
        "--current",
        `${dir}/current.csv`,
        "--json",
      ]);
      assert.equal(cli.code, 0, cli.stderr);
      const report = JSON.parse(cli.stdout);
      assert.equal(report.reference_rows, 30);
      assert.equal(report.current_rows, 30);
      assert.equal(report.dataset_drift, true);
      // the same numbers as the library computes from the events (in the exporter's order)
      assert.deepEqual(report, driftFromResponses(normal, shifted));
    } finally {
      await Deno.remove(dir, { recursive: true });
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
    }
  },
});
