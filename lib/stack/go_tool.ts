/**
 * Building a tool from its Go module with `go install`, once, into the stack cache: Ollama, and
 * the receivers and scrapers the tests start (Prometheus, Alertmanager, Mailpit). The binary goes
 * into `<stack dir>/<name>-<version>[-<suffix>]/bin`; a present binary is never rebuilt.
 *
 * @module
 */

import type { StackConfig } from "./config.ts";
import { exists } from "./_fs.ts";
import { requireCommand } from "./prerequisites.ts";
import { runLogged } from "./process.ts";

/** What to build with {@linkcode provisionGoTool}. */
export interface GoToolSpec {
  /** Short name, used for the cache folder and in messages (for example "alertmanager"). */
  name: string;
  /** Package path to install, without version (for example `github.com/axllent/mailpit`). */
  pkg: string;
  /** Module version, for example `v1.33.1`. */
  version: string;
  /** Names of the binaries `go install` produces (default: the last element of `pkg`). */
  binaries?: string[];
  /** Extra folder suffix, for builds that differ by flags (for example a CPU level). */
  suffix?: string;
  /** Extra `go install` arguments placed before the package (for example `-ldflags=…`). */
  installArgs?: string[];
  /** Extra environment of the build (cgo flags, build tags). */
  env?: Record<string, string>;
  /** More packages of the same module to install beside `pkg` (for example promtool). */
  morePkgs?: string[];
  /** Names the variable that points at an existing service instead, for the error message. */
  alternative: string;
  /** Words after the version in the progress line (for example "for x86-64-v3"). */
  buildNote?: string;
  /** Needs a C compiler (cgo). Default false: built with CGO_ENABLED=0. */
  cgo?: boolean;
}

/** Where a Go tool lives in the cache. */
export interface GoToolPaths {
  home: string;
  binDir: string;
  /** Absolute path of each binary, by name. */
  bin: Record<string, string>;
  buildLog: string;
}

/**
 * The cache paths of a Go tool (nothing is built).
 *
 * @example
 * ```ts
 * const paths = goToolPaths(config, { name: "mailpit", pkg: "github.com/axllent/mailpit",
 *   version: "v1.33.1", alternative: "an SMTP server of your own" });
 * paths.bin.mailpit; // "<stack>/mailpit-v1.33.1/bin/mailpit"
 * ```
 */
export function goToolPaths(config: Pick<StackConfig, "dir">, spec: GoToolSpec): GoToolPaths {
  if (!/^v\d/.test(spec.version)) {
    throw new RangeError(`Expected a Go module version like v1.2.3, found "${spec.version}"`);
  }
  const home = `${config.dir}/${spec.name}-${spec.version}${spec.suffix ? `-${spec.suffix}` : ""}`;
  const binDir = `${home}/bin`;
  const names = spec.binaries ?? [spec.pkg.split("/").at(-1)!];
  return {
    home,
    binDir,
    bin: Object.fromEntries(names.map((n) => [n, `${binDir}/${n}`])),
    buildLog: `${home}/build.log`,
  };
}

/**
 * Builds the tool with `go install pkg@version` unless every binary is already in the cache;
 * returns its paths. A missing `go` (or C compiler for cgo builds) is one clear error naming the
 * alternative.
 *
 * @example
 * ```ts ignore
 * const { bin } = await provisionGoTool(config, {
 *   name: "alertmanager", pkg: "github.com/prometheus/alertmanager/cmd/alertmanager",
 *   version: "v0.35.0", alternative: "an Alertmanager of your own",
 * }, console.error);
 * ```
 */
export async function provisionGoTool(
  config: Pick<StackConfig, "dir">,
  spec: GoToolSpec,
  progress: (line: string) => void,
): Promise<GoToolPaths> {
  const paths = goToolPaths(config, spec);
  const present = await Promise.all(Object.values(paths.bin).map(exists));
  if (present.every(Boolean)) return paths;
  await requireCommand("go", ["version"], spec.name, spec.alternative);
  if (spec.cgo) {
    await requireCommand("gcc", ["--version"], spec.name, spec.alternative);
    await requireCommand("g++", ["--version"], spec.name, spec.alternative);
  }
  await Deno.mkdir(paths.binDir, { recursive: true });
  progress(
    `${spec.name}: building ${spec.version}${spec.buildNote ? ` ${spec.buildNote}` : ""} ` +
      "with go install (first time: minutes)",
  );
  const packages = [spec.pkg, ...(spec.morePkgs ?? [])].map((p) => `${p}@${spec.version}`);
  await runLogged(`go install ${spec.name}`, "go", [
    "install",
    ...(spec.installArgs ?? []),
    ...packages,
  ], {
    env: {
      GOBIN: paths.binDir,
      CGO_ENABLED: spec.cgo ? "1" : "0",
      GOFLAGS: "-mod=mod",
      ...spec.env,
    },
    logFile: paths.buildLog,
    progress,
  });
  const built = await Promise.all(Object.values(paths.bin).map(exists));
  const missing = Object.keys(paths.bin).filter((_, i) => !built[i]);
  if (missing.length > 0) {
    throw new Error(
      `${spec.name}: go install finished but did not produce ${missing.join(", ")} ` +
        `(log: ${paths.buildLog})`,
    );
  }
  return paths;
}
