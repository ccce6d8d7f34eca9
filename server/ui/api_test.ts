import assert from "node:assert/strict";
import { ApiError, errorFromBody, requestJson, runsQueryString } from "./api.ts";

Deno.test("an error answer carries the server's own message and code", () => {
  const e = errorFromBody(400, {
    error: { code: "bad_request", message: "prompt: must not be empty" },
  });
  assert.ok(e instanceof ApiError);
  assert.equal(e.message, "prompt: must not be empty");
  assert.equal(e.code, "bad_request");
  assert.equal(e.status, 400);
});

Deno.test("an error answer without a JSON error says the status", () => {
  assert.equal(
    errorFromBody(502, null, "Bad Gateway").message,
    "The server answered 502 Bad Gateway",
  );
  assert.equal(errorFromBody(500, { error: "text" }).message, "The server answered 500");
});

Deno.test("the runs query has the page size, page token and order", () => {
  assert.equal(runsQueryString({}), "max_results=25");
  assert.equal(
    runsQueryString({ maxResults: 10, pageToken: "abc=", orderBy: "latency_s", direction: "ASC" }),
    "max_results=10&page_token=abc%3D&order_by=latency_s+ASC",
  );
  assert.equal(runsQueryString({ orderBy: "tokens" }), "max_results=25&order_by=tokens+DESC");
});

Deno.test("requestJson throws the server's message on a 4xx and returns the body on a 2xx", async () => {
  const original = globalThis.fetch;
  try {
    globalThis.fetch = (input: string | URL | Request) =>
      Promise.resolve(
        String(input).includes("bad")
          ? Response.json(
            { error: { code: "bad_request", message: "file must be one of a.json" } },
            {
              status: 400,
            },
          )
          : Response.json({ ok: 1 }),
      );
    assert.deepEqual(await requestJson("/api/good"), { ok: 1 });
    await assert.rejects(() => requestJson("/api/bad"), {
      name: "ApiError",
      message: "file must be one of a.json",
    });
    globalThis.fetch = () => Promise.reject(new TypeError("Failed to fetch"));
    await assert.rejects(() => requestJson("/api/x"), /cannot be reached: Failed to fetch/);
  } finally {
    globalThis.fetch = original;
  }
});
