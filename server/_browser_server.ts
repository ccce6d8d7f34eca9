/**
 * Test helper: runs the real dashboard server (`server/main.ts`) as a subprocess on a free
 * loopback port, against the stack the environment points at, and stops it with SIGTERM.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { freePorts } from "../lib/stack/free_port.ts";

/** The repository root. */
export const ROOT: string = fileURLToPath(new URL("../", import.meta.url));

/** A running server subprocess. */
export interface ServerHandle {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  origin: string;
  port: number;
  /** The gateway's origin (`LLMOPS_GATEWAY_PORT`, a free port unless `options.env` sets it). */
  gatewayOrigin: string;
  /** Everything the server printed so far (stdout and stderr). */
  output(): string;
  /** Sends SIGTERM and waits for the exit (SIGKILL after `timeoutMs`); returns the exit code. */
  stop(timeoutMs?: number): Promise<number>;
}

async function pump(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const bytes of stream) {
    buffer += decoder.decode(bytes, { stream: true });
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      onLine(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
    }
  }
  if (buffer) onLine(buffer);
}

/**
 * Starts `deno run --allow-all server/main.ts` with `LLMOPS_PORT` and `LLMOPS_GATEWAY_PORT` set
 * to free ports and waits for its `dashboard: <url>` and `gateway: <url>` lines. LLMOPS_TOKEN and LLMOPS_HOST of this process's environment are
 * not passed on, so the server listens on loopback without sign-in unless `options.env` sets them.
 *
 * @example
 * ```ts ignore
 * const server = await startServer();
 * await fetch(`${server.origin}/api/metrics`);
 * await server.stop();
 * ```
 */
export async function startServer(
  options: { timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<ServerHandle> {
  const timeoutMs = options.timeoutMs ?? 180_000;
  const [port, gatewayPort] = freePorts(2);
  const inherited = Deno.env.toObject();
  delete inherited.LLMOPS_TOKEN;
  delete inherited.LLMOPS_HOST;
  const env: Record<string, string> = {
    ...inherited,
    LLMOPS_GATEWAY_PORT: String(gatewayPort),
    ...options.env,
    LLMOPS_PORT: String(port),
  };
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "server/main.ts"],
    cwd: ROOT,
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  let ready: (url: string) => void = () => {};
  const dashboardUrl = new Promise<string>((resolve) => (ready = resolve));
  let gatewayReady: (url: string) => void = () => {};
  const gatewayUrl = new Promise<string>((resolve) => (gatewayReady = resolve));
  const readyUrl = Promise.all([dashboardUrl, gatewayUrl]).then(([url]) => url);
  const onLine = (line: string) => {
    lines.push(line);
    const match = /^dashboard: (http:\/\/\S+)/.exec(line);
    if (match) ready(match[1]);
    const gateway = /^gateway:\s+(http:\/\/\S+?)\/? /.exec(line);
    if (gateway) gatewayReady(gateway[1]);
  };
  const pumps = Promise.all([pump(child.stdout, onLine), pump(child.stderr, onLine)]).catch(
    () => {},
  );
  const output = () => lines.join("\n");
  let exited: Deno.CommandStatus | null = null;
  const status = child.status.then((s) => (exited = s));

  let timer: ReturnType<typeof setTimeout> | undefined;
  const url = await Promise.race([
    readyUrl,
    status.then((s) => {
      throw new Error(`the server exited with code ${s.code} before it was ready:\n${output()}`);
    }),
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the server was not ready after ${timeoutMs} ms:\n${output()}`)),
        timeoutMs,
      );
    }),
  ]).catch(async (error) => {
    clearTimeout(timer);
    if (!exited) {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
    }
    await status;
    await pumps;
    throw error;
  });
  clearTimeout(timer);

  return {
    origin: new URL(url).origin,
    port,
    gatewayOrigin: new URL(await gatewayUrl).origin,
    output,
    async stop(stopTimeoutMs = 60_000) {
      if (!exited) {
        try {
          child.kill("SIGTERM");
        } catch { /* already gone */ }
      }
      let killTimer: ReturnType<typeof setTimeout> | undefined;
      const killed = new Promise<void>((resolve) => {
        killTimer = setTimeout(() => {
          try {
            child.kill("SIGKILL");
          } catch { /* already gone */ }
          resolve();
        }, stopTimeoutMs);
      });
      await Promise.race([status, killed]);
      const s = await status;
      clearTimeout(killTimer);
      await pumps;
      return s.code;
    },
  };
}
