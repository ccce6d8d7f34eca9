/** Request ids, user, session and tags of gateway calls, and their limits. */
import assert from "node:assert/strict";
import { parseTagsHeader, requestMeta, resolveRequestId } from "./request_meta.ts";
import { GatewayError } from "./errors.ts";
import { LIMITS } from "../events/mod.ts";

function refused(fn: () => unknown, text: RegExp): void {
  assert.throws(
    fn,
    (e: unknown) => e instanceof GatewayError && e.status === 400 && text.test(e.message),
  );
}

Deno.test("an incoming UUID request id is reused (lowercased), anything else replaced", () => {
  const id = "0B9F8C1E-2A3D-4E5F-8A7B-1C2D3E4F5A6B";
  assert.equal(resolveRequestId(new Headers({ "x-request-id": id })), id.toLowerCase());
  const fresh = () => "11111111-1111-4111-8111-111111111111";
  assert.equal(resolveRequestId(new Headers({ "x-request-id": "req-42" }), fresh), fresh());
  assert.equal(resolveRequestId(new Headers(), fresh), fresh());
  assert.match(resolveRequestId(new Headers()), /^[0-9a-f-]{36}$/);
});

Deno.test("the user comes from x-llmops-user, else OpenAI's user, else anonymous", () => {
  assert.equal(
    requestMeta(new Headers({ "x-llmops-user": " ada " }), { bodyUser: "bob" }).user_id,
    "ada",
  );
  assert.equal(requestMeta(new Headers(), { bodyUser: "bob" }).user_id, "bob");
  assert.equal(requestMeta(new Headers(), { bodyUser: " " }).user_id, "anonymous");
  assert.equal(requestMeta(new Headers()).user_id, "anonymous");
  const meta = requestMeta(new Headers({ "x-llmops-session": "s-1" }));
  assert.equal(meta.session_id, "s-1");
  assert.equal("tags" in meta, false);
});

Deno.test("user and session past the id limit or with control characters are refused", () => {
  refused(
    () => requestMeta(new Headers({ "x-llmops-user": "u".repeat(LIMITS.idChars + 1) })),
    /x-llmops-user must be at most 200/,
  );
  refused(
    () => requestMeta(new Headers(), { bodyUser: "a\u0007b" }),
    /user must not contain control/,
  );
  refused(
    () => requestMeta(new Headers({ "x-llmops-session": "x\tz" })),
    /x-llmops-session must not contain control/,
  );
});

Deno.test("tags parse from k=v pairs, trimmed and percent-decoded", () => {
  assert.deepEqual(parseTagsHeader("team=search, variant = b ,empty=,note=a%2Cb%3Dc%20%C3%BC"), {
    team: "search",
    variant: "b",
    empty: "",
    note: "a,b=c ü",
  });
  assert.deepEqual(parseTagsHeader(""), {});
  assert.deepEqual(parseTagsHeader(null), {});
  assert.deepEqual(parseTagsHeader(",,"), {});
  const proto = parseTagsHeader("__proto__=x");
  assert.equal(Object.getPrototypeOf(proto), Object.prototype);
  assert.equal(proto["__proto__"], "x");
  assert.deepEqual(Object.keys(proto), ["__proto__"]);
});

Deno.test("malformed or oversized tags are refused with the reason", () => {
  refused(() => parseTagsHeader("novalue"), /expected key=value/);
  refused(() => parseTagsHeader("=v"), /key must not be empty/);
  refused(() => parseTagsHeader(`${"k".repeat(65)}=v`), /at most 64/);
  refused(() => parseTagsHeader(`k=${"v".repeat(201)}`), /at most 200/);
  refused(() => parseTagsHeader("k=a%0Ab"), /control characters/);
  refused(() => parseTagsHeader("k=%E0%A4%A"), /percent-encoding/);
  refused(() => parseTagsHeader("k=1,k=2"), /given twice/);
  const many = Array.from({ length: LIMITS.tags + 1 }, (_, i) => `k${i}=v`).join(",");
  refused(() => parseTagsHeader(many), /at most 32 tags/);
});

Deno.test("header tags override body tags and the total stays within the limit", () => {
  const meta = requestMeta(new Headers({ "x-llmops-tags": "app=web" }), {
    bodyTags: { app: "cli", team: "x" },
  });
  assert.deepEqual(meta.tags, { app: "web", team: "x" });
  const body = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`b${i}`, "v"]));
  const header = Array.from({ length: 20 }, (_, i) => `h${i}=v`).join(",");
  refused(
    () => requestMeta(new Headers({ "x-llmops-tags": header }), { bodyTags: body }),
    /at most 32 tags in all/,
  );
});
