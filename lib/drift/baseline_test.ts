/**
 * Baseline files, and the bundled baseline held against fresh traffic.
 *
 * `datasets/baseline_smollm2.csv` and `testdata/baseline_fresh_smollm2.csv` were both made by
 * `deno task baseline` (the second with `--out`): two independent runs of general_knowledge.json
 * through the bundled model. The fresh run stands for a new user's traffic: compared with the
 * bundled baseline window by window, it must not show dataset drift more often than the tests'
 * level (5 %).
 */
import assert from "node:assert/strict";
import { BUNDLED_BASELINE, parseBaseline, TIMING_COLUMNS, withoutTimings } from "./baseline.ts";
import { driftFromRows, LLM_COLUMNS } from "./llm_report.ts";
import { random } from "./_llm_testing.ts";

const ROOT = new URL("../../", import.meta.url);
const read = (path: string) => Deno.readTextFile(new URL(path, ROOT));
const bundled = parseBaseline(
  await read(`datasets/${BUNDLED_BASELINE.file}`),
  BUNDLED_BASELINE.file,
);
const fresh = parseBaseline(
  await read("lib/drift/testdata/baseline_fresh_smollm2.csv"),
  "baseline_fresh_smollm2.csv",
);
/** The tests' level: a p-value at or under it drifts. */
const LEVEL = 0.05;

Deno.test("a baseline CSV is read into every LLM column, and bad files are refused", () => {
  const rows = parseBaseline("response_chars,status\n120,success\n80,success\n", "b.csv");
  assert.equal(rows.length, 2);
  assert.deepEqual(Object.keys(rows[0]).sort(), [...LLM_COLUMNS].sort());
  assert.equal(rows[1].response_chars, 80);
  assert.equal(rows[1].latency_s, null);
  assert.throws(() => parseBaseline("response_chars\n", "empty.csv"), /empty\.csv.*none/);
  assert.throws(
    () => parseBaseline("response_chars,secret\n1,2\n", "odd.csv"),
    /odd\.csv to have LLM columns .* found secret/,
  );
  assert.deepEqual(withoutTimings([{ latency_s: 1, ttft_s: 2, tokens_per_s: 3, x: 4 }]), [{
    x: 4,
  }]);
});

Deno.test("the bundled baseline holds real answers of the bundled model to general_knowledge.json, without timings", async () => {
  assert.ok(bundled.length >= 100, `expected at least 100 answers, found ${bundled.length}`);
  const header = (await read(`datasets/${BUNDLED_BASELINE.file}`)).split("\n")[0].split(",");
  for (const timing of TIMING_COLUMNS) assert.ok(!header.includes(timing), timing);
  assert.ok(bundled.every((r) => r.model === BUNDLED_BASELINE.model && r.status === "success"));
  // every row answers a prompt of the dataset: its length is one of theirs
  const prompts: (string | { prompt: string })[] = JSON.parse(
    await read(`datasets/${BUNDLED_BASELINE.dataset}`),
  );
  const lengths = new Set(prompts.map((p) => [...(typeof p === "string" ? p : p.prompt)].length));
  assert.ok(bundled.every((r) => lengths.has(r.prompt_chars as number)));
  const answered = new Set(bundled.map((r) => r.prompt_chars));
  assert.equal(answered.size, lengths.size, "every prompt of the dataset is answered");
  assert.ok(bundled.every((r) => (r.completion_tokens as number) > 0));
});

Deno.test("fresh traffic of the same dataset shows dataset drift against the bundled baseline in at most 5% of windows", () => {
  assert.ok(fresh.length >= 30, `expected at least 30 fresh answers, found ${fresh.length}`);
  const windows: { name: string; rows: typeof fresh }[] = [];
  // every window of 30 consecutive answers (the first provisional report's size), in the order
  // they arrived, as a new user's traffic would fill the current window
  for (let start = 0; start + 30 <= fresh.length; start++) {
    windows.push({
      name: `answers ${start + 1}–${start + 30}`,
      rows: fresh.slice(start, start + 30),
    });
  }
  // and 200 random windows of 30 (seeded), so that a single unlucky stretch does not decide
  const r = random(2024);
  for (let i = 0; i < 200; i++) {
    const picked = [...fresh].map((row) => ({ row, key: r() })).sort((a, b) => a.key - b.key)
      .slice(0, 30).map((x) => x.row);
    windows.push({ name: `random window ${i + 1}`, rows: picked });
  }
  windows.push({ name: "all fresh answers", rows: fresh });
  const alarms: string[] = [];
  const columnAlarms = new Map<string, number>();
  for (const w of windows) {
    const report = driftFromRows(bundled, w.rows);
    for (const c of report.columns) {
      if (c.drifted) columnAlarms.set(c.column, (columnAlarms.get(c.column) ?? 0) + 1);
    }
    if (report.dataset_drift) alarms.push(`${w.name}: ${report.drifted_columns} columns`);
  }
  const rate = alarms.length / windows.length;
  const perColumn = [...columnAlarms].map(([c, n]) => `${c} ${(n / windows.length).toFixed(3)}`);
  assert.ok(
    rate <= LEVEL,
    `dataset drift in ${alarms.length} of ${windows.length} windows (${rate.toFixed(3)} > ` +
      `${LEVEL}): ${alarms.slice(0, 5).join("; ")}; per column: ${perColumn.join(", ")}`,
  );
});
