/**
 * The adversarial probe, repeated against the real `deno task serve` (two instances with
 * LLMOPS_TOKEN on two ports, against the real stack): concurrent stream starts, cross-site
 * requests, a foreign Host, a session cookie from the other port, bearer guessing, prototype
 * names in order_by, MLflow's answer to a bad page token, 300 event streams, slowloris heads and
 * bodies, oversized URLs and headers, loose numbers and control characters. Each of these was a
 * hole before the hardening.
 */
import assert from "node:assert/strict";
import { createKafka, readTopic, TOPICS } from "../lib/kafka/mod.ts";
import { INTEGRATION, integrationConfig, uniqueName, waitFor } from "../lib/stack/testing.ts";
import { type ServerHandle, startServer } from "./_browser_server.ts";

const TOKEN = "probe-token-0123456789-abcdefgh";
const BEARER = { authorization: `Bearer ${TOKEN}` };
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Sends raw bytes over TCP (optionally slowly) and returns what came back before the close. */
async function raw(port: number, parts: (string | number)[], waitMs = 60_000): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  let text = "";
  let closed = false;
  const reading = (async () => {
    const buffer = new Uint8Array(65536);
    try {
      for (;;) {
        const n = await conn.read(buffer);
        if (n === null) break;
        text += decoder.decode(buffer.subarray(0, n));
      }
    } catch { /* reset */ }
    closed = true;
  })();
  for (const part of parts) {
    if (closed) break;
    if (typeof part === "number") {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([reading, new Promise((r) => (timer = setTimeout(r, part)))]);
      clearTimeout(timer);
    } else await conn.write(encoder.encode(part)).catch(() => {});
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([reading, new Promise((r) => (timer = setTimeout(r, waitMs)))]);
  clearTimeout(timer);
  try {
    conn.close();
  } catch { /* closed by the server */ }
  return text;
}

/** How many answers start with each status line. */
function firstLines(answers: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const answer of answers) {
    const line = answer.split("\r\n")[0] || "(closed without an answer)";
    counts[line] = (counts[line] ?? 0) + 1;
  }
  return counts;
}

async function signIn(server: ServerHandle): Promise<string> {
  const response = await fetch(`${server.origin}/login`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token: TOKEN }),
    redirect: "manual",
  });
  await response.body?.cancel();
  assert.equal(response.status, 303);
  return response.headers.get("set-cookie")!.split(";")[0];
}

Deno.test({
  name: "the probe's findings are closed on the running server",
  ...INTEGRATION,
  fn: async () => {
    const config = integrationConfig();
    // one worker answers the few requests the stream sends, so none is left queued
    const env = {
      LLMOPS_TOKEN: TOKEN,
      LLMOPS_WORKERS: "1",
      LLMOPS_HEADER_TIMEOUT_S: "2",
      LLMOPS_BODY_TIMEOUT_S: "3",
    };
    const [a, b] = await Promise.all([startServer({ env }), startServer({ env })]);
    try {
      const cookie = await signIn(a);
      assert.match(cookie, new RegExp(`^llmops_session_${a.port}=`));
      const api = (path: string, init: RequestInit = {}) =>
        fetch(`${a.origin}${path}`, {
          ...init,
          headers: { ...BEARER, ...(init.headers as Record<string, string> ?? {}) },
        });

      // 1. concurrent stream starts: one job, the others 409; stop stops it
      const marker = uniqueName("probe-race");
      const racedAt = Date.now();
      const starts = await Promise.all([0, 1, 2, 3, 4].map(() =>
        api("/api/stream/start", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            file: "quick_test.json",
            delay_s: 0.2,
            loop: true,
            max_tokens: 8,
          }),
        }).then(async (r) => ({ status: r.status, body: await r.json() }))
      ));
      assert.deepEqual(starts.map((s) => s.status).sort(), [200, 409, 409, 409, 409]);
      const job = starts.find((s) => s.status === 200)!.body.job_id as string;
      for (const refused of starts.filter((s) => s.status === 409)) {
        assert.match(refused.body.error.message, /already (running|starting)/);
      }
      await waitFor(
        async () => (await (await api("/api/stream/status")).json()).sent >= 3,
        "the stream to send a few requests",
      );
      const stopped = await (await api("/api/stream/stop", { method: "POST" })).json();
      assert.equal(stopped.job_id, job);
      assert.equal(stopped.state, "finished");
      const sentAtStop = stopped.sent as number;
      const kafka = createKafka(config.kafka.brokers, marker);
      const jobs = new Map<string, number>();
      for (const message of await readTopic(kafka, TOPICS.requests, { lastNPerPartition: 200 })) {
        const event = JSON.parse(message.value!.toString());
        if (event.ts < racedAt || event.dataset !== "quick_test") continue;
        const id = event.tags?.stream_job;
        if (id) jobs.set(id, (jobs.get(id) ?? 0) + 1);
      }
      assert.equal(jobs.get(job), sentAtStop, "nothing was sent after the stop");
      assert.deepEqual([...jobs.keys()], [job], "the refused starts sent nothing of their own");
      const after = await (await api("/api/stream/status")).json();
      assert.equal(after.sent, sentAtStop, "the stopped job sent nothing more");

      // 2. cross-site: text/plain bodies 415, foreign Origin 403, foreign Host 421
      const plain = await fetch(`${a.origin}/api/requests`, {
        method: "POST",
        headers: { cookie, "content-type": "text/plain; charset=application/json" },
        body: JSON.stringify({ prompt: "forged" }),
      });
      assert.equal(plain.status, 415);
      await plain.body?.cancel();
      const crossOrigin = await fetch(`${a.origin}/api/stream/stop`, {
        method: "POST",
        headers: { cookie, origin: `http://127.0.0.1:${b.port}`, "sec-fetch-site": "same-site" },
      });
      assert.equal(crossOrigin.status, 403);
      await crossOrigin.body?.cancel();
      const rebinding = await raw(a.port, [
        `GET /api/health HTTP/1.1\r\nHost: attacker.example:${a.port}\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`,
      ]);
      assert.match(rebinding, /^HTTP\/1\.1 421/);
      assert.match(rebinding, /"code":"misdirected_request"/);

      // 3. the session cookie of one port opens nothing on the other
      const otherPort = await fetch(`${b.origin}/api/health`, {
        headers: { cookie: `llmops_session_${b.port}=${cookie.split("=")[1]}` },
      });
      assert.equal(otherPort.status, 401);
      await otherPort.body?.cancel();

      // 4. bearer guessing is limited per client; the right token still passes
      const guesses: number[] = [];
      for (let i = 0; i < 30; i++) {
        const r = await fetch(`${b.origin}/api/health`, {
          headers: { authorization: `Bearer wrong-guess-${i}-xxxxxxxxxxxx` },
        });
        guesses.push(r.status);
        await r.body?.cancel();
      }
      assert.ok(guesses.slice(0, 5).every((s) => s === 401), guesses.join());
      assert.ok(guesses.slice(-5).every((s) => s === 429), guesses.join());
      const rightAfter = await fetch(`${b.origin}/api/health`, { headers: BEARER });
      assert.equal(rightAfter.status, 200);
      await rightAfter.body?.cancel();

      // 5. order_by with prototype names, and MLflow's 400 for a bad page token
      for (const name of ["constructor", "toString", "__proto__"]) {
        const r = await api(`/api/mlflow/runs?order_by=${name}%20DESC`);
        assert.equal(r.status, 400, name);
        await r.body?.cancel();
      }
      const badToken = await api("/api/mlflow/runs?page_token=bm90LWEtdG9rZW4%3D");
      assert.equal(badToken.status, 400);
      const badTokenBody = await badToken.json();
      assert.match(badTokenBody.error.message, /page_token/);
      assert.doesNotMatch(badTokenBody.error.message, /INVALID_PARAMETER|Traceback|mlflow\./i);

      // 6. 300 event streams: the cap (100) answers 503; the open ones and /api/health work
      const controllers: AbortController[] = [];
      const opened = await Promise.all(Array.from({ length: 300 }, async () => {
        const controller = new AbortController();
        controllers.push(controller);
        const r = await fetch(`${a.origin}/api/events`, {
          headers: BEARER,
          signal: controller.signal,
        });
        if (r.status !== 200) await r.body?.cancel();
        return r;
      }));
      const statuses = opened.map((r) => r.status);
      assert.equal(statuses.filter((s) => s === 200).length, 100, JSON.stringify(statuses));
      assert.equal(statuses.filter((s) => s === 503).length, 200);
      assert.ok(opened.every((r) => r.status === 200 || r.headers.get("retry-after") !== null));
      const t0 = Date.now();
      const health = await api("/api/health");
      assert.equal(health.status, 200);
      await health.body?.cancel();
      console.log(`/api/health with 100 event streams open: ${Date.now() - t0} ms`);
      // every open stream got its health event from the one shared check
      await Promise.all(
        opened.filter((r) => r.status === 200).map(async (r) => {
          const reader = r.body!.pipeThrough(new TextDecoderStream()).getReader();
          let text = "";
          while (!text.includes("event: health")) {
            const { value, done } = await reader.read();
            if (done) break;
            text += value;
          }
          assert.match(text, /event: health/);
          await reader.cancel();
        }),
      );
      for (const c of controllers) c.abort();

      // 7. slowloris: slow heads and slow bodies are cut at the timeouts, before authentication
      const t1 = Date.now();
      const slowHeads = await Promise.all(
        Array.from({ length: 300 }, () =>
          raw(
            a.port,
            ["GET /api/health HTTP/1.1\r\n", 500, "Host: 127.0.0.1\r\n", 10_000],
            10_000,
          )),
      );
      assert.ok(
        slowHeads.every((t) => /^HTTP\/1\.1 408/.test(t)),
        slowHeads.find((t) => !/^HTTP\/1\.1 408/.test(t)),
      );
      const slowBodies = await Promise.all(Array.from({ length: 100 }, () =>
        raw(a.port, [
          "POST /api/drift/config HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
          `Authorization: Bearer ${TOKEN}\r\nContent-Length: 1000\r\n\r\n`,
          '{"reference_size": ',
          10_000,
        ], 10_000)));
      assert.deepEqual(firstLines(slowBodies), { "HTTP/1.1 408 Request Timeout": 100 });
      console.log(`300 slow heads and 100 slow bodies cut after ${Date.now() - t1} ms`);
      const stillServing = await api("/api/health");
      assert.equal(stillServing.status, 200);
      await stillServing.body?.cancel();

      // 8. oversized URL and header: JSON 414 and 431
      const longUrl = await raw(a.port, [
        `GET /api/health?x=${"a".repeat(100_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`,
      ]);
      assert.match(longUrl, /^HTTP\/1\.1 414[\s\S]*"code":"uri_too_long"/);
      const bigHeader = await raw(a.port, [
        `GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${"b".repeat(100_000)}\r\n\r\n`,
      ]);
      assert.match(bigHeader, /^HTTP\/1\.1 431[\s\S]*"code":"headers_too_large"/);

      // 9. strict numbers, control characters in identifiers
      for (const limit of ["0x10", "1e2"]) {
        const r = await api(`/api/responses?limit=${limit}`);
        assert.equal(r.status, 400, limit);
        await r.body?.cancel();
      }
      const control = await api("/api/requests", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ prompt: "hi", user_id: "alice\u0000\u001b[2J" }),
      });
      assert.equal(control.status, 400);
      assert.match(
        (await control.json()).error.message,
        /user_id: must not contain control characters/,
      );
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  },
});
