/**
 * The pure parts of the benchmarks: percentiles and summaries, the results document and its
 * table, the command line, the SSE reader and the generated events. No timed assertions: the
 * benchmarks themselves never fail on a number.
 */
import assert from "node:assert/strict";
import { parseResponseEvent } from "../lib/events/mod.ts";
import { parseArgs } from "./_args.ts";
import { benchResponse, seededRandom } from "./_data.ts";
import { BENCHMARKS, buildResults, emptyFigures, machineInfo, writeResults } from "./_results.ts";
import { summarize } from "./_stats.ts";
import { formatTable, tableRows } from "./_table.ts";
import { readSse } from "./freshness.ts";
import { driftEvents } from "./drift.ts";

const machine = { cores: 2, memory_gb: 23.5, date: "2026-11-27T20:00:00.000Z" };
const meta = { quick: true, machine, notes: {} };

Deno.test("summarize sorts a copy and gives count, extremes, mean and percentiles", () => {
  const values = [5, 1, 4, 2, 3];
  const s = summarize(values);
  assert.deepEqual(values, [5, 1, 4, 2, 3]);
  assert.equal(s.n, 5);
  assert.equal(s.min, 1);
  assert.equal(s.max, 5);
  assert.equal(s.mean, 3);
  assert.equal(s.p50, 3);
  assert.ok(Math.abs(s.p99 - 4.96) < 1e-9);
  assert.ok(Math.abs(s.p90 - 4.6) < 1e-9);
  const negative = summarize([-2, -1]);
  assert.equal(negative.p50, -1.5);
});

Deno.test("summarize rejects empty and non-finite samples", () => {
  assert.throws(() => summarize([]), RangeError);
  assert.throws(() => summarize([1, Number.NaN]), /finite values, found NaN/);
  assert.throws(() => summarize([Infinity]), RangeError);
});

Deno.test("buildResults has every figure, null where not measured, plus machine and mode", () => {
  const doc = buildResults({ ingest: { events_per_s: 41051.23456, ratio: 0.28412 } }, meta);
  assert.deepEqual(Object.keys(doc), [
    "ingest",
    "freshness_ms",
    "overhead_ms",
    "drift",
    "mlflow",
    "memory",
    "gateway",
    "otlp",
    "llm",
    "machine",
    "quick",
    "notes",
  ]);
  assert.deepEqual(doc.ingest, { events_per_s: 41051.235, raw_events_per_s: null, ratio: 0.284 });
  assert.deepEqual(doc.freshness_ms, { p50: null, p99: null });
  assert.deepEqual(Object.keys(doc.drift), ["ms", "scipy_ms", "ratio", "evidently_ms"]);
  assert.deepEqual(Object.keys(doc.mlflow), [
    "runs_per_s",
    "naive_runs_per_s",
    "ratio",
    "runs_per_s_postgresql",
  ]);
  assert.deepEqual(Object.keys(doc.memory), ["rss_mb_start", "rss_mb_warm", "rss_mb_end"]);
  assert.deepEqual(doc.llm, {
    calls_per_s: null,
    direct_calls_per_s: null,
    throughput_ratio: null,
  });
  assert.equal(doc.quick, true);
  assert.deepEqual(doc.machine, machine);
});

Deno.test("buildResults rejects unknown figures and values that are not finite numbers", () => {
  assert.throws(
    () => buildResults({ ingest: { speed: 1 } } as never, meta),
    /Unknown figure "ingest.speed"/,
  );
  assert.throws(() => buildResults({ nope: {} } as never, meta), /Unknown results section/);
  assert.throws(
    () => buildResults({ drift: { ms: Number.NaN } }, meta),
    /drift.ms to be a finite number or null, found NaN/,
  );
  assert.throws(() => buildResults({ drift: { ms: "3" as never } }, meta), TypeError);
});

Deno.test("writeResults writes JSON that reads back as the same document", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const doc = buildResults(
      { memory: { rss_mb_start: 60.5, rss_mb_end: 80.25 } },
      { ...meta, notes: { "drift.evidently_ms": "not installed" } },
    );
    await writeResults(`${dir}/results.json`, doc);
    const text = await Deno.readTextFile(`${dir}/results.json`);
    assert.ok(text.endsWith("}\n"));
    assert.deepEqual(JSON.parse(text), doc);
    assert.equal(JSON.parse(text).notes["drift.evidently_ms"], "not installed");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("machineInfo names the cores, the memory in GB and the ISO date", () => {
  const info = machineInfo(new Date(Date.UTC(2026, 10, 27)));
  assert.equal(info.date, "2026-11-27T00:00:00.000Z");
  assert.ok(Number.isInteger(info.cores) && info.cores >= 1);
  assert.ok(info.memory_gb > 0);
});

Deno.test("tableRows judges each target: met, not met, or n/a without a figure", () => {
  const status = (measured: Parameters<typeof buildResults>[0], figure: string) =>
    tableRows(buildResults(measured, meta)).find((r) => r.figure === figure)!.status;
  assert.equal(status({ ingest: { ratio: 0.5 } }, "ingest.ratio"), "met");
  assert.equal(status({ ingest: { ratio: 0.49 } }, "ingest.ratio"), "not met");
  assert.equal(status({}, "ingest.ratio"), "n/a");
  assert.equal(status({ ingest: { events_per_s: 69_999 } }, "ingest.events_per_s"), "not met");
  assert.equal(status({ ingest: { events_per_s: 70_000 } }, "ingest.events_per_s"), "met");
  assert.equal(status({ freshness_ms: { p99: 999 } }, "freshness_ms.p99"), "met");
  assert.equal(status({ freshness_ms: { p99: 1000 } }, "freshness_ms.p99"), "not met");
  assert.equal(
    status({ overhead_ms: { in_process_p99: 0.4 } }, "overhead_ms.in_process_p99"),
    "met",
  );
  assert.equal(status({ drift: { ratio: 0.99 } }, "drift.ratio"), "not met");
  assert.equal(status({ drift: { ms: 100, evidently_ms: 1000 } }, "drift.evidently_ms"), "met");
  assert.equal(status({ drift: { ms: 100, evidently_ms: 999 } }, "drift.evidently_ms"), "not met");
  assert.equal(status({ drift: { ms: 100 } }, "drift.evidently_ms"), "n/a");
  assert.equal(status({ mlflow: { ratio: 10 } }, "mlflow.ratio"), "met");
  assert.equal(status({ mlflow: { ratio: 9.99 } }, "mlflow.ratio"), "not met");
  assert.equal(status({ mlflow: { runs_per_s: 40 } }, "mlflow.runs_per_s"), "met");
  assert.equal(status({ mlflow: { runs_per_s: 39.9 } }, "mlflow.runs_per_s"), "not met");
  assert.equal(
    status({ mlflow: { runs_per_s_postgresql: 9 } }, "mlflow.runs_per_s_postgresql"),
    "",
  );
  // memory: the growth from warm (after the first tenth) to the end
  assert.equal(
    status(
      { memory: { rss_mb_start: 20, rss_mb_warm: 60, rss_mb_end: 84.9 } },
      "memory.rss_mb_end",
    ),
    "met",
  );
  assert.equal(
    status({ memory: { rss_mb_start: 59, rss_mb_warm: 60, rss_mb_end: 85 } }, "memory.rss_mb_end"),
    "not met",
  );
  assert.equal(
    status({ memory: { rss_mb_start: 60, rss_mb_end: 61 } }, "memory.rss_mb_end"),
    "n/a",
  );
  assert.equal(status({ llm: { throughput_ratio: 0.95 } }, "llm.throughput_ratio"), "met");
  assert.equal(status({ llm: { throughput_ratio: 0.94 } }, "llm.throughput_ratio"), "not met");
  // Figures without a target have no status.
  assert.equal(status({ drift: { scipy_ms: 5 } }, "drift.scipy_ms"), "");
});

Deno.test("formatTable aligns a header, a rule and one line per figure", () => {
  const rows = tableRows(emptyFigures());
  const lines = formatTable(rows).split("\n");
  assert.equal(lines.length, rows.length + 2);
  assert.match(lines[0], /^figure\s+value\s+target\s+status$/);
  assert.match(lines[1], /^-+$/);
  assert.match(lines[2], /^ingest\.events_per_s\s+—\s+≥ 70,000\s+n\/a$/);
  const text = formatTable(tableRows(buildResults({ ingest: { events_per_s: 41051.2 } }, meta)));
  assert.match(text, /41,051 ev\/s/);
});

Deno.test("parseArgs reads --quick, --only (in run order) and --out, and rejects the unknown", () => {
  assert.deepEqual(parseArgs([], "r.json"), { quick: false, only: [...BENCHMARKS], out: "r.json" });
  const a = parseArgs(["--quick", "--only", "drift,ingest", "--out=/tmp/x.json"]);
  assert.deepEqual(a, { quick: true, only: ["ingest", "drift"], out: "/tmp/x.json" });
  assert.deepEqual(parseArgs(["--only=memory"]).only, ["memory"]);
  assert.throws(() => parseArgs(["--only", "speed"]), /Unknown benchmark "speed"/);
  assert.throws(() => parseArgs(["--fast"]), /Unknown argument "--fast"/);
  assert.throws(() => parseArgs(["--only"]), /--only needs a value/);
});

Deno.test("readSse splits frames across chunk boundaries and joins data lines", async () => {
  const chunks = [
    'event: metrics\ndata: {"a":1}\nid: 1\n\nevent: resp',
    'onse\ndata: {"b":\ndata: 2}\n\n',
    ": comment\ndata: plain\n\n",
  ];
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(new TextEncoder().encode(c));
      controller.close();
    },
  });
  const seen: [string, string][] = [];
  await readSse(body, (event, data) => seen.push([event, data]));
  assert.deepEqual(seen, [
    ["metrics", '{"a":1}'],
    ["response", '{"b":\n2}'],
    ["message", "plain"],
  ]);
});

Deno.test("generated events are valid, deterministic in their figures, and unique by id", () => {
  const a = seededRandom(9);
  const b = seededRandom(9);
  const first = Array.from({ length: 50 }, (_, i) => benchResponse(i, a));
  const second = Array.from({ length: 50 }, (_, i) => benchResponse(i, b));
  for (const e of first) parseResponseEvent(JSON.parse(JSON.stringify(e)));
  assert.deepEqual(first.map((e) => e.latency_ms), second.map((e) => e.latency_ms));
  assert.equal(new Set(first.map((e) => e.request_id)).size, 50);
  assert.ok(first.some((e) => e.status === "error"));
  const ref = driftEvents(200, 1, 0);
  assert.deepEqual(ref, driftEvents(200, 1, 0));
  assert.notDeepEqual(ref, driftEvents(200, 2, 1));
});

Deno.test("readSse ends on abort even while a read is waiting on a stream that stays open", async () => {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode("event: response\ndata: 1\n\n"));
      // never closed: like an SSE stream whose server keeps the connection open
    },
  });
  const abort = new AbortController();
  const seen: string[] = [];
  const reading = readSse(body, (_, data) => seen.push(data), abort.signal);
  await new Promise((resolve) => setTimeout(resolve, 20));
  abort.abort();
  await reading;
  assert.deepEqual(seen, ["1"]);
});
