/**
 * A small SMTP client on `Deno.connect`: plain SMTP, STARTTLS (`Deno.startTls`) and implicit TLS
 * (`Deno.connectTls`), certificates verified (with an extra CA when given), AUTH PLAIN or LOGIN
 * (never on a connection without TLS unless allowed), one plain-text UTF-8 message per
 * connection (RFC 5321/5322, body in base64, non-ASCII subjects as RFC 2047 encoded words).
 *
 * @module
 */

import { DeliveryError } from "./types.ts";

/** Where and how to connect. */
export interface SmtpOptions {
  host: string;
  port: number;
  /** `none`: plain; `starttls`: upgrade after EHLO (required); `tls`: TLS from the first byte. */
  tls: "none" | "starttls" | "tls";
  username?: string;
  password?: string;
  /** Extra PEM CA certificates to trust. */
  caCerts?: string[];
  /** Name sent with EHLO (default `localhost`). */
  helo?: string;
  /** Allow AUTH on a connection without TLS. */
  allowInsecureAuth?: boolean;
  /** Time limit of the whole exchange (default 15 s). */
  timeoutMs?: number;
}

/** A plain-text message. */
export interface MailMessage {
  from: string;
  to: string[];
  subject: string;
  text: string;
  /** Extra headers (for example `Message-ID`); names and values must be single-line. */
  headers?: Record<string, string>;
  date?: Date;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function singleLine(value: string): string {
  return value.replace(/[\r\n]+/g, " ");
}

/**
 * A header value, as RFC 2047 encoded words when it is not plain ASCII (each word ≤ 75 chars,
 * never splitting a character).
 *
 * @example
 * ```ts
 * import { encodeHeader } from "./smtp.ts";
 * encodeHeader("plain"); // "plain"
 * encodeHeader("Ünïcode").startsWith("=?UTF-8?B?"); // true
 * ```
 */
export function encodeHeader(value: string): string {
  const line = singleLine(value);
  if (/^[\x20-\x7e]*$/.test(line)) return line;
  const words: string[] = [];
  let chunk = "";
  for (const char of line) {
    if (encoder.encode(chunk + char).length > 45) {
      words.push(chunk);
      chunk = "";
    }
    chunk += char;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${base64(encoder.encode(w))}?=`).join("\r\n ");
}

/**
 * The message as RFC 5322 text with CRLF line ends: From, To, Subject, Date, MIME headers, the
 * extra headers, then the UTF-8 text body in base64 lines of 76 characters.
 *
 * @example
 * ```ts
 * import { buildMessage } from "./smtp.ts";
 * buildMessage({ from: "a@x.test", to: ["b@x.test"], subject: "hi", text: "hello",
 *   date: new Date(0) }).includes("Subject: hi\r\n"); // true
 * ```
 */
export function buildMessage(message: MailMessage): string {
  const headers: [string, string][] = [
    ["From", singleLine(message.from)],
    ["To", message.to.map(singleLine).join(", ")],
    ["Subject", encodeHeader(message.subject)],
    ["Date", (message.date ?? new Date()).toUTCString().replace("GMT", "+0000")],
    ["MIME-Version", "1.0"],
    ["Content-Type", "text/plain; charset=utf-8"],
    ["Content-Transfer-Encoding", "base64"],
  ];
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (!/^[A-Za-z0-9-]+$/.test(name)) throw new TypeError(`Invalid header name "${name}"`);
    headers.push([name, singleLine(value)]);
  }
  const text = message.text.replace(/\r?\n/g, "\r\n");
  const body = base64(encoder.encode(text)).replace(/.{1,76}/g, "$&\r\n");
  return `${headers.map(([k, v]) => `${k}: ${v}`).join("\r\n")}\r\n\r\n${body}`;
}

type Conn = Deno.Conn | Deno.TlsConn;

/** Reads SMTP replies (possibly multi-line) from a connection. */
class ReplyReader {
  #buffer = "";
  #chunk = new Uint8Array(4096);
  constructor(readonly conn: Conn) {}

  /** True when no unread bytes are buffered (required before STARTTLS). */
  get empty(): boolean {
    return this.#buffer.length === 0;
  }

  async #line(): Promise<string> {
    while (true) {
      const end = this.#buffer.indexOf("\r\n");
      if (end >= 0) {
        const line = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        return line;
      }
      if (this.#buffer.length > 64_000) throw new Error("SMTP reply line too long");
      const n = await this.conn.read(this.#chunk);
      if (n === null) throw new Error("the SMTP server closed the connection");
      this.#buffer += decoder.decode(this.#chunk.subarray(0, n), { stream: true });
    }
  }

  async reply(): Promise<{ code: number; lines: string[] }> {
    const lines: string[] = [];
    while (true) {
      const line = await this.#line();
      const match = /^(\d{3})([ -])(.*)$/.exec(line);
      if (!match) throw new Error(`malformed SMTP reply "${line.slice(0, 100)}"`);
      lines.push(match[3]);
      if (match[2] === " ") return { code: Number(match[1]), lines };
    }
  }
}

async function writeAll(conn: Conn, text: string): Promise<void> {
  const bytes = encoder.encode(text);
  let written = 0;
  while (written < bytes.length) written += await conn.write(bytes.subarray(written));
}

/**
 * Sends one message. Throws `DeliveryError`: retryable for connection problems, timeouts and 4xx
 * replies, final for 5xx replies (a rejected recipient, a refused login).
 *
 * @example
 * ```ts ignore
 * await sendMail({ host: "127.0.0.1", port: 1025, tls: "none" },
 *   { from: "a@x.test", to: ["b@x.test"], subject: "hi", text: "hello" });
 * ```
 */
export async function sendMail(options: SmtpOptions, message: MailMessage): Promise<string> {
  if (message.to.length === 0) throw new TypeError("Expected at least one recipient, found none");
  const label = `smtp ${options.host}:${options.port}`;
  // The time limit runs from the first byte: connecting and the TLS handshake count too (and a
  // pending timer keeps the event loop alive while a TLS read waits for its handshake).
  let timedOut = false;
  let conn: Conn | null = null;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      conn?.close();
    } catch {
      // already closed
    }
  }, options.timeoutMs ?? 15_000);
  try {
    conn = options.tls === "tls"
      ? await Deno.connectTls({
        hostname: options.host,
        port: options.port,
        caCerts: options.caCerts,
      })
      : await Deno.connect({ hostname: options.host, port: options.port });
    if (timedOut) conn.close();
  } catch (error) {
    clearTimeout(timer);
    throw new DeliveryError(`${label}: ${timedOut ? "timed out" : (error as Error).message}`, {
      retryable: true,
      cause: error,
    });
  }
  let reader = new ReplyReader(conn as Conn);
  const expect = async (step: string, ok: (code: number) => boolean) => {
    const reply = await reader.reply();
    if (!ok(reply.code)) {
      throw new DeliveryError(`${label}: ${step} answered ${reply.code} ${reply.lines.join(" ")}`, {
        retryable: reply.code < 500,
        status: reply.code,
      });
    }
    return reply;
  };
  const command = async (line: string, step: string, ok: (code: number) => boolean) => {
    await writeAll(conn!, `${line}\r\n`);
    return await expect(step, ok);
  };
  const is2xx = (code: number) => code >= 200 && code < 300;
  try {
    await expect("greeting", (c) => c === 220);
    const helo = options.helo ?? "localhost";
    let ehlo = await command(`EHLO ${helo}`, "EHLO", (c) => c === 250);
    let secure = options.tls === "tls";
    if (options.tls === "starttls") {
      if (!ehlo.lines.some((l) => /^STARTTLS\b/i.test(l))) {
        throw new DeliveryError(`${label}: the server does not offer STARTTLS`, {
          retryable: false,
        });
      }
      await command("STARTTLS", "STARTTLS", (c) => c === 220);
      if (!reader.empty) throw new Error("unexpected data after STARTTLS (possible injection)");
      conn = await Deno.startTls(conn as Deno.TcpConn, {
        hostname: options.host,
        caCerts: options.caCerts,
      });
      reader = new ReplyReader(conn);
      secure = true;
      ehlo = await command(`EHLO ${helo}`, "EHLO after STARTTLS", (c) => c === 250);
    }
    if (options.username !== undefined) {
      if (!secure && !options.allowInsecureAuth) {
        throw new DeliveryError(`${label}: refusing AUTH on a connection without TLS`, {
          retryable: false,
        });
      }
      const auth = ehlo.lines.find((l) => /^AUTH\b/i.test(l))?.toUpperCase() ?? "";
      const user = options.username;
      const password = options.password ?? "";
      if (/\bPLAIN\b/.test(auth)) {
        const token = base64(encoder.encode(`\u0000${user}\u0000${password}`));
        await command(`AUTH PLAIN ${token}`, "AUTH PLAIN", (c) => c === 235);
      } else if (/\bLOGIN\b/.test(auth)) {
        await command("AUTH LOGIN", "AUTH LOGIN", (c) => c === 334);
        await command(base64(encoder.encode(user)), "AUTH LOGIN user", (c) => c === 334);
        await command(base64(encoder.encode(password)), "AUTH LOGIN password", (c) => c === 235);
      } else {
        throw new DeliveryError(`${label}: the server offers neither AUTH PLAIN nor LOGIN`, {
          retryable: false,
        });
      }
    }
    await command(`MAIL FROM:<${singleLine(message.from)}>`, "MAIL FROM", is2xx);
    for (const to of message.to) {
      await command(`RCPT TO:<${singleLine(to)}>`, `RCPT TO ${to}`, is2xx);
    }
    await command("DATA", "DATA", (c) => c === 354);
    const data = buildMessage(message).replace(/\r\n$/, "").split("\r\n")
      .map((l) => (l.startsWith(".") ? `.${l}` : l)).join("\r\n");
    const done = await command(`${data}\r\n.`, "end of DATA", is2xx);
    await writeAll(conn!, "QUIT\r\n").catch(() => {});
    return done.lines.join(" ");
  } catch (error) {
    if (error instanceof DeliveryError) throw error;
    const reason = timedOut ? "timed out" : (error as Error).message;
    throw new DeliveryError(`${label}: ${reason}`, { retryable: true, cause: error });
  } finally {
    clearTimeout(timer);
    try {
      conn?.close();
    } catch {
      // closed by the timer or the server
    }
  }
}
