/**
 * Child processes of the local stack: long-running services started in their own process group
 * (so that stopping one stops everything it spawned) and provisioning commands whose output goes
 * to a log file while a heartbeat shows progress.
 *
 * @module
 */

/** How a service process is started. */
export interface ServiceSpawnSpec {
  /** Human name, used in messages. */
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Standard output and error of the service are appended here. */
  logFile: string;
  /** The service's process id is written here. */
  pidFile: string;
  /**
   * Signal that asks the service to stop, sent to the service process alone (default: SIGTERM
   * to its whole process group). PostgreSQL wants SIGINT (fast shutdown) to its postmaster.
   */
  stopSignal?: Deno.Signal;
}

/** A service process that this process started. */
export interface StartedService {
  name: string;
  pid: number;
  /**
   * Waits for the process to exit (and reaps it), keeping the event loop alive meanwhile: the
   * child is unref'd (the service outlives this process), so awaiting its status alone with
   * nothing else pending ends a test with "Promise resolution is still pending but the event loop
   * has already resolved".
   */
  waitExit(): Promise<Deno.CommandStatus>;
  /** Where its pid is recorded. */
  pidFile: string;
  /** See {@linkcode ServiceSpawnSpec.stopSignal}. */
  stopSignal?: Deno.Signal;
}

/**
 * Starts a service in a new session and process group, detached from this process, with its
 * output appended to `logFile` and its pid recorded in `pidFile`.
 *
 * @example
 * ```ts
 * const svc = await startService({
 *   name: "sleeper", command: "sleep", args: ["60"],
 *   logFile: "/tmp/sleeper.log", pidFile: "/tmp/sleeper.pid",
 * });
 * await stopService(svc.pid);
 * ```
 */
export async function startService(spec: ServiceSpawnSpec): Promise<StartedService> {
  // `exec` keeps the pid of the shell, so the recorded pid is the service itself.
  const child = new Deno.Command("sh", {
    args: ["-c", 'exec "$@" >>"$LLMOPS_LOG_FILE" 2>&1', "sh", spec.command, ...spec.args],
    env: { ...spec.env, LLMOPS_LOG_FILE: spec.logFile },
    cwd: spec.cwd,
    stdin: "null",
    stdout: "null",
    stderr: "null",
    detached: true,
  }).spawn();
  child.unref();
  await Deno.writeTextFile(spec.pidFile, `${child.pid}\n`);
  return {
    name: spec.name,
    pid: child.pid,
    waitExit: async () => {
      // A timer keeps the event loop alive while the status is awaited. (Not child.ref(): once
      // the exit has been seen the child's resource is closed and ref() throws BadResource.)
      const keepAlive = setInterval(() => {}, 1_000);
      try {
        return await child.status;
      } finally {
        clearInterval(keepAlive);
      }
    },
    pidFile: spec.pidFile,
    stopSignal: spec.stopSignal,
  };
}

/** The state letter of a /proc `stat` file (it follows the parenthesised command name). */
function procState(statPath: string): string | null {
  try {
    const stat = Deno.readTextFileSync(statPath);
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  } catch {
    return null;
  }
}

const exited = (state: string | null) => state === null || state === "Z" || state === "X";

/**
 * True while any thread of the process still runs. The pid's own state alone is not enough: a
 * multi-threaded process (a JVM) whose main thread has ended shows as a zombie while its other
 * threads are still running or exiting, and until the last one is gone its sockets stay open.
 */
function anyThreadLive(pid: number): boolean {
  try {
    for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
      if (!exited(procState(`/proc/${pid}/task/${task.name}/stat`))) return true;
    }
  } catch {
    // the process is gone
  }
  return false;
}

/**
 * True when a process with this pid exists and has a thread that is not a zombie.
 *
 * @example
 * ```ts
 * isAlive(Deno.pid); // true
 * ```
 */
export function isAlive(pid: number): boolean {
  const state = procState(`/proc/${pid}/stat`);
  if (state === null) return false;
  return !exited(state) || anyThreadLive(pid);
}

/** Pids of every live process in a process group (read from /proc). */
export function processGroupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // fields[0] = state, fields[1] = ppid, fields[2] = pgrp
      const pid = Number(entry.name);
      if (Number(fields[2]) === pgid && (fields[0] !== "Z" || anyThreadLive(pid))) {
        members.push(pid);
      }
    } catch {
      // the process ended while we looked
    }
  }
  return members;
}

/** Options of {@linkcode stopService}. */
export interface StopOptions {
  /** Time between the polite signal and SIGKILL (default 15 s). */
  graceMs?: number;
  /**
   * A signal for the service process alone instead of SIGTERM to the group (its children end
   * as the service ends them); SIGKILL to the group still follows after `graceMs`.
   */
  signal?: Deno.Signal;
}

/**
 * Stops a service and every process in its group: SIGTERM first (or `signal` to the service
 * process alone), SIGKILL to the group after `graceMs`. Resolves when no process of the group is
 * left.
 *
 * @example
 * ```ts
 * await stopService(12345, { graceMs: 5000 });
 * await stopService(23456, { signal: "SIGINT" }); // PostgreSQL's fast shutdown
 * ```
 */
export async function stopService(pid: number, options: StopOptions = {}): Promise<void> {
  const graceMs = options.graceMs ?? 15_000;
  if (options.signal) {
    try {
      Deno.kill(pid, options.signal);
    } catch {
      // already gone
    }
  } else {
    signalGroup(pid, "SIGTERM");
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (processGroupMembers(pid).length === 0 && !isAlive(pid)) return;
    await delay(100);
  }
  signalGroup(pid, "SIGKILL");
  const killDeadline = Date.now() + 5_000;
  while (Date.now() < killDeadline) {
    if (processGroupMembers(pid).length === 0 && !isAlive(pid)) return;
    await delay(100);
  }
  throw new Error(`process group ${pid} did not stop after SIGKILL`);
}

function signalGroup(pid: number, signal: Deno.Signal): void {
  try {
    Deno.kill(-pid, signal);
  } catch {
    try {
      Deno.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Reads a pid file; null when it is missing or holds no number. */
export async function readPidFile(path: string): Promise<number | null> {
  try {
    const pid = Number((await Deno.readTextFile(path)).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/** Options of {@linkcode runLogged}. */
export interface RunLoggedOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** Output of the command is written here. */
  logFile: string;
  /** Where progress lines go; defaults to standard error. */
  progress?: (line: string) => void;
  /** Interval of the "still running" heartbeat. */
  heartbeatMs?: number;
}

/**
 * Runs a provisioning command to completion with its output in a log file, printing a heartbeat
 * while it runs; throws with the log's last lines when it fails.
 *
 * @example
 * ```ts
 * await runLogged("download jars", "mvn", ["-q", "dependency:copy-dependencies"], {
 *   logFile: "/tmp/mvn.log",
 * });
 * ```
 */
export async function runLogged(
  label: string,
  command: string,
  args: string[],
  options: RunLoggedOptions,
): Promise<void> {
  const progress = options.progress ?? ((line: string) => console.error(line));
  const started = Date.now();
  const file = await Deno.open(options.logFile, { create: true, append: true });
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(command, {
      args,
      env: options.env,
      cwd: options.cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    file.close();
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(`${label}: the command "${command}" was not found on PATH`);
    }
    throw error;
  }
  const timer = setInterval(() => {
    progress(`  … ${label} (${formatSeconds(Date.now() - started)})`);
  }, options.heartbeatMs ?? 15_000);
  try {
    // One chain of writes keeps the two streams' chunks whole in the log.
    let chain = Promise.resolve();
    const append = (chunk: Uint8Array) => {
      chain = chain.then(() => writeAll(file, chunk));
      return chain;
    };
    const drain = async (stream: ReadableStream<Uint8Array>) => {
      for await (const chunk of stream) await append(chunk);
    };
    await Promise.all([drain(child.stdout), drain(child.stderr)]);
    const status = await child.status;
    if (!status.success) {
      const tail = await tailFile(options.logFile, 25);
      throw new Error(
        `${label} failed (exit code ${status.code}); see ${options.logFile}. Last lines:\n${tail}`,
      );
    }
  } finally {
    clearInterval(timer);
    file.close();
  }
}

async function writeAll(file: Deno.FsFile, chunk: Uint8Array): Promise<void> {
  let written = 0;
  while (written < chunk.length) written += await file.write(chunk.subarray(written));
}

/** The last `lines` lines of a text file ("" when it is missing). */
export async function tailFile(path: string, lines: number): Promise<string> {
  try {
    const text = await Deno.readTextFile(path);
    return text.trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

/** Runs a command and returns its trimmed standard output, or null when it cannot run. */
export async function commandOutput(command: string, args: string[]): Promise<string | null> {
  try {
    const out = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" })
      .output();
    if (!out.success) return null;
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    return text.trim();
  } catch {
    return null;
  }
}

/**
 * Polls `check` until it returns true or the time runs out.
 *
 * @example
 * ```ts
 * await waitUntil(() => Promise.resolve(true), { timeoutMs: 1000, what: "nothing" });
 * ```
 */
export async function waitUntil(
  check: () => Promise<boolean>,
  options: { timeoutMs: number; intervalMs?: number; what: string; stillAlive?: () => boolean },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    if (options.stillAlive && !options.stillAlive()) {
      throw new Error(`${options.what}: the process exited before it answered`);
    }
    await delay(options.intervalMs ?? 250);
  }
  throw new Error(`${options.what}: no answer within ${formatSeconds(options.timeoutMs)}`);
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `83000` → `"1m23s"`. */
export function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

/** True when something accepts TCP connections on host:port. */
export async function isPortOpen(hostname: string, port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname, port });
    conn.close();
    return true;
  } catch {
    return false;
  }
}

/**
 * Throws a clear error when a local service's port is taken by another program, naming the
 * variable that moves the service and the one that uses the program instead.
 *
 * @example
 * ```ts
 * await ensurePortFree("mlflow", 5000, "LLMOPS_MLFLOW_PORT", "MLFLOW_TRACKING_URI=http://127.0.0.1:5000", "an MLflow server");
 * ```
 */
export async function ensurePortFree(
  service: string,
  port: number,
  portVariable: string,
  useInstead: string,
  what: string,
): Promise<void> {
  if (await isPortOpen("127.0.0.1", port)) {
    throw new Error(
      `${service}: port ${port} is already in use by another program; set ${portVariable} to a ` +
        `free port, or ${useInstead} if that program is ${what} you want to use`,
    );
  }
}

/** True when nothing listens on 127.0.0.1:port and this process may bind it. */
export function isPortFree(port: number): boolean {
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
    return true;
  } catch {
    return false;
  }
}

/**
 * The first port at or above `first` that starts `count` consecutive free ports on loopback
 * (for a Kafka cluster's client and controller listeners). Throws a RangeError when there is
 * none below `last`.
 *
 * @example
 * ```ts
 * freePortBlock(19192, 6); // 19192 when 19192–19197 are free
 * ```
 */
export function freePortBlock(first: number, count: number, last = 65535): number {
  if (!Number.isInteger(first) || first < 1 || !Number.isInteger(count) || count < 1) {
    throw new RangeError(`expected a first port ≥ 1 and a count ≥ 1, found ${first} and ${count}`);
  }
  for (let base = first; base + count - 1 <= last; base++) {
    let free = 0;
    while (free < count && isPortFree(base + free)) free++;
    if (free === count) return base;
    base += free; // the port at base + free is taken: start after it
  }
  throw new RangeError(`no ${count} consecutive free ports between ${first} and ${last}`);
}
