/**
 * The demo: its pieces (arguments, narration, drift lines) and `deno task demo --fast` end to end
 * against the running stack (it starts its own dashboard on a free port and stops it).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { freePort } from "../stack/free_port.ts";
import { INTEGRATION, integrationConfig } from "../stack/testing.ts";
import { parseDemoArgs } from "./cli.ts";
import { clock, Narrator } from "./narrator.ts";
import { poll } from "./poll.ts";
import { demoSettings, driftLine } from "./story.ts";
import type { DriftBody } from "./dashboard_client.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

Deno.test("demo arguments: --fast, --port, the port from LLMOPS_PORT, and one error for bad ones", () => {
  assert.deepEqual(parseDemoArgs([], {}), { help: false, fast: false, port: 8000 });
  assert.deepEqual(parseDemoArgs(["--fast"], { LLMOPS_PORT: "8100" }), {
    help: false,
    fast: true,
    port: 8100,
  });
  assert.equal(parseDemoArgs(["--port", "9001"], { LLMOPS_PORT: "8100" }).port, 9001);
  assert.throws(() => parseDemoArgs(["--port", "0"], {}), /--port expects a TCP port.*"0"/);
  assert.throws(() => parseDemoArgs(["--slow"], {}), /usage: deno task demo/);
  assert.ok(demoSettings(true).currentSize < demoSettings(false).currentSize);
  assert.ok(demoSettings(true).maxTokens! > 0 && demoSettings(false).maxTokens === null);
});

Deno.test("narration lines carry the time since the start and a chapter marker", () => {
  let now = 1_000;
  const lines: string[] = [];
  const n = new Narrator((line) => lines.push(line), () => now);
  n.chapter("Baseline");
  now += 75_400;
  n.say("30 answers in");
  assert.deepEqual(lines, ["[0:00] ▶ Baseline", "[1:15]   30 answers in"]);
  assert.deepEqual(n.lines, lines);
  assert.equal(clock(-5), "0:00");
  assert.equal(clock(3_600_000), "60:00");
});

Deno.test("a drift line names the drifted columns and says whether the verdict is red", () => {
  const column = (name: string, drifted: boolean) => ({ column: name, drifted });
  const body = {
    report: {
      columns: [column("prompt_chars", true), column("latency_s", false)],
      columns_total: 2,
      share_of_drifted_columns: 0.5,
      dataset_drift: true,
    },
    provisional: true,
  } as unknown as DriftBody;
  assert.equal(
    driftLine(body),
    "1 of 2 columns drifted (prompt_chars), 50.0%; dataset drift: YES — the Drift tab is red " +
      "(provisional)",
  );
  assert.equal(
    driftLine({ report: null, reason: "waiting for responses" } as unknown as DriftBody),
    "no drift report yet: waiting for responses",
  );
});

Deno.test("poll resolves true once the check holds and false at its deadline", async () => {
  let n = 0;
  assert.equal(await poll(() => ++n === 3, { intervalMs: 1 }), true);
  assert.equal(n, 3);
  assert.equal(await poll(() => false, { timeoutMs: 20, intervalMs: 5 }), false);
  await assert.rejects(() => poll(() => false, { timeoutMs: -1 }), RangeError);
});

Deno.test({
  name:
    "deno task demo --fast plays baseline, topic shift, outage and recovery on a dashboard it starts, and stops it",
  ...INTEGRATION,
  async fn() {
    integrationConfig(); // the running stack
    const port = freePort();
    const started = Date.now();
    const child = new Deno.Command(Deno.execPath(), {
      args: ["task", "demo", "--fast", "--port", String(port)],
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // a stuck demo is stopped (and fails the test) rather than left running
    const guard = setTimeout(() => child.kill("SIGTERM"), 30 * 60_000);
    const out = await child.output();
    clearTimeout(guard);
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    const minutes = ((Date.now() - started) / 60_000).toFixed(1);
    // the narration is the demo's output: shown with the test's, so a failure can be read
    console.log(`demo --fast took ${minutes} min:\n${text}`);
    assert.equal(out.code, 0, text);
    for (
      const chapter of [
        "The LLM monitoring demo (fast)",
        "Baseline: 30 answers to general_knowledge.json",
        "Topic shift: topic_shift.json",
        "Ollama outage",
        "Recovery: Ollama answers again",
        "Summary",
      ]
    ) {
      assert.match(text, new RegExp(`\\] ▶ ${chapter.replace(/[.()]/g, "\\$&")}`), chapter);
    }
    assert.match(text, /starting the dashboard \(deno task serve\)/);
    assert.match(text, /serve │ dashboard: http:\/\/127\.0\.0\.1:\d+\//);
    assert.match(text, /pinned the newest 30 responses as the drift reference/);
    // the prompt columns drift; others may too (latency moves with the machine's load)
    assert.match(
      text,
      /drift: \d+ of \d+ columns drifted \([^)]*\bprompt_/,
      "the prompt columns drift",
    );
    assert.match(text, /(columns are red on the Drift tab|the Drift tab is red)/);
    assert.match(text, /\d+ calls failed \(connection_refused \d+/);
    assert.match(text, /\d+ calls answered since/);
    assert.match(text, /MLflow experiment: http:\/\/\S+\/#\/experiments\/\d+/);
    assert.match(text, /MLflow run: +http:\/\/\S+\/#\/experiments\/\d+\/runs\/\w+/);
    assert.match(text, /notebooks: +deno task lab/);
    assert.doesNotMatch(text, /Warning|\(node:\d+\)/, "no runtime warnings");
    // the dashboard it started is gone
    const answered = await fetch(`http://127.0.0.1:${port}/api/health`).then(
      (r) => r.body?.cancel().then(() => true),
      () => false,
    );
    assert.equal(answered, false, "the demo stopped the dashboard it started");
  },
});
