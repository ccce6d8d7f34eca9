/**
 * The connection guard on real sockets: requests pass through unchanged (keep-alive, chunked
 * bodies, streamed answers), the client's address reaches the app and cannot be forged, and
 * slow heads, slow bodies, oversized lines and heads, smuggling attempts and too many
 * connections are refused with JSON before the app sees them.
 */
import assert from "node:assert/strict";
import { consumeChunked, type GuardLimits, parseHead, serveGuarded } from "./connection_guard.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function withServer(
  limits: GuardLimits,
  fn: (port: number, seen: string[]) => Promise<void>,
) {
  const seen: string[] = [];
  const server = await serveGuarded(
    { hostname: "127.0.0.1", port: 0, limits },
    async (req, client) => {
      seen.push(`${req.method} ${new URL(req.url).pathname} from ${client}`);
      if (new URL(req.url).pathname === "/stream") {
        const body = new ReadableStream({
          async start(controller) {
            for (let i = 0; i < 3; i++) {
              controller.enqueue(encoder.encode(`data: ${i}\n\n`));
              await new Promise((r) => setTimeout(r, 400));
            }
            controller.close();
          },
        });
        return new Response(body, { headers: { "content-type": "text/event-stream" } });
      }
      const text = req.body ? await req.text() : "";
      return Response.json({
        method: req.method,
        length: text.length,
        peer: req.headers.get("x-llmops-peer"),
      });
    },
  );
  try {
    await fn(server.addr.port, seen);
  } finally {
    await server.shutdown();
  }
}

/** Sends raw bytes, then reads until the server closes or `until` matches. */
async function raw(
  port: number,
  parts: (Uint8Array | string | number)[],
  until?: RegExp,
): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  let text = "";
  let done = false;
  const reading = (async () => {
    const buffer = new Uint8Array(65536);
    for (;;) {
      let n: number | null = null;
      try {
        n = await conn.read(buffer);
      } catch {
        break;
      }
      if (n === null) break;
      text += decoder.decode(buffer.subarray(0, n));
      if (until?.test(text)) break;
    }
    done = true;
  })();
  try {
    for (const part of parts) {
      if (done) break;
      if (typeof part === "number") {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([reading, new Promise((r) => (timer = setTimeout(r, part)))]);
        clearTimeout(timer);
      } else {await conn.write(typeof part === "string" ? encoder.encode(part) : part).catch(
          () => {},
        );}
    }
    await reading;
  } finally {
    try {
      conn.close();
    } catch { /* closed by the server */ }
  }
  return text;
}

Deno.test("requests pass through the guard with keep-alive, chunked bodies and the client's address", async () => {
  await withServer({}, async (port, seen) => {
    const ok = await fetch(`http://127.0.0.1:${port}/a?x=1`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-llmops-peer": "6.6.6.6" },
      body: JSON.stringify({ hello: "world" }),
    });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { method: "POST", length: 17, peer: "127.0.0.1" });
    const text = await raw(port, [
      "GET /one HTTP/1.1\r\nHost: x\r\n\r\n",
      "POST /two HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n",
      "3;ext=1\r\nefg\r\n0\r\nX-Trailer: 1\r\n\r\n",
      "GET /three HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    ]);
    assert.equal(text.match(/HTTP\/1\.1 200/g)?.length, 3, text);
    assert.match(text, /"length":7/);
    assert.deepEqual(seen.slice(1), [
      "GET /one from 127.0.0.1",
      "POST /two from 127.0.0.1",
      "GET /three from 127.0.0.1",
    ]);
  });
});

Deno.test("a streamed answer to an idle client is not cut by the guard's timeouts", async () => {
  await withServer({ headerTimeoutMs: 300 }, async (port) => {
    const response = await fetch(`http://127.0.0.1:${port}/stream`);
    assert.equal(await response.text(), "data: 0\n\ndata: 1\n\ndata: 2\n\n");
  });
});

Deno.test("a slow head, a silent connection and a slow body get 408 within the timeouts", async () => {
  await withServer({ headerTimeoutMs: 400, bodyTimeoutMs: 600 }, async (port, seen) => {
    const t0 = Date.now();
    const slowHead = await raw(port, [
      "GET / HTTP/1.1\r\n",
      150,
      "Host: x\r\n",
      150,
      "X-A: 1\r\n",
      3_000,
    ]);
    assert.match(slowHead, /^HTTP\/1\.1 408 Request Timeout/);
    assert.match(slowHead, /"code":"request_timeout"/);
    assert.ok(Date.now() - t0 < 2_500, "cut well before the client gave up");
    const silent = await raw(port, [3_000]);
    assert.match(silent, /^HTTP\/1\.1 408/);
    const slowBody = await raw(port, [
      "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n",
      "0123456789",
      3_000,
    ]);
    assert.match(slowBody, /408 Request Timeout[\s\S]*request body did not arrive within 600 ms/);
    assert.equal(seen.filter((s) => s.startsWith("GET /")).length, 0, "the app never saw them");
  });
});

Deno.test("oversized lines and heads get JSON 414 and 431; smuggling shapes get 400", async () => {
  await withServer({}, async (port, seen) => {
    const longUrl = await raw(port, [`GET /${"a".repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`]);
    assert.match(longUrl, /^HTTP\/1\.1 414 URI Too Long/);
    assert.match(longUrl, /content-type: application\/json/);
    assert.match(longUrl, /"code":"uri_too_long"/);
    const bigHeader = await raw(port, [
      `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"b".repeat(100_000)}\r\n\r\n`,
    ]);
    assert.match(bigHeader, /^HTTP\/1\.1 431/);
    assert.match(bigHeader, /"code":"headers_too_large"/);
    const both = await raw(port, [
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    ]);
    assert.match(both, /^HTTP\/1\.1 400[\s\S]*both content-length and transfer-encoding/);
    const twoLengths = await raw(port, [
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcd",
    ]);
    assert.match(twoLengths, /^HTTP\/1\.1 400/);
    assert.deepEqual(seen, []);
  });
});

Deno.test("connections beyond the cap get 503 with Retry-After", async () => {
  await withServer({ maxConnections: 3, headerTimeoutMs: 5_000 }, async (port, seen) => {
    const held = await Promise.all(
      [0, 1, 2].map(() => Deno.connect({ hostname: "127.0.0.1", port })),
    );
    try {
      await new Promise((r) => setTimeout(r, 100));
      const refused = await raw(port, ["GET /over HTTP/1.1\r\nHost: x\r\n\r\n"]);
      assert.match(refused, /^HTTP\/1\.1 503[\s\S]*retry-after: 1/);
      assert.ok(!seen.some((s) => s.includes("/over")), "the app never saw it");
    } finally {
      for (const c of held) c.close();
    }
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await fetch(`http://127.0.0.1:${port}/`)).status, 200);
  });
});

Deno.test("request heads are parsed strictly and chunked bodies end where they end", () => {
  assert.match(parseHead("GET /x HTTP/1.1\r\nBad Header: 1") as string, /malformed header/);
  assert.match(parseHead("GET /x\r\nHost: x") as string, /malformed request line/);
  assert.match(parseHead("POST / HTTP/1.1\r\nContent-Length: -1") as string, /content-length/);
  assert.match(parseHead("POST / HTTP/1.1\r\nTransfer-Encoding: gzip") as string, /unsupported/);
  const head = parseHead("GET / HTTP/1.1\r\nHost: x\r\nX-LLMOPS-Peer: 1.2.3.4");
  assert.ok(typeof head !== "string");
  assert.equal(head.headerLines, "Host: x\r\n", "a client's peer header is dropped");
  const state = { step: "size" as const, left: 0, line: "" };
  const bytes = encoder.encode("5\r\nhello\r\n0\r\n\r\nGET /next");
  const result = consumeChunked(state, bytes);
  assert.deepEqual(result, { used: bytes.length - "GET /next".length, done: true });
  assert.match(
    consumeChunked({ step: "size", left: 0, line: "" }, encoder.encode("zz\r\n")).error!,
    /invalid chunk size/,
  );
});
