/**
 * A guard in front of `Deno.serve` for every listener of the product (dashboard and gateway).
 * Deno's HTTP server keeps a connection that sends its request head slowly open indefinitely and
 * answers an oversized URL or header with an empty 400; the guard closes both holes before any
 * route, authentication included, runs:
 *
 * - each request head must arrive within `headerTimeoutMs` of its first byte (and a new
 *   connection must start one within that time): otherwise 408 and the connection is closed;
 * - a request body must arrive within `bodyTimeoutMs`: otherwise 408 and close;
 * - a request line longer than `maxUrlBytes` gets a JSON 414, a head larger than
 *   `maxHeaderBytes` a JSON 431; a head with both `Content-Length` and `Transfer-Encoding`, or
 *   with a malformed length, a JSON 400 (no request smuggling past the guard);
 * - at most `maxConnections` connections at once (`maxPerClient` per client address): a
 *   connection beyond gets its request head read (within the timeout) and a JSON 503 with
 *   `Retry-After`, so clients see an answer to their request rather than a reset.
 *
 * The guard speaks HTTP/1.1 on the public TCP port, checks each request head and body boundary
 * on the way in (keep-alive and pipelining included), and pipes the bytes to the app's
 * `Deno.serve` on a private Unix socket. The client's address travels in a header the guard sets
 * (and strips from what the client sent), so the app still knows who is calling.
 *
 * @module
 */

/** Header carrying the client's address from the guard to the app. */
export const PEER_HEADER = "x-llmops-peer";

/** Limits of {@linkcode serveGuarded}. */
export interface GuardLimits {
  /** Time a request head may take from its first byte. Default 10 s. */
  headerTimeoutMs?: number;
  /** Time a request body may take from the end of its head. Default 30 s. */
  bodyTimeoutMs?: number;
  /** Longest request line (method, target, version), in bytes. Default 8 KiB. */
  maxUrlBytes?: number;
  /** Largest request head, in bytes. Default 32 KiB. */
  maxHeaderBytes?: number;
  /** Connections open at once. Default 1,000. */
  maxConnections?: number;
  /** Connections open at once from one client address. Default 256. */
  maxPerClient?: number;
}

/** The defaults of {@linkcode GuardLimits}. */
export const DEFAULT_GUARD_LIMITS: Readonly<Required<GuardLimits>> = Object.freeze({
  headerTimeoutMs: 10_000,
  bodyTimeoutMs: 30_000,
  maxUrlBytes: 8 * 1024,
  maxHeaderBytes: 32 * 1024,
  maxConnections: 1_000,
  maxPerClient: 256,
});

/** What the guard refused, for logs and tests. */
export interface GuardCounts {
  accepted: number;
  headerTimeouts: number;
  bodyTimeouts: number;
  uriTooLong: number;
  headersTooLarge: number;
  badRequests: number;
  overCapacity: number;
}

/** Options of {@linkcode serveGuarded}. */
export interface ServeGuardedOptions {
  hostname: string;
  port: number;
  limits?: GuardLimits;
  onListen?: (addr: Deno.NetAddr) => void;
}

/** A running guarded server. */
export interface GuardedServer {
  /** The public address. */
  addr: Deno.NetAddr;
  /** Refusals so far. */
  counts: GuardCounts;
  /** Connections open now. */
  readonly open: number;
  /** Stops accepting, closes every connection, stops the app's server. */
  shutdown(): Promise<void>;
}

/** The request's client address as the guard saw it (or the direct peer without a guard). */
export function clientAddressOf(
  request: Request,
  info: Deno.ServeHandlerInfo<Deno.Addr>,
): string {
  const peer = request.headers.get(PEER_HEADER);
  if (peer) return peer;
  const addr = info.remoteAddr as Deno.NetAddr;
  return addr.hostname ?? "local";
}

/**
 * Serves `handler` behind the guard on `hostname:port`.
 *
 * @example
 * ```ts ignore
 * const server = await serveGuarded({ hostname: "127.0.0.1", port: 8000 }, (req, client) =>
 *   new Response(`hello ${client}`));
 * await server.shutdown();
 * ```
 */
export async function serveGuarded(
  options: ServeGuardedOptions,
  handler: (request: Request, client: string) => Response | Promise<Response>,
): Promise<GuardedServer> {
  const limits = { ...DEFAULT_GUARD_LIMITS, ...options.limits };
  const dir = await Deno.makeTempDir({ prefix: "llmops-guard-" });
  await Deno.chmod(dir, 0o700);
  const socketPath = `${dir}/app.sock`;
  const app = Deno.serve(
    { path: socketPath, onListen: () => {} },
    (request) => {
      const client = request.headers.get(PEER_HEADER) ?? "unknown";
      return handler(request, client);
    },
  );
  const listener = Deno.listen({ hostname: options.hostname, port: options.port });
  const addr = listener.addr as Deno.NetAddr;
  const counts: GuardCounts = {
    accepted: 0,
    headerTimeouts: 0,
    bodyTimeouts: 0,
    uriTooLong: 0,
    headersTooLarge: 0,
    badRequests: 0,
    overCapacity: 0,
  };
  const open = new Set<GuardedConnection>();
  const perClient = new Map<string, number>();
  let closing = false;
  const accepting = (async () => {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch {
        return; // the listener was closed
      }
      const client = (conn.remoteAddr as Deno.NetAddr).hostname;
      const fromClient = perClient.get(client) ?? 0;
      const over = closing || open.size >= limits.maxConnections ||
        fromClient >= limits.maxPerClient;
      if (over) counts.overCapacity++;
      else counts.accepted++;
      perClient.set(client, fromClient + 1);
      const guarded = new GuardedConnection(conn, client, socketPath, limits, counts, over);
      open.add(guarded);
      guarded.run().finally(() => {
        open.delete(guarded);
        const left = (perClient.get(client) ?? 1) - 1;
        if (left <= 0) perClient.delete(client);
        else perClient.set(client, left);
      });
    }
  })();
  options.onListen?.(addr);
  return {
    addr,
    counts,
    get open() {
      return open.size;
    },
    shutdown: async () => {
      closing = true;
      listener.close();
      await accepting;
      await app.shutdown();
      for (const c of open) c.close();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

const CRLF2 = new Uint8Array([13, 10, 13, 10]);
const encoder = new TextEncoder();
const latin1 = new TextDecoder("latin1");

/** Writes a JSON error and closes the connection (best effort). */
function refuse(
  conn: Deno.Conn,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({ error: { code, message } });
  const reason = STATUS_TEXT[status] ?? "Error";
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("");
  const head = `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\n` +
    `content-length: ${encoder.encode(body).length}\r\n${extra}connection: close\r\n\r\n`;
  conn.write(encoder.encode(head + body)).catch(() => {}).finally(() => {
    try {
      conn.close();
    } catch { /* already closed */ }
  });
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  408: "Request Timeout",
  414: "URI Too Long",
  431: "Request Header Fields Too Large",
  503: "Service Unavailable",
};

/** Where the reader is in the request stream of one connection. */
type Phase =
  | { kind: "head" }
  | { kind: "fixed"; left: number }
  | { kind: "chunked"; state: ChunkState };

/** State of a chunked body: reading a size line, chunk data, the CRLF after it, or trailers. */
interface ChunkState {
  step: "size" | "data" | "data_crlf" | "trailer";
  left: number;
  line: string;
}

/** One client connection: request boundaries checked on the way in, bytes piped both ways. */
class GuardedConnection {
  readonly #conn: Deno.Conn;
  readonly #client: string;
  readonly #socketPath: string;
  readonly #limits: Required<GuardLimits>;
  readonly #counts: GuardCounts;
  /** Over the connection caps: answer the first request with 503 and close. */
  readonly #over: boolean;
  #upstream: Deno.UnixConn | null = null;
  #closed = false;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    conn: Deno.Conn,
    client: string,
    socketPath: string,
    limits: Required<GuardLimits>,
    counts: GuardCounts,
    over = false,
  ) {
    this.#over = over;
    this.#conn = conn;
    this.#client = client;
    this.#socketPath = socketPath;
    this.#limits = limits;
    this.#counts = counts;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    for (const c of [this.#conn, this.#upstream]) {
      try {
        c?.close();
      } catch { /* already closed */ }
    }
  }

  #deadline(ms: number, onExpire: () => void): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(onExpire, ms);
  }

  #clearDeadline(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #refuse(
    status: number,
    code: string,
    message: string,
    headers: Record<string, string> = {},
  ): void {
    if (this.#closed) return;
    this.#clearDeadline();
    this.#closed = true;
    try {
      this.#upstream?.close();
    } catch { /* already closed */ }
    refuse(this.#conn, status, code, message, headers);
  }

  async run(): Promise<void> {
    const headerTimeout = () => {
      this.#counts.headerTimeouts++;
      this.#refuse(
        408,
        "request_timeout",
        `the request head did not arrive within ${this.#limits.headerTimeoutMs} ms`,
      );
    };
    // A new connection must start (and finish) its first request head in time.
    this.#deadline(this.#limits.headerTimeoutMs, headerTimeout);
    let phase: Phase = { kind: "head" };
    let head: Uint8Array = new Uint8Array(0);
    const buffer = new Uint8Array(64 * 1024);
    let pumping: Promise<void> | null = null;
    try {
      for (;;) {
        let n: number | null;
        try {
          n = await this.#conn.read(buffer);
        } catch {
          n = null;
        }
        if (n === null || this.#closed) break;
        let chunk: Uint8Array = buffer.subarray(0, n);
        while (chunk.length > 0 && !this.#closed) {
          if (phase.kind === "head") {
            if (head.length === 0) this.#deadline(this.#limits.headerTimeoutMs, headerTimeout);
            const joined = concat(head, chunk);
            const end = indexOf(joined, CRLF2, Math.max(0, head.length - 3));
            const lineEnd = indexOf(joined, CRLF2.subarray(0, 2), 0);
            if ((lineEnd < 0 ? joined.length : lineEnd) > this.#limits.maxUrlBytes) {
              this.#counts.uriTooLong++;
              this.#refuse(
                414,
                "uri_too_long",
                `the request line exceeds ${this.#limits.maxUrlBytes} bytes`,
              );
              break;
            }
            if ((end < 0 ? joined.length : end + 4) > this.#limits.maxHeaderBytes) {
              this.#counts.headersTooLarge++;
              this.#refuse(
                431,
                "headers_too_large",
                `the request head exceeds ${this.#limits.maxHeaderBytes} bytes`,
              );
              break;
            }
            if (end < 0) {
              head = joined;
              chunk = new Uint8Array(0);
              break;
            }
            const parsed = parseHead(latin1.decode(joined.subarray(0, end)));
            if (typeof parsed === "string") {
              this.#counts.badRequests++;
              this.#refuse(400, "bad_request", parsed);
              break;
            }
            if (this.#over) {
              this.#refuse(503, "unavailable", "too many connections; retry shortly", {
                "retry-after": "1",
              });
              break;
            }
            this.#upstream ??= await Deno.connect({ transport: "unix", path: this.#socketPath });
            pumping ??= this.#pumpDown();
            const rewritten = encoder.encode(
              `${parsed.requestLine}\r\n${parsed.headerLines}${PEER_HEADER}: ${this.#client}` +
                "\r\n\r\n",
            );
            await writeAll(this.#upstream, rewritten);
            chunk = joined.subarray(end + 4);
            head = new Uint8Array(0);
            phase = parsed.body;
            if (phase.kind === "head") this.#clearDeadline();
            else {
              this.#deadline(this.#limits.bodyTimeoutMs, () => {
                this.#counts.bodyTimeouts++;
                this.#refuse(
                  408,
                  "request_timeout",
                  `the request body did not arrive within ${this.#limits.bodyTimeoutMs} ms`,
                );
              });
            }
            continue;
          }
          // body bytes: forward up to the end of the body, then expect the next head
          const { used, done, error } = phase.kind === "fixed"
            ? consumeFixed(phase, chunk)
            : consumeChunked(phase.state, chunk);
          if (error) {
            this.#counts.badRequests++;
            this.#refuse(400, "bad_request", error);
            break;
          }
          await writeAll(this.#upstream!, chunk.subarray(0, used));
          chunk = chunk.subarray(used);
          if (done) {
            phase = { kind: "head" };
            this.#clearDeadline();
          }
        }
      }
    } catch {
      // a broken connection on either side ends it
    } finally {
      this.#clearDeadline();
      // the client is done sending: let the app finish its answer, then close
      try {
        await this.#upstream?.closeWrite();
      } catch { /* closed */ }
      await pumping?.catch(() => {});
      this.close();
    }
  }

  /** Copies the app's answers to the client until the app closes. */
  async #pumpDown(): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await this.#upstream!.read(buffer);
        if (n === null) break;
        await writeAll(this.#conn, buffer.subarray(0, n));
      }
    } catch {
      // either side went away
    } finally {
      this.close();
    }
  }
}

/** A parsed request head: its lines to forward and how its body ends. */
interface ParsedHead {
  requestLine: string;
  /** Header lines, each ending in CRLF, without the peer header. */
  headerLines: string;
  body: Phase;
}

/** Parses a request head (without the final blank line); returns an error text when invalid. */
export function parseHead(text: string): ParsedHead | string {
  const lines = text.split("\r\n");
  const requestLine = lines[0];
  if (!/^[A-Z]+ \S+ HTTP\/1\.[01]$/.test(requestLine)) {
    return `malformed request line: ${JSON.stringify(requestLine.slice(0, 80))}`;
  }
  let length: number | null = null;
  let chunked = false;
  let headerLines = "";
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0 || /\s/.test(line.slice(0, colon))) {
      return `malformed header line: ${JSON.stringify(line.slice(0, 80))}`;
    }
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === PEER_HEADER) continue; // only the guard sets it
    if (name === "content-length") {
      if (!/^\d{1,15}$/.test(value) || (length !== null && Number(value) !== length)) {
        return `invalid content-length: ${JSON.stringify(value.slice(0, 40))}`;
      }
      length = Number(value);
    } else if (name === "transfer-encoding") {
      if (value.toLowerCase() !== "chunked") {
        return `unsupported transfer-encoding: ${JSON.stringify(value.slice(0, 40))}`;
      }
      chunked = true;
    }
    headerLines += `${line}\r\n`;
  }
  if (chunked && length !== null) {
    return "a request must not carry both content-length and transfer-encoding";
  }
  const body: Phase = chunked
    ? { kind: "chunked", state: { step: "size", left: 0, line: "" } }
    : length
    ? { kind: "fixed", left: length }
    : { kind: "head" };
  return { requestLine, headerLines, body };
}

function consumeFixed(
  phase: { kind: "fixed"; left: number },
  chunk: Uint8Array,
): { used: number; done: boolean; error?: string } {
  const used = Math.min(phase.left, chunk.length);
  phase.left -= used;
  return { used, done: phase.left === 0 };
}

/**
 * Advances a chunked body over `chunk`; returns the bytes that belong to the body and whether
 * it ended (after the last chunk and its trailers).
 */
export function consumeChunked(
  state: ChunkState,
  chunk: Uint8Array,
): { used: number; done: boolean; error?: string } {
  let i = 0;
  while (i < chunk.length) {
    if (state.step === "data") {
      const take = Math.min(state.left, chunk.length - i);
      i += take;
      state.left -= take;
      if (state.left === 0) {
        state.step = "data_crlf";
        state.line = "";
      }
      continue;
    }
    const byte = chunk[i++];
    if (byte !== 10) {
      state.line += String.fromCharCode(byte);
      if (state.line.length > 4096) return { used: i, done: false, error: "chunk line too long" };
      continue;
    }
    const line = state.line.endsWith("\r") ? state.line.slice(0, -1) : state.line;
    state.line = "";
    if (state.step === "data_crlf") {
      if (line !== "") return { used: i, done: false, error: "missing CRLF after chunk data" };
      state.step = "size";
    } else if (state.step === "size") {
      const size = /^([0-9a-fA-F]{1,12})(;.*)?$/.exec(line);
      if (!size) {
        return { used: i, done: false, error: `invalid chunk size ${JSON.stringify(line)}` };
      }
      state.left = parseInt(size[1], 16);
      state.step = state.left === 0 ? "trailer" : "data";
    } else if (line === "") {
      return { used: i, done: true }; // trailer: the blank line ends the body
    }
  }
  return { used: i, done: false };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b.slice();
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  outer: for (let i = from; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await conn.write(bytes.subarray(written));
}
