import assert from "node:assert/strict";
import { join } from "node:path";
import { LlmWorker, MlflowSink, readResponses } from "../consumers/mod.ts";
import { createKafka, EventProducer, GROUPS, TOPICS } from "../kafka/mod.ts";
import { MlflowClient, tagOf } from "../mlflow/mod.ts";
import { LlmClient } from "../client/llm_client.ts";
import {
  commitGroupAtEnd,
  createTestTopics,
  INTEGRATION,
  integrationConfig,
  uniqueName,
  waitFor,
} from "../stack/testing.ts";
import { runStreamCli } from "./cli.ts";
import type { StreamSummary } from "./engine.ts";
import { systemClock } from "./schedule.ts";
import { type DoubleAnswer, InMemoryLlmClientDouble } from "./testing.ts";

const CLI = new URL("./cli.ts", import.meta.url).pathname;
const ROOT = new URL("../../", import.meta.url).pathname;
const QUICK = join(ROOT, "datasets/quick_test.json");

async function cli(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    cwd: ROOT,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

async function withTempFiles(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "stream_cli_" });
  try {
    await Deno.writeTextFile(join(dir, "not_json.json"), '["a", ');
    await Deno.writeTextFile(join(dir, "number_prompt.json"), '["fine", {"prompt": 7}]');
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("CLI bad input exits 2 with one clear error line and no stack trace", async () => {
  await withTempFiles(async (dir) => {
    const cases: Array<[string, string[], RegExp]> = [
      ["missing file", ["--file", join(dir, "absent.json")], /absent\.json: file not found/],
      ["invalid JSON", ["--file", join(dir, "not_json.json")], /not_json\.json: invalid JSON/],
      [
        "non-string prompt",
        ["--file", join(dir, "number_prompt.json")],
        /number_prompt\.json: entry 1: prompt must be a string, found number 7/,
      ],
      [
        "negative delay",
        ["--file", QUICK, "--delay", "-1"],
        /--delay expects a number of seconds ≥ 0, got "-1"/,
      ],
      [
        "rate and delay",
        ["--file", QUICK, "--delay", "1", "--rate", "2"],
        /--delay and --rate cannot be used together/,
      ],
      ["unknown flag", ["--file", QUICK, "--speed", "3"], /Unknown option '--speed'/],
      ["no file flag", ["--rate", "2"], /missing --file FILE/],
      ["zero count", ["--file", QUICK, "--count", "0"], /--count expects an integer ≥ 1, got "0"/],
      [
        "bad max tokens",
        ["--file", QUICK, "--max-tokens", "2.5"],
        /--max-tokens expects an integer in \[1, 8192\]/,
      ],
    ];
    // Kafka is not needed (and not contacted): the input is checked first.
    const env = { KAFKA_BROKERS: "127.0.0.1:1" };
    const results = await Promise.all(cases.map(([, args]) => cli(args, env)));
    results.forEach((r, i) => {
      const [name, , message] = cases[i];
      assert.equal(r.code, 2, `${name}: exit ${r.code}, stderr ${r.stderr}`);
      assert.match(r.stderr, message, name);
      assert.equal(r.stderr.trim().split("\n").length, 1, `${name}: one line, got ${r.stderr}`);
      assert.match(r.stderr, /^error: /, name);
      assert.doesNotMatch(r.stderr, /\n\s+at /, `${name}: no stack trace`);
      assert.equal(r.stdout, "", name);
    });
  });
});

function doubleDeps(answer: (seq: number) => DoubleAnswer) {
  const client = new InMemoryLlmClientDouble(systemClock, (_input, seq) => answer(seq));
  const out: string[] = [];
  const err: string[] = [];
  let interrupt: () => void = () => {};
  const deps = {
    connect: () => Promise.resolve(client),
    stdout: (t: string) => out.push(t),
    stderr: (t: string) => err.push(t),
    terminal: false,
    onInterrupt: (handler: () => void) => {
      interrupt = handler;
      return () => interrupt = () => {};
    },
  };
  return { client, out, err, deps, interrupt: () => interrupt() };
}

Deno.test("CLI --json prints the summary as one JSON object on the last stdout line", async () => {
  const t = doubleDeps((seq) =>
    seq === 2 ? { kind: "error", afterMs: 5, type: "timeout" } : { kind: "success", afterMs: 5 }
  );
  const code = await runStreamCli(
    [
      "--file",
      QUICK,
      "--delay",
      "0",
      "--count",
      "4",
      "--max-tokens",
      "24",
      "--user",
      "cli-test",
      "--json",
    ],
    t.deps,
  );
  assert.equal(code, 0, t.err.join(""));
  const lines = t.out.join("").trimEnd().split("\n");
  const summary: StreamSummary = JSON.parse(lines.at(-1)!);
  assert.equal(summary.sent, 4);
  assert.equal(summary.succeeded, 3);
  assert.deepEqual(summary.failed_by_type, { timeout: 1 });
  assert.deepEqual(summary.request_ids, t.client.submitted.map((s) => s.request_id));
  assert.equal(t.client.submitted[0].input.params?.num_predict, 24);
  assert.equal(t.client.submitted[0].input.user_id, "cli-test");
  assert.ok(t.client.closed, "the client is closed");
  assert.match(t.err[0], /^streaming .*quick_test\.json \(10 prompts\): 0 s between sends/);
});

Deno.test("CLI without --json prints the readable summary block", async () => {
  const t = doubleDeps(() => ({ kind: "success", afterMs: 5 }));
  const code = await runStreamCli(["--file", QUICK, "--delay", "0", "--count", "2"], t.deps);
  assert.equal(code, 0);
  const text = t.out.join("");
  assert.match(text, /^Stream summary \(.*quick_test\.json\)/);
  assert.match(text, /succeeded {5}2/);
});

Deno.test("CLI Ctrl-C stops sending, waits for the sent ones, prints the summary and exits 130", async () => {
  const t = doubleDeps((seq) => {
    if (seq === 3) setTimeout(() => t.interrupt(), 0);
    return { kind: "success", afterMs: 40 };
  });
  const code = await runStreamCli(["--file", QUICK, "--loop", "--delay", "0.01", "--json"], t.deps);
  assert.equal(code, 130);
  const summary: StreamSummary = JSON.parse(t.out.join("").trimEnd().split("\n").at(-1)!);
  assert.equal(summary.stop_reason, "stopped");
  assert.ok(summary.sent >= 4 && summary.sent < 10, `sent ${summary.sent}`);
  assert.equal(summary.succeeded, summary.sent, "the sent ones were awaited");
  assert.match(t.err.join(""), /interrupted: stopped sending/);
});

Deno.test("CLI second Ctrl-C abandons the outstanding responses", async () => {
  const t = doubleDeps((seq) => {
    if (seq === 2) {
      setTimeout(() => {
        t.interrupt();
        t.interrupt();
      }, 0);
    }
    return { kind: "never" };
  });
  const code = await runStreamCli(["--file", QUICK, "--delay", "0", "--json"], t.deps);
  assert.equal(code, 130);
  const summary: StreamSummary = JSON.parse(t.out.join("").trimEnd().split("\n").at(-1)!);
  assert.equal(summary.abandoned, summary.sent);
  assert.equal(summary.succeeded + summary.failed, 0);
  assert.match(t.err.join(""), /no longer waiting/);
});

Deno.test({
  name: "CLI streams quick_test through Kafka and the worker: one response per summary request id",
  ...INTEGRATION,
  fn: async () => {
    const config = integrationConfig();
    const kafka = createKafka(config.kafka.brokers, "stream-cli-test");
    const producer = new EventProducer(kafka);
    await producer.connect();
    const worker = new LlmWorker({
      kafka,
      producer,
      ollamaHost: config.ollama.host,
      groupId: GROUPS.worker,
    });
    // The MLflow sink, in a group and experiment of its own, logs what the stream produced. Its
    // group starts at the topic's end: from the beginning it would first log every earlier
    // test's response (thousands in the suite), and the runs of this one came minutes late.
    const mlflow = new MlflowClient(config.mlflow.uri);
    const sinkGroup = uniqueName("stream-cli-sink");
    await commitGroupAtEnd(kafka, sinkGroup, TOPICS.responses);
    const sink = new MlflowSink({
      kafka,
      dlq: producer,
      mlflow,
      experiment: uniqueName("stream-cli"),
      groupId: sinkGroup,
      minuteRuns: false,
    });
    await Promise.all([worker.start(), sink.start()]);
    let result;
    try {
      result = await cli([
        "--file",
        "datasets/quick_test.json",
        "--delay",
        "0.2",
        "--max-tokens",
        "24",
        "--json",
      ]);
    } finally {
      await worker.stop();
    }
    try {
      assert.equal(result.code, 0, result.stderr);
      const summary: StreamSummary = JSON.parse(result.stdout.trimEnd().split("\n").at(-1)!);
      assert.equal(summary.sent, 10);
      assert.equal(summary.succeeded + summary.failed, 10);
      assert.equal(summary.request_ids.length, 10);
      assert.equal(new Set(summary.request_ids).size, 10);
      const wanted = new Set(summary.request_ids);
      const responses = (await readResponses(kafka)).events.filter((r) => wanted.has(r.request_id));
      const workersPerId = new Map<string, string[]>();
      for (const r of responses) {
        workersPerId.set(r.request_id, [...(workersPerId.get(r.request_id) ?? []), r.worker_id]);
      }
      // The worker group is shared: a worker of another process joining "llm-worker" while ours
      // holds uncommitted requests makes Kafka redeliver them (at-least-once), and that worker
      // answers them again. Exactly one response per id is required when only our worker
      // answered; otherwise each id needs one, and no worker may have answered an id twice.
      const foreign = responses.some((r) => r.worker_id !== worker.workerId);
      for (const id of summary.request_ids) {
        const workers = workersPerId.get(id) ?? [];
        if (!foreign) assert.equal(workers.length, 1, `responses for ${id}: ${workers.length}`);
        else {
          assert.ok(workers.length >= 1, `no response for ${id}`);
          assert.equal(new Set(workers).size, workers.length, `a worker answered ${id} twice`);
        }
      }
      if (foreign) {
        console.warn(
          `note: other processes' workers joined group ${GROUPS.worker} during the test; ` +
            `${responses.length} responses for ${wanted.size} requests (redeliveries)`,
        );
      }
      for (const r of responses) {
        assert.equal(r.source, "stream");
        assert.equal(r.dataset, "quick_test");
        assert.equal(r.params.num_predict, 24);
      }
      if (summary.succeeded > 0) assert.ok(summary.latency_s.p50! > 0);

      // MLflow holds exactly one run per request id, and agrees on the outcomes.
      const runsFor = async () =>
        (await mlflow.searchAllRuns({ experiment_ids: [sink.experimentId!] }))
          .filter((run) => wanted.has(tagOf(run, "request_id") ?? ""));
      await waitFor(async () => (await runsFor()).length >= 10, "10 MLflow runs", 60_000);
      const runs = await runsFor();
      assert.deepEqual(runs.map((run) => tagOf(run, "request_id")).sort(), [...wanted].sort());
      assert.equal(runs.filter((run) => run.info.status === "FINISHED").length, summary.succeeded);
    } finally {
      await sink.stop();
      await producer.disconnect();
    }
  },
});

const NO_WORKER = "no LLM worker is consuming llm.requests: start `deno task serve` or " +
  "`deno task worker`";

Deno.test("CLI says in one line that no worker consumes the requests, and exits 1 with the reason when they time out", async () => {
  const t = doubleDeps(() => ({ kind: "never" }));
  let checks = 0;
  const code = await runStreamCli(
    ["--file", QUICK, "--delay", "0", "--count", "2", "--timeout", "0.2", "--json"],
    {
      ...t.deps,
      workers: () => {
        checks++;
        return Promise.resolve({ members: [], reason: NO_WORKER });
      },
      workerCheckIntervalMs: 20,
    },
  );
  assert.equal(code, 1);
  const err = t.err.join("");
  assert.equal(t.err[0], `${NO_WORKER}\n`, "said before sending");
  assert.match(t.err[1], /^streaming /);
  assert.equal(err.split(NO_WORKER).length - 1, 2, `once at start, once at the end: ${err}`);
  assert.match(err, /error: 2 requests got no response: no LLM worker is consuming llm\.requests/);
  assert.ok(checks >= 2, `checked before and after, found ${checks} checks`);
  const summary: StreamSummary = JSON.parse(t.out.join("").trimEnd().split("\n").at(-1)!);
  assert.equal(summary.failure_reason, NO_WORKER);
  assert.deepEqual(summary.failed_by_type, { response_timeout: 2 });
});

Deno.test("CLI notices a worker joining while it waits and then finishes normally", async () => {
  let present = false;
  const t = doubleDeps(() => {
    setTimeout(() => present = true, 10);
    return { kind: "success", afterMs: 120 };
  });
  const code = await runStreamCli(["--file", QUICK, "--delay", "0", "--count", "1"], {
    ...t.deps,
    workers: () =>
      Promise.resolve(
        present ? { members: ["worker-1"], reason: null } : { members: [], reason: NO_WORKER },
      ),
    workerCheckIntervalMs: 20,
  });
  assert.equal(code, 0, t.err.join(""));
  assert.match(t.err.join(""), /an LLM worker joined: worker-1/);
  assert.doesNotMatch(t.out.join(""), /reason/);
});

Deno.test("CLI leaves the worker check out for a client that cannot tell, and a failing check changes nothing", async () => {
  const t = doubleDeps(() => ({ kind: "success", afterMs: 5 }));
  const code = await runStreamCli(["--file", QUICK, "--delay", "0", "--count", "1"], {
    ...t.deps,
    workers: () => Promise.reject(new Error("kafka says no")),
  });
  assert.equal(code, 0);
  assert.doesNotMatch(t.err.join(""), /worker/);
});

Deno.test({
  name:
    "CLI against real Kafka with no worker in the group: exit 1 within the timeout, the reason on stderr and in the JSON summary",
  ...INTEGRATION,
  fn: async () => {
    const config = integrationConfig();
    const kafka = createKafka(config.kafka.brokers, "stream-cli-no-worker-test");
    // private topics and group: nothing is left waiting in llm.requests
    const { topics, cleanup } = await createTestTopics(kafka, ["requests", "responses"]);
    const group = uniqueName("no-worker");
    const err: string[] = [];
    const out: string[] = [];
    try {
      const started = Date.now();
      const code = await runStreamCli(
        ["--file", QUICK, "--delay", "0", "--count", "3", "--timeout", "5", "--json"],
        {
          connect: () =>
            LlmClient.connect({ config, source: "stream", topics, workerGroup: group }),
          stdout: (text) => out.push(text),
          stderr: (text) => err.push(text),
          terminal: false,
          onInterrupt: () => () => {},
        },
      );
      const elapsed = Date.now() - started;
      const reason = `no LLM worker is consuming ${topics.requests}: start \`deno task serve\` ` +
        "or `deno task worker`";
      assert.equal(code, 1, err.join(""));
      assert.equal(err[0], `${reason}\n`, "the one line comes before sending");
      assert.match(err.join(""), /error: 3 requests got no response: no LLM worker is consuming/);
      const summary: StreamSummary = JSON.parse(out.join("").trimEnd().split("\n").at(-1)!);
      assert.equal(summary.failure_reason, reason);
      assert.equal(summary.sent, 3);
      assert.deepEqual(summary.failed_by_type, { response_timeout: 3 });
      // each request waits its 5 s from its send; connecting and checking take the rest
      assert.ok(elapsed < 60_000, `finished after ${elapsed} ms`);
    } finally {
      await cleanup();
    }
  },
});
