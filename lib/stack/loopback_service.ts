/**
 * A test receiver's process (Alertmanager, Mailpit): started in its state folder, waited for
 * until an HTTP path on loopback answers, and stopped, removing the folder when it was a
 * temporary one.
 *
 * @module
 */

import { isAlive, type StartedService, startService, stopService, waitUntil } from "./process.ts";

/** How {@linkcode startLoopbackService} starts a service and sees that it is ready. */
export interface LoopbackServiceSpec {
  /** Human name; also names its log and pid files (`<dir>/<name>.log`, `<dir>/<name>.pid`). */
  name: string;
  command: string;
  args: string[];
  /** Its state folder (must exist). */
  dir: string;
  /** Remove `dir` when the service is stopped (it is a temporary folder). */
  removeDirOnStop: boolean;
  /** Where it answers, `http://127.0.0.1:<port>` (no trailing slash). */
  url: string;
  /** The path that answers 2xx once it is ready (e.g. `/-/ready`). */
  readyPath: string;
}

/** A service started by {@linkcode startLoopbackService}. */
export interface LoopbackService {
  service: StartedService;
  /** Where it answers (the spec's `url`). */
  url: string;
  /** Its state folder. */
  dir: string;
  /** Stops it (SIGTERM, SIGKILL after 5 s), waits for the exit, removes a temporary folder. */
  stop(): Promise<void>;
}

/**
 * Starts the service and waits (up to 30 s, polling every 100 ms) until `url + readyPath`
 * answers 2xx. When it exits first or never answers, it is stopped and the error says so,
 * naming its log file; the state folder is left for that log to be read.
 *
 * @example
 * ```ts ignore
 * const dir = await Deno.makeTempDir();
 * const { stop } = await startLoopbackService({
 *   name: "alertmanager", command: bin, args: [`--web.listen-address=127.0.0.1:${port}`],
 *   dir, removeDirOnStop: true, url: `http://127.0.0.1:${port}`, readyPath: "/-/ready",
 * });
 * await stop();
 * ```
 */
export async function startLoopbackService(spec: LoopbackServiceSpec): Promise<LoopbackService> {
  const { name, dir, url } = spec;
  const service = await startService({
    name,
    command: spec.command,
    args: spec.args,
    logFile: `${dir}/${name}.log`,
    pidFile: `${dir}/${name}.pid`,
  });
  try {
    await waitUntil(async () => {
      const response = await fetch(`${url}${spec.readyPath}`, {
        signal: AbortSignal.timeout(2_000),
      });
      await response.body?.cancel();
      return response.ok;
    }, {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: `${name} on ${url} (log: ${dir}/${name}.log)`,
      stillAlive: () => isAlive(service.pid),
    });
  } catch (error) {
    await stopService(service.pid, { graceMs: 2_000 });
    throw error;
  }
  return {
    service,
    url,
    dir,
    stop: async () => {
      await stopService(service.pid, { graceMs: 5_000 });
      await service.waitExit();
      if (spec.removeDirOnStop) await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
