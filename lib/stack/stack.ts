/**
 * Lifecycle of the whole local stack: provision what is missing, start what is not running,
 * reuse what already runs, skip what the environment points elsewhere, and stop only what this
 * process started.
 *
 * @module
 */

import type { StackConfig } from "./config.ts";
import {
  ensureTopics,
  kafkaAnswers,
  kafkaNodePid,
  kafkaStatus,
  prepareKafkaStorage,
  provisionKafka,
  recordedKafkaPidFiles,
  startKafkaNodes,
} from "./kafka.ts";
import { mlflowAnswers, mlflowPaths, mlflowStatus, startMlflow } from "./mlflow.ts";
import { postgresAnswers, postgresPaths, preparePostgres, startPostgres } from "./postgres.ts";
import {
  ensureVariantModels,
  ollamaPaths,
  ollamaStatus,
  ollamaVersion,
  provisionOllama,
  startOllama,
} from "./ollama.ts";
import { provisionPython } from "./python_env.ts";
import { ensureDenoKernel } from "./jupyter.ts";
import {
  formatSeconds,
  isAlive,
  readPidFile,
  type StartedService,
  stopService,
} from "./process.ts";

/** The services of the stack (`postgres` only with `LLMOPS_MLFLOW_DB=postgresql`). */
export type ServiceName = "kafka" | "mlflow" | "postgres" | "ollama";

/** Every service, in the order `stack down` reports them. */
export const SERVICE_NAMES: readonly ServiceName[] = Object.freeze([
  "kafka",
  "mlflow",
  "postgres",
  "ollama",
]);

/** Options of {@linkcode stackUp}. */
export interface StackUpOptions {
  /** Where progress lines go (default: standard error). */
  progress?: (line: string) => void;
  /** Also install the Deno kernel for Jupyter (default true). */
  jupyter?: boolean;
  /**
   * Bring up only these services (default: all). MLflow on PostgreSQL brings PostgreSQL too;
   * the topics are created only when Kafka is among them.
   */
  services?: readonly ServiceName[];
}

/** What {@linkcode stackUp} did, and how to undo it. */
export interface StackHandle {
  config: StackConfig;
  /** Services this process started (and will stop). */
  started: StartedService[];
  /** Services that were already running or are external, left alone on stop. */
  reused: ServiceName[];
  /** Stops the services this process started. Idempotent. */
  stop(): Promise<void>;
}

/** The status of every service, as `stack status --json` prints it. */
export interface StackStatus {
  kafka: Awaited<ReturnType<typeof kafkaStatus>> & { external: boolean };
  mlflow: Awaited<ReturnType<typeof mlflowStatus>> & { external: boolean };
  ollama: Awaited<ReturnType<typeof ollamaStatus>> & { external: boolean };
}

/**
 * Brings the stack up: provisions (in parallel) and starts whatever is neither external nor
 * already running (every Kafka node; PostgreSQL before MLflow on that backend), waits until
 * each answers, and creates the topics.
 *
 * @example
 * ```ts
 * const stack = await stackUp(loadStackConfig());
 * // ... use Kafka, MLflow and Ollama ...
 * await stack.stop();
 * ```
 */
export async function stackUp(
  config: StackConfig,
  options: StackUpOptions = {},
): Promise<StackHandle> {
  const progress = options.progress ?? ((line: string) => console.error(line));
  const t0 = Date.now();
  const wanted = new Set(options.services ?? SERVICE_NAMES);
  for (const service of wanted) {
    if (!SERVICE_NAMES.includes(service)) {
      throw new TypeError(`services must be among ${SERVICE_NAMES.join(", ")}, found "${service}"`);
    }
  }
  const onPostgres = config.mlflow.backend === "postgresql" &&
    (wanted.has("mlflow") || wanted.has("postgres"));
  wanted.delete("postgres");
  if (onPostgres) wanted.add("postgres");
  const needs = {
    kafka: wanted.has("kafka") && !config.kafka.external &&
      !(await runningLocally(config, "kafka")),
    mlflow: wanted.has("mlflow") && !config.mlflow.external &&
      !(await runningLocally(config, "mlflow")),
    postgres: onPostgres && !(await runningLocally(config, "postgres")),
    ollama: wanted.has("ollama") && !config.ollama.external &&
      !(await runningLocally(config, "ollama")),
  };
  const wantsPython = options.jupyter !== false || needs.mlflow;
  await Deno.mkdir(config.stateDir, { recursive: true });

  // Provisioning steps run side by side; all are awaited before a failure is reported, so no
  // download or build is left running behind the error.
  const provisioned = await Promise.allSettled([
    needs.kafka ? provisionKafka(config, progress) : undefined,
    wantsPython ? provisionPython(config, progress) : undefined,
    needs.ollama ? provisionOllama(config, progress) : undefined,
    needs.postgres ? preparePostgres(config, progress) : undefined,
  ]);
  const provisionFailure = provisioned.find((r) => r.status === "rejected");
  if (provisionFailure) throw (provisionFailure as PromiseRejectedResult).reason;
  if (options.jupyter !== false) await ensureDenoKernel(config, progress);
  if (needs.kafka) await prepareKafkaStorage(config, progress);

  const started: StartedService[] = [];
  const handle: StackHandle = {
    config,
    started,
    reused: SERVICE_NAMES.filter((s) => wanted.has(s) && !needs[s]),
    stop: async () => {
      const toStop = started.splice(0);
      await stopInOrder(toStop, progress);
    },
  };
  // Each entry starts one service (Kafka: every node); MLflow on PostgreSQL waits for it.
  const starts: (() => Promise<void>)[] = [];
  const keep = (service: StartedService) => void started.push(service);
  if (needs.kafka) {
    starts.push(async () => {
      for (const node of await startKafkaNodes(config, progress)) keep(node);
    });
  }
  if (needs.mlflow || needs.postgres) {
    starts.push(async () => {
      if (needs.postgres) keep(await startPostgres(config, progress));
      if (needs.mlflow) keep(await startMlflow(config, progress));
    });
  }
  if (needs.ollama) starts.push(async () => keep(await startOllama(config, progress)));
  const results = await Promise.allSettled(starts.map((start) => start()));
  const failure = results.find((r) => r.status === "rejected") as PromiseRejectedResult | undefined;
  if (failure) {
    await handle.stop();
    throw failure.reason;
  }
  if (wanted.has("kafka")) await ensureTopics(config);
  // a local Ollama started earlier may predate the stack's second model
  if (wanted.has("ollama") && !needs.ollama) await ensureVariantModels(config, progress);
  progress(
    `stack: up in ${formatSeconds(Date.now() - t0)}` +
      (handle.reused.length ? ` (reused: ${handle.reused.join(", ")})` : ""),
  );
  return handle;
}

/** Stops services: everything but PostgreSQL side by side, then PostgreSQL (MLflow uses it). */
async function stopInOrder(
  services: StartedService[],
  progress: (line: string) => void,
): Promise<void> {
  const stopOne = async (svc: StartedService) => {
    progress(`${svc.name}: stopping`);
    await stopService(svc.pid, { signal: svc.stopSignal });
    await Deno.remove(svc.pidFile).catch(() => {});
  };
  await Promise.all(services.filter((s) => s.name !== "postgres").map(stopOne));
  await Promise.all(services.filter((s) => s.name === "postgres").map(stopOne));
}

/**
 * True when the service runs from this stack's state folder and answers (Kafka: every local
 * node is alive and the cluster answers; a node that is down makes `stack up` start it).
 */
async function runningLocally(config: StackConfig, service: ServiceName): Promise<boolean> {
  if (service === "kafka") {
    const pids = await Promise.all(config.kafka.localNodes.map((n) => kafkaNodePid(config, n.id)));
    return pids.every((pid) => pid !== null) && await kafkaAnswers(config.kafka.brokers);
  }
  const pid = await readPidFile(pidFileOf(config, service));
  if (pid === null || !isAlive(pid)) return false;
  switch (service) {
    case "mlflow":
      return await mlflowAnswers(config.mlflow.uri);
    case "postgres":
      return await postgresAnswers(config);
    case "ollama":
      return (await ollamaVersion(config.ollama.host)) !== null;
  }
}

function pidFileOf(config: StackConfig, service: Exclude<ServiceName, "kafka">): string {
  switch (service) {
    case "mlflow":
      return mlflowPaths(config).pid;
    case "postgres":
      return postgresPaths(config).pid;
    case "ollama":
      return ollamaPaths(config).pid;
  }
}

/** Every pid file a service may have left in the state folder (Kafka: one per node). */
async function pidFilesOf(config: StackConfig, service: ServiceName): Promise<string[]> {
  return service === "kafka" ? await recordedKafkaPidFiles(config) : [pidFileOf(config, service)];
}

/**
 * Stops every local service recorded in the state folder (whoever started it, whatever node
 * count or backend it was started with) and waits until none of their processes is left:
 * MLflow before PostgreSQL. Returns the services it stopped.
 *
 * @example
 * ```ts
 * await stackDown(loadStackConfig()); // ["kafka", "mlflow", "ollama"]
 * ```
 */
export async function stackDown(
  config: StackConfig,
  progress: (line: string) => void = (line) => console.error(line),
): Promise<ServiceName[]> {
  const stopped = new Set<ServiceName>();
  const stopAll = async (service: ServiceName) => {
    await Promise.all((await pidFilesOf(config, service)).map(async (file) => {
      const pid = await readPidFile(file);
      if (pid !== null && isAlive(pid)) {
        progress(`${service}: stopping (pid ${pid})`);
        await stopService(pid, service === "postgres" ? { signal: "SIGINT" } : {});
        stopped.add(service);
      }
      await Deno.remove(file).catch(() => {});
    }));
  };
  await Promise.all((["kafka", "mlflow", "ollama"] as const).map(stopAll));
  await stopAll("postgres");
  return SERVICE_NAMES.filter((s) => stopped.has(s)).sort();
}

/**
 * Recorded pids of the local services that are still alive (Kafka: node 1's; see
 * `kafkaStatus` for every node).
 */
export async function livePids(config: StackConfig): Promise<Record<ServiceName, number | null>> {
  const result = { kafka: null, mlflow: null, postgres: null, ollama: null } as Record<
    ServiceName,
    number | null
  >;
  result.kafka = await kafkaNodePid(config, 1);
  for (const service of ["mlflow", "postgres", "ollama"] as const) {
    const pid = await readPidFile(pidFileOf(config, service));
    result[service] = pid !== null && isAlive(pid) ? pid : null;
  }
  return result;
}

/**
 * Health of every service, local or external.
 *
 * @example
 * ```ts
 * const status = await stackStatus(loadStackConfig());
 * status.ollama.models; // ["smollm2:135m"]
 * ```
 */
export async function stackStatus(config: StackConfig): Promise<StackStatus> {
  const [kafka, mlflow, ollama] = await Promise.all([
    kafkaStatus(config),
    mlflowStatus(config),
    ollamaStatus(config),
  ]);
  return {
    kafka: { ...kafka, external: config.kafka.external },
    mlflow: { ...mlflow, external: config.mlflow.external },
    ollama: { ...ollama, external: config.ollama.external },
  };
}

/**
 * Calls `stop` once on SIGINT or SIGTERM, then exits with 130/143. Returns a function that
 * removes the handlers.
 *
 * @example
 * ```ts
 * const remove = stopOnSignals(() => stack.stop());
 * ```
 */
export function stopOnSignals(stop: () => Promise<void>): () => void {
  let stopping = false;
  const handlers = (["SIGINT", "SIGTERM"] as const).map((signal) => {
    const handler = () => {
      if (stopping) return;
      stopping = true;
      stop().catch((error) => console.error(`shutdown: ${error.message}`)).finally(() => {
        Deno.exit(signal === "SIGINT" ? 130 : 143);
      });
    };
    Deno.addSignalListener(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) Deno.removeSignalListener(signal, handler);
  };
}
