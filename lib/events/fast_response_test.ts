/**
 * The fast path of response validation against the zod schema, on valid events, on every field
 * set to hostile values, on random combinations of those, and on the hostile-input generator of
 * the end-to-end tests: whatever the fast path accepts the schema accepts, with an equal result,
 * and the validator as a whole (fast path, then schema) accepts and rejects exactly what the
 * schema does, with the schema's messages.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { hostileMessages } from "../e2e/_hostile.ts";
import { fastResponse } from "./fast_response.ts";
import { LIMITS } from "./limits.ts";
import { ResponseEventSchema, ResponseEventV1Schema } from "./schemas.ts";
import { sampleResponse } from "./testing.ts";
import { decodeEvent, decodeResponse, parseResponseEvent, RESPONSE_SCHEMAS } from "./validate.ts";

/** The schema alone, dispatched by version as parseResponseEvent does. */
function zodParse(value: unknown) {
  const v1 = (value as { schema?: unknown } | null)?.schema === "llm.response.v1";
  return (v1 ? ResponseEventV1Schema : ResponseEventSchema).safeParse(value);
}

/** A small seeded PRNG (mulberry32), so every run checks the same cases. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Checks one value; returns whether the schema accepted it. */
function check(value: unknown, what: string): boolean {
  const zod = zodParse(value);
  const fast = fastResponse(value);
  if (fast !== undefined) {
    assert.ok(zod.success, `${what}: the fast path accepted what the schema rejects`);
    assert.deepStrictEqual(fast, zod.data, `${what}: the fast path returned another event`);
  }
  let ours: unknown;
  let error: unknown;
  try {
    ours = parseResponseEvent(value);
  } catch (e) {
    error = e;
  }
  assert.equal(error === undefined, zod.success, `${what}: accepted ≠ the schema's verdict`);
  if (zod.success) assert.deepStrictEqual(ours, zod.data, what);
  return zod.success;
}

const T = 1_760_000_000_000;

/** Valid events of both versions and every optional field. */
function validEvents(): Record<string, unknown>[] {
  const v2 = () => JSON.parse(JSON.stringify(sampleResponse())) as Record<string, unknown>;
  const full = {
    ...v2(),
    system: "Be brief.\tThanks\r\n",
    session_id: "s-1",
    dataset: "quick_test",
    tags: { team: "a", "": "empty key", k: "" },
    messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }],
    cost_usd: 0.00012,
    price_version: "2026-11",
    params: { temperature: 2, top_p: 1, num_predict: LIMITS.maxTokens, seed: -3 },
  };
  const error = {
    ...v2(),
    status: "error",
    error: { type: "timeout", message: "" },
    response: "",
    ttft_ms: null,
    total_duration_ns: null,
    load_duration_ns: null,
    prompt_eval_duration_ns: null,
    eval_duration_ns: null,
  };
  const v1 = { ...v2(), schema: "llm.response.v1", source: "notebook" };
  const edges = {
    ...v2(),
    request_id: "00000000-0000-0000-0000-000000000000",
    ts: 0,
    ts_start: T,
    ts_end: T,
    prompt: "x".repeat(LIMITS.promptChars),
    model: "m".repeat(LIMITS.idChars),
    response: "r".repeat(LIMITS.responseChars),
    latency_ms: 0,
    tokens_per_s: 0.5,
    params: { temperature: 0, top_p: 1e-9, num_predict: 1 },
    messages: [],
    tags: Object.fromEntries(Array.from({ length: LIMITS.tags }, (_, i) => [`t${i}`, "v"])),
    cost_usd: 0,
  };
  const unicode = {
    ...v2(),
    request_id: "9B2F0C1E-1111-8222-B333-444455556666",
    prompt: "Grüße, 你好 🌍 \u2028",
    user_id: "usér ü",
    response: "any \u0000 text: the response field has no character rule",
  };
  return [v2(), full, error, v1, edges, unicode];
}

/** Values to try in any field. */
const HOSTILE_VALUES: unknown[] = [
  undefined,
  null,
  true,
  0,
  -0,
  -1,
  0.5,
  1.5,
  2,
  2.0000001,
  1e-9,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  -Number.MAX_SAFE_INTEGER - 2,
  Number.NaN,
  Infinity,
  -Infinity,
  "",
  "x",
  "0",
  "success",
  "error",
  "timeout",
  "user",
  "gateway",
  "llm.response.v1",
  "llm.response.v2",
  "9b2f0c1e-1111-4222-8333-444455556666",
  "9b2f0c1e-1111-9222-8333-444455556666",
  "9b2f0c1e-1111-4222-c333-444455556666",
  "9b2f0c1e11114222833344445555666",
  "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
  "ffffffff-ffff-ffff-ffff-ffffffffffff",
  "00000000-0000-1000-8000-000000000000",
  "9b2f0c1g-1111-4222-8333-444455556666",
  "9b2f0c1e-1111-4222-8333-44445555666-",
  "9b2f0c1e-1111-4222-A333-444455556666",
  "9b2f0c1e-1111-0222-8333-444455556666",
  "a\u0000b",
  "tab\there",
  "new\nline",
  "carriage\rreturn",
  "vertical\u000btab",
  "form\u000cfeed",
  "\u001f",
  "\u0080",
  "c1\u0085",
  "del\u007f",
  "\u009f",
  "x".repeat(65),
  "x".repeat(LIMITS.idChars),
  "x".repeat(LIMITS.idChars + 1),
  "x".repeat(LIMITS.systemChars + 1),
  "x".repeat(4_001),
  [],
  [1],
  [{ role: "user", content: "hi" }],
  [{ role: "user", content: "hi", extra: 1 }],
  [{ role: "user" }],
  Array.from({ length: 201 }, () => ({ role: "user", content: "a" })),
  {},
  { type: "timeout", message: "m" },
  { type: "timeout", message: "m", extra: 1 },
  { type: "timeout" },
  { temperature: 0.7, top_p: 0.9, num_predict: 64 },
  { temperature: 0.7, top_p: 0.9, num_predict: 64, seed: 1.5 },
  { temperature: 0.7, top_p: 0, num_predict: 64 },
  { temperature: 0.7, top_p: 0.9, num_predict: 64, extra: true },
  { a: "b" },
  { "__proto__": "x" },
  JSON.parse('{"__proto__": {"status": "success"}}'),
  Object.fromEntries(Array.from({ length: LIMITS.tags + 1 }, (_, i) => [`t${i}`, "v"])),
  { ["k".repeat(65)]: "v" },
  { k: "v\u0000" },
  Object.create(null),
  new Date(0),
];

Deno.test("the fast path accepts the valid events, and they equal the schema's result", () => {
  for (const [i, event] of validEvents().entries()) {
    assert.ok(fastResponse(event), `valid event ${i} took the fast path`);
    assert.ok(check(event, `valid event ${i}`), `valid event ${i} is valid`);
  }
});

Deno.test("every field set to each hostile value, removed, or joined by an unknown key: the same verdict as the schema", () => {
  let rejected = 0;
  let cases = 0;
  for (const base of validEvents()) {
    const fields = [...Object.keys(ResponseEventSchema.shape), "unknown_field", "__proto__"];
    for (const field of fields) {
      const removed = { ...base };
      delete removed[field];
      cases++;
      if (!check(removed, `without ${field}`)) rejected++;
      for (const [k, value] of HOSTILE_VALUES.entries()) {
        const event = { ...base };
        Object.defineProperty(event, field, { value, enumerable: true, writable: true });
        cases++;
        if (!check(event, `${field} = hostile value ${k}`)) rejected++;
      }
    }
    // nested fields
    for (const key of ["temperature", "top_p", "num_predict", "seed", "extra"]) {
      for (const [k, value] of HOSTILE_VALUES.entries()) {
        const event = { ...base, params: { ...(base.params as object), [key]: value } };
        cases++;
        if (!check(event, `params.${key} = hostile value ${k}`)) rejected++;
      }
    }
  }
  assert.ok(rejected > cases / 2, `most cases are invalid (${rejected} of ${cases})`);
  assert.ok(rejected < cases, "and some stay valid");
});

Deno.test("random combinations of hostile fields: the same verdict as the schema", () => {
  const random = prng(20261128);
  const bases = validEvents();
  const fields = [...Object.keys(ResponseEventSchema.shape), "extra"];
  let accepted = 0;
  for (let i = 0; i < 5_000; i++) {
    const event: Record<string, unknown> = { ...bases[Math.floor(random() * bases.length)] };
    const changes = 1 + Math.floor(random() * 3);
    for (let c = 0; c < changes; c++) {
      const field = fields[Math.floor(random() * fields.length)];
      if (random() < 0.2) delete event[field];
      else if (random() < 0.5) {
        // a value valid for another field, or the same field of another valid event
        const other = bases[Math.floor(random() * bases.length)];
        event[field] = other[fields[Math.floor(random() * fields.length)]];
      } else event[field] = HOSTILE_VALUES[Math.floor(random() * HOSTILE_VALUES.length)];
    }
    if (check(event, `random case ${i}: ${JSON.stringify(event).slice(0, 300)}`)) accepted++;
  }
  assert.ok(accepted > 50 && accepted < 4_950, `a mix of valid and invalid (${accepted} valid)`);
});

Deno.test("the hostile-input generator's messages: the same verdict and message as the schema alone", () => {
  const messages = hostileMessages("response", 600, { prefix: "fast", huge: 3 });
  const valid = Array.from({ length: 50 }, () => sampleResponse())
    .map((e) => ({ value: Buffer.from(JSON.stringify(e)) }));
  const schemaOnly = (bytes: Uint8Array | null) =>
    decodeEvent(
      bytes,
      RESPONSE_SCHEMAS,
      (value) => {
        const result = zodParse(value);
        if (result.success) return result.data;
        // the same error the validator raises, made by the validator's own path
        return parseResponseEvent(value);
      },
    );
  let rejected = 0;
  for (const message of [...messages, ...valid]) {
    const outcome = (decode: (b: Uint8Array | null) => unknown) => {
      try {
        return { ok: true, value: decode(message.value) };
      } catch (error) {
        return { ok: false, value: (error as Error).message };
      }
    };
    const ours = outcome(decodeResponse);
    const theirs = outcome(schemaOnly);
    assert.deepStrictEqual(ours, theirs);
    if (!ours.ok) rejected++;
    if ("reason" in message) {
      assert.equal(ours.ok, false, `hostile ${message.key} (${message.category}) was accepted`);
      assert.match(ours.value as string, message.reason as RegExp, message.category);
    }
  }
  assert.equal(rejected, messages.length);
});

Deno.test("decoding marks bad UTF-8 and keeps a real U+FFFD", () => {
  const event = { ...sampleResponse(), response: "a \uFFFD in the text" };
  assert.equal(decodeResponse(Buffer.from(JSON.stringify(event))).response, event.response);
  const bad = Buffer.concat([
    Buffer.from(JSON.stringify(event).slice(0, -2)),
    Buffer.from([0xc3, 0x28]),
    Buffer.from('"}'),
  ]);
  assert.throws(() => decodeResponse(bad), /not valid UTF-8/);
});
