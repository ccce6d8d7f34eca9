/**
 * A real Prometheus for the tests that check `/metrics`: built once from its Go module with
 * `go install` (Prometheus and promtool, CGO off), started on a free loopback port with a
 * generated configuration that scrapes the given targets every second, queried over its HTTP
 * API, and stopped with its data folder removed.
 *
 * The module archive carries no web UI assets: built without the `builtinassets` tag the server
 * still serves its whole HTTP API (`/api/v1/query`, `/-/ready`), and only the UI pages answer
 * 500. v0.316.0 (Prometheus 3.16.0) builds with Go 1.26 here in about 15 minutes on two busy
 * cores; later runs use the cached binaries.
 *
 * @module
 */

import type { StackConfig } from "./config.ts";
import { freePort } from "./free_port.ts";
import { goToolPaths, type GoToolSpec, provisionGoTool } from "./go_tool.ts";
import { isAlive, startService, stopService, waitUntil } from "./process.ts";

/** The Prometheus module version (Prometheus 3.x is published as v0.3xx.y). */
export const PROMETHEUS_VERSION = "v0.316.0";

/** `v0.316.0` → `3.16.0`, the version Prometheus reports. */
export function prometheusReleaseOf(moduleVersion: string): string {
  const m = /^v0\.(\d+)\.(\d+)$/.exec(moduleVersion);
  if (!m) throw new RangeError(`expected a module version like v0.316.0, found "${moduleVersion}"`);
  const minor = Number(m[1]);
  return `${Math.floor(minor / 100)}.${minor % 100}.${m[2]}`;
}

/**
 * How Prometheus and promtool are built from their Go module.
 *
 * @example
 * ```ts
 * prometheusGoTool().binaries; // ["prometheus", "promtool"]
 * ```
 */
export function prometheusGoTool(version = PROMETHEUS_VERSION): GoToolSpec {
  return {
    name: "prometheus",
    pkg: "github.com/prometheus/prometheus/cmd/prometheus",
    version,
    morePkgs: ["github.com/prometheus/prometheus/cmd/promtool"],
    binaries: ["prometheus", "promtool"],
    installArgs: [
      `-ldflags=-X github.com/prometheus/common/version.Version=${prometheusReleaseOf(version)}`,
    ],
    alternative: "a Prometheus of your own scraping the dashboard's /metrics",
  };
}

/** Paths of the built binaries. */
export interface PrometheusBinaries {
  prometheus: string;
  promtool: string;
}

/**
 * Builds Prometheus and promtool once (cached under the stack folder) and returns their paths.
 *
 * @example
 * ```ts ignore
 * const bin = await provisionPrometheus(config, console.error);
 * ```
 */
export async function provisionPrometheus(
  config: Pick<StackConfig, "dir">,
  progress: (line: string) => void,
): Promise<PrometheusBinaries> {
  const paths = await provisionGoTool(config, prometheusGoTool(), progress);
  return { prometheus: paths.bin.prometheus, promtool: paths.bin.promtool };
}

/** The cached binaries' paths, built or not. */
export function prometheusBinaries(config: Pick<StackConfig, "dir">): PrometheusBinaries {
  const paths = goToolPaths(config, prometheusGoTool());
  return { prometheus: paths.bin.prometheus, promtool: paths.bin.promtool };
}

/** What Prometheus scrapes. */
export interface ScrapeSpec {
  /** `host:port` of each target. */
  targets: string[];
  /** Seconds between scrapes (default 1). */
  intervalS?: number;
  /** Default `/metrics`. */
  metricsPath?: string;
  /** Default `llmops`. */
  jobName?: string;
}

/**
 * The configuration file (YAML) scraping the targets.
 *
 * @example
 * ```ts
 * prometheusConfig({ targets: ["127.0.0.1:8080"] }).includes("scrape_interval: 1s"); // true
 * ```
 */
export function prometheusConfig(spec: ScrapeSpec): string {
  const interval = spec.intervalS ?? 1;
  if (!(interval > 0)) throw new RangeError(`scrape interval must be positive, found ${interval}`);
  for (const t of spec.targets) {
    if (!/^[\w.\-[\]:]+:\d+$/.test(t)) throw new RangeError(`expected host:port, found "${t}"`);
  }
  return [
    "global:",
    `  scrape_interval: ${interval}s`,
    `  evaluation_interval: ${interval}s`,
    "scrape_configs:",
    `  - job_name: ${JSON.stringify(spec.jobName ?? "llmops")}`,
    `    metrics_path: ${JSON.stringify(spec.metricsPath ?? "/metrics")}`,
    `    scrape_timeout: ${interval}s`,
    "    static_configs:",
    `      - targets: [${spec.targets.map((t) => JSON.stringify(t)).join(", ")}]`,
    "",
  ].join("\n");
}

/** One series of an instant query's result. */
export interface PromSample {
  metric: Record<string, string>;
  value: number;
  /** Unix seconds of the sample. */
  time: number;
}

/** A running Prometheus started by {@linkcode startPrometheus}. */
export interface RunningPrometheus {
  /** Base URL, for example http://127.0.0.1:41234. */
  url: string;
  pid: number;
  /** Runs an instant PromQL query; throws with Prometheus's error on a bad query. */
  query(promql: string): Promise<PromSample[]>;
  /** Stops the server and removes its data folder. */
  stop(): Promise<void>;
  /** Its log file (kept until stop). */
  log: string;
}

/**
 * Runs an instant query against a Prometheus HTTP API.
 *
 * @example
 * ```ts ignore
 * const [sample] = await promQuery("http://127.0.0.1:9090", "up");
 * ```
 */
export async function promQuery(baseUrl: string, promql: string): Promise<PromSample[]> {
  const response = await fetch(
    `${baseUrl}/api/v1/query?query=${encodeURIComponent(promql)}`,
    { signal: AbortSignal.timeout(10_000) },
  );
  const body = await response.json() as {
    status: string;
    error?: string;
    data?: {
      resultType: string;
      result: { metric: Record<string, string>; value: [number, string] }[];
    };
  };
  if (body.status !== "success" || !body.data) {
    throw new Error(`Prometheus query ${promql} failed: ${body.error ?? response.status}`);
  }
  if (body.data.resultType === "scalar") {
    const [time, value] = body.data.result as unknown as [number, string];
    return [{ metric: {}, value: Number(value), time }];
  }
  return body.data.result.map((r) => ({
    metric: r.metric,
    value: Number(r.value[1]),
    time: r.value[0],
  }));
}

/**
 * Starts the cached Prometheus on a free loopback port, scraping the targets, and waits until it
 * is ready. Its data and configuration live in a fresh folder under the stack's state folder.
 *
 * @example
 * ```ts ignore
 * const prom = await startPrometheus(config, { targets: ["127.0.0.1:8080"] });
 * try {
 *   await prom.query("up");
 * } finally {
 *   await prom.stop();
 * }
 * ```
 */
export async function startPrometheus(
  config: Pick<StackConfig, "dir" | "stateDir">,
  spec: ScrapeSpec,
  progress: (line: string) => void = () => {},
): Promise<RunningPrometheus> {
  const bin = await provisionPrometheus(config, progress);
  await Deno.mkdir(config.stateDir, { recursive: true });
  const home = await Deno.makeTempDir({ dir: config.stateDir, prefix: "prometheus-" });
  const configFile = `${home}/prometheus.yml`;
  await Deno.writeTextFile(configFile, prometheusConfig(spec));
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = `${home}/prometheus.log`;
  const service = await startService({
    name: "prometheus",
    command: bin.prometheus,
    args: [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${home}/data`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--storage.tsdb.retention.time=1h",
    ],
    logFile: log,
    pidFile: `${home}/prometheus.pid`,
  });
  const stop = async () => {
    await stopService(service.pid, { graceMs: 10_000 });
    await Deno.remove(home, { recursive: true }).catch(() => {});
  };
  try {
    await waitUntil(async () => {
      const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      return response.ok;
    }, {
      timeoutMs: 60_000,
      what: `prometheus on ${url} (log: ${log})`,
      stillAlive: () => isAlive(service.pid),
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, pid: service.pid, log, query: (promql) => promQuery(url, promql), stop };
}

/** The outcome of `promtool check metrics`. */
export interface PromtoolCheck {
  ok: boolean;
  /** promtool's own words (its lint findings or parse error). */
  output: string;
}

/**
 * Runs `promtool check metrics` on an exposition text (read from standard input, as promtool
 * documents): `ok` when it parses and passes promtool's lint.
 *
 * @example
 * ```ts ignore
 * const check = await promtoolCheckMetrics(bin.promtool, registry.render());
 * ```
 */
export async function promtoolCheckMetrics(promtool: string, text: string): Promise<PromtoolCheck> {
  const child = new Deno.Command(promtool, {
    args: ["check", "metrics"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  const decoder = new TextDecoder();
  return { ok: code === 0, output: (decoder.decode(stdout) + decoder.decode(stderr)).trim() };
}
