/**
 * Alertmanager, the receiver the alert tests deliver to, built from its Go module
 * (`github.com/prometheus/alertmanager/cmd/alertmanager`) into the stack cache and started on a
 * free loopback port with clustering off and its data in a temporary folder.
 *
 * Building: `go install …@v0.35.0` fails on every served version (v0.32.1 … v0.35.0) because the
 * module archive lacks the web UI's compiled assets that `ui/web.go` embeds
 * (`ui/web.go:31:12: pattern app/dist: no matching files found`). So when `go install` fails that
 * way, {@linkcode provisionAlertmanager} builds the same module source with `go build`, after
 * putting a one-page placeholder where the UI assets go: the API (`/api/v2/...`), routing,
 * grouping and notifications are Alertmanager's own; only the browser UI is missing.
 *
 * @module
 */

import type { StackConfig } from "./config.ts";
import { exists } from "./_fs.ts";
import { type GoToolPaths, goToolPaths, type GoToolSpec, provisionGoTool } from "./go_tool.ts";
import { freePort } from "./free_port.ts";
import { type LoopbackService, startLoopbackService } from "./loopback_service.ts";
import { runLogged } from "./process.ts";

/** The Alertmanager version the tests build. */
export const ALERTMANAGER_VERSION = "v0.35.0";

const MODULE = "github.com/prometheus/alertmanager";
const VERSION_FLAG = (version: string) =>
  `-ldflags=-X github.com/prometheus/common/version.Version=${version.replace(/^v/, "")}`;

/**
 * The Go build of Alertmanager.
 *
 * @example
 * ```ts
 * import { alertmanagerGoTool } from "./alertmanager.ts";
 * alertmanagerGoTool().pkg; // "github.com/prometheus/alertmanager/cmd/alertmanager"
 * ```
 */
export function alertmanagerGoTool(version: string = ALERTMANAGER_VERSION): GoToolSpec {
  return {
    name: "alertmanager",
    pkg: `${MODULE}/cmd/alertmanager`,
    version,
    installArgs: [VERSION_FLAG(version)],
    alternative: "an Alertmanager of your own (an alertmanager channel's url)",
  };
}

const PLACEHOLDER = "<!doctype html><meta charset=utf-8><title>Alertmanager</title>" +
  "<p>This Alertmanager was built from its Go module, whose archive has no compiled web UI. " +
  "The API is complete: <a href=/api/v2/status>/api/v2/status</a>.</p>\n";

/**
 * Builds Alertmanager unless the cache has it: `go install`, or, when the module archive lacks
 * the UI assets (every served version), `go build` of the module source with a placeholder UI.
 *
 * @example
 * ```ts ignore
 * const { bin } = await provisionAlertmanager(loadStackConfig(), console.error);
 * ```
 */
export async function provisionAlertmanager(
  config: Pick<StackConfig, "dir">,
  progress: (line: string) => void,
  version: string = ALERTMANAGER_VERSION,
): Promise<GoToolPaths> {
  const spec = alertmanagerGoTool(version);
  const paths = goToolPaths(config, spec);
  if (await exists(paths.bin.alertmanager)) return paths;
  try {
    return await provisionGoTool(config, spec, progress);
  } catch (error) {
    if (!/pattern app\/dist: no matching files found/.test((error as Error).message)) throw error;
  }
  progress(
    `alertmanager: the ${version} module archive has no compiled web UI (go:embed app/dist); ` +
      "building its source with a placeholder UI instead",
  );
  const env = { CGO_ENABLED: "0", GOFLAGS: "-mod=mod" };
  const download = await new Deno.Command("go", {
    args: ["mod", "download", "-json", `${MODULE}@${version}`],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  let dir: string | undefined;
  try {
    dir = (JSON.parse(new TextDecoder().decode(download.stdout)) as { Dir?: string }).Dir;
  } catch {
    dir = undefined;
  }
  if (!download.success || !dir) {
    throw new Error(
      `alertmanager: go mod download ${MODULE}@${version} failed: ${
        new TextDecoder().decode(download.stderr).trim().slice(-500)
      }`,
    );
  }
  const src = `${paths.home}/src`;
  await Deno.remove(src, { recursive: true }).catch(() => {});
  await runLogged("copy alertmanager source", "cp", ["-R", dir, src], { logFile: paths.buildLog });
  await runLogged("make source writable", "chmod", ["-R", "u+w", src], {
    logFile: paths.buildLog,
  });
  for (const ui of ["elm", "mantine"]) {
    await Deno.mkdir(`${src}/ui/app/dist/${ui}`, { recursive: true });
    await Deno.writeTextFile(`${src}/ui/app/dist/${ui}/index.html`, PLACEHOLDER);
  }
  await runLogged("go build alertmanager", "go", [
    "build",
    "-trimpath",
    VERSION_FLAG(version),
    "-o",
    paths.bin.alertmanager,
    "./cmd/alertmanager",
  ], { cwd: src, env, logFile: paths.buildLog, progress });
  await Deno.remove(src, { recursive: true }).catch(() => {});
  return paths;
}

/** Options of {@linkcode startAlertmanager}. */
export interface AlertmanagerOptions {
  /**
   * The configuration (YAML). Default: one route grouping by `alertname` to a receiver with no
   * integrations, `resolve_timeout` 5 m.
   */
  configYaml?: string;
  /** State folder (default: a new temporary folder, removed by `stop`). */
  dir?: string;
}

/** The default configuration: grouping by alertname, nothing sent anywhere. */
export const DEFAULT_ALERTMANAGER_CONFIG = `route:
  receiver: blackhole
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 4h
receivers:
  - name: blackhole
`;

/** A running Alertmanager; its `url` is `http://127.0.0.1:<port>`. */
export interface RunningAlertmanager extends LoopbackService {
  port: number;
}

/**
 * Builds Alertmanager if needed, starts it on a free loopback port (clustering off) and waits
 * until `/-/ready` answers.
 *
 * @example
 * ```ts ignore
 * const am = await startAlertmanager(loadStackConfig(), {}, console.error);
 * await am.stop();
 * ```
 */
export async function startAlertmanager(
  config: Pick<StackConfig, "dir">,
  options: AlertmanagerOptions = {},
  progress: (line: string) => void = (line) => console.error(line),
): Promise<RunningAlertmanager> {
  const { bin } = await provisionAlertmanager(config, progress);
  const temporary = options.dir === undefined;
  const dir = options.dir ?? await Deno.makeTempDir({ prefix: "llmops-alertmanager-" });
  await Deno.mkdir(`${dir}/data`, { recursive: true });
  await Deno.writeTextFile(
    `${dir}/alertmanager.yml`,
    options.configYaml ?? DEFAULT_ALERTMANAGER_CONFIG,
  );
  const port = freePort();
  const alertmanager = await startLoopbackService({
    name: "alertmanager",
    command: bin.alertmanager,
    args: [
      `--config.file=${dir}/alertmanager.yml`,
      `--storage.path=${dir}/data`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
      "--log.level=info",
    ],
    dir,
    removeDirOnStop: temporary,
    url: `http://127.0.0.1:${port}`,
    readyPath: "/-/ready",
  });
  return { ...alertmanager, port };
}
