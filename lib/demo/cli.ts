/**
 * `deno task demo [--fast] [--port N]`: the whole story on a live dashboard in one command.
 *
 * It uses the dashboard that answers on 127.0.0.1:`--port` (default `LLMOPS_PORT`, else 8000),
 * or starts one with `deno task serve` (which brings up Kafka, MLflow and Ollama when they are
 * not running). When it started the dashboard, or the dashboard has no LLM worker, it runs the
 * worker itself. Then it plays the story (`story.ts`): a baseline from `general_knowledge.json`,
 * `topic_shift.json` until drift turns red (and the demo's alert rule fires, when the dashboard
 * has the alerting API), a short Ollama outage with errors and the recovery, and a summary with
 * links, narrating each step in the terminal.
 *
 * `--fast` shortens it for the tests (32-token answers, a 30-response window) and stops what it
 * started at the end; without it, a dashboard the demo started keeps running until Ctrl-C.
 * Exit codes: 0 the story was played, 1 a step failed (the line says which), 2 bad arguments,
 * 130/143 interrupted.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { stripAnsi } from "../stack/ansi.ts";
import { loadStackConfig } from "../stack/config.ts";
import { DashboardClient } from "./dashboard_client.ts";
import { DemoWorkers } from "../consumers/demo_workers.ts";
import { Narrator } from "./narrator.ts";
import { demoSettings, runStory } from "./story.ts";

/** The usage line. */
export const USAGE = "usage: deno task demo [--fast] [--port N]";

/** The repository root (where `deno task serve` runs). */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The parsed command line. */
export interface DemoArgs {
  help: boolean;
  fast: boolean;
  port: number;
}

/**
 * Parses the arguments; throws a RangeError with the usage on bad ones.
 *
 * @example
 * ```ts
 * import { parseDemoArgs } from "./cli.ts";
 * parseDemoArgs(["--fast", "--port", "8123"], {}).port; // 8123
 * ```
 */
export function parseDemoArgs(
  args: string[],
  env: Record<string, string | undefined>,
): DemoArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        fast: { type: "boolean" },
        port: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new RangeError(`${(error as Error).message}; ${USAGE}`);
  }
  const text = (values.port as string | undefined) ?? env.LLMOPS_PORT?.trim() ?? "8000";
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new RangeError(`--port expects a TCP port from 1 to 65535, found "${text}"; ${USAGE}`);
  }
  return { help: values.help === true, fast: values.fast === true, port };
}

/** A `deno task serve` the demo started. */
interface StartedServe {
  /** The last lines it printed (shown when it fails). */
  tail(): string[];
  /** Sends SIGTERM and waits until it has exited. */
  stop(): Promise<void>;
  /** Sends SIGTERM without waiting. */
  kill(): void;
}

/**
 * Starts `deno task serve` on `port` with no worker of its own (the demo runs it), relays its
 * start-up lines with a prefix, and resolves once its start-up lines are out.
 */
async function startServe(port: number, say: (line: string) => void): Promise<StartedServe> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "serve"],
    cwd: ROOT,
    env: { LLMOPS_PORT: String(port), LLMOPS_WORKERS: "0" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  let relaying = true;
  let ready: () => void = () => {};
  const started = new Promise<void>((resolve) => (ready = resolve));
  const onLine = (raw: string) => {
    const line = stripAnsi(raw);
    lines.push(line);
    if (lines.length > 50) lines.shift();
    if (!relaying || /^Task\b/.test(line)) return;
    say(`serve │ ${line}`);
    if (/^notebooks: /.test(line)) {
      relaying = false;
      ready();
    }
  };
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of stream) {
      buffer += decoder.decode(chunk, { stream: true });
      let newline: number;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        onLine(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
      }
    }
    if (buffer) onLine(buffer);
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]).catch(() => {});
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  await Promise.race([
    started,
    status.then((s) => {
      throw new Error(`deno task serve exited with code ${s.code}:\n${lines.join("\n")}`);
    }),
  ]);
  return {
    tail: () => [...lines],
    kill() {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
    },
    async stop() {
      if (!exited) {
        try {
          child.kill("SIGTERM");
        } catch { /* already gone */ }
      }
      await status;
      await pumps;
    },
  };
}

async function main(args: string[]): Promise<number> {
  let parsed: DemoArgs;
  try {
    parsed = parseDemoArgs(args, Deno.env.toObject());
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return 2;
  }
  if (parsed.help) {
    console.log(USAGE);
    return 0;
  }
  const narrator = new Narrator((line) => console.log(line));
  const settings = demoSettings(parsed.fast);
  const dashboard = new DashboardClient(`http://127.0.0.1:${parsed.port}`, {
    token: Deno.env.get("LLMOPS_TOKEN") || undefined,
  });
  let serve: StartedServe | null = null;
  let workers: DemoWorkers | null = null;
  let stopping: Promise<void> | null = null;
  const cleanUp = () =>
    stopping ??= (async () => {
      await dashboard.streamStop().catch(() => {});
      await workers?.close();
      await serve?.stop();
    })();
  let signals = 0;
  const interrupted = new Promise<number>((resolve) => {
    for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
      Deno.addSignalListener(signal, () => {
        if (++signals > 1) {
          // a second Ctrl-C: no more waiting for the calls in hand
          narrator.say(`${signal} again: exiting now`);
          serve?.kill();
          Deno.exit(code);
        }
        narrator.say(`${signal}: stopping the demo (the calls in hand finish; again to exit now)`);
        cleanUp().then(() => resolve(code));
      });
    }
  });

  const play = async (): Promise<number> => {
    narrator.chapter(`The LLM monitoring demo${parsed.fast ? " (fast)" : ""}`);
    if (await dashboard.answers()) {
      narrator.say(`using the dashboard at ${dashboard.origin}/`);
    } else {
      narrator.say(
        "starting the dashboard (deno task serve); it starts Kafka, MLflow and Ollama when " +
          "they are not running, which takes minutes the first time",
      );
      serve = await startServe(parsed.port, (line) => narrator.say(line));
    }
    workers = await DemoWorkers.connect(loadStackConfig());
    const health = await dashboard.health();
    if (serve || health.workers_reason) {
      const id = await workers.startHealthy();
      narrator.say(`the demo's LLM worker ${id} consumes llm.requests`);
    }
    await runStory({ dashboard, narrator, workers, settings });
    if (serve && !parsed.fast) {
      narrator.say("the dashboard keeps running: Ctrl-C stops it and what it started");
      return await interrupted;
    }
    await cleanUp();
    return 0;
  };
  try {
    return await Promise.race([play(), interrupted]);
  } catch (error) {
    narrator.say(`error: ${(error as Error).message}`);
    await cleanUp();
    return 1;
  }
}

if (import.meta.main) {
  const code = await main(Deno.args);
  // kafkajs and fetch keep-alive sockets can hold the event loop open
  Deno.exit(code);
}
