/**
 * Malformed and hostile Kafka messages for the bad-input tests: invalid JSON, wrong schema
 * versions, missing fields, huge payloads, fields over the schema caps, wrong types, control
 * characters, non-UTF-8 bytes and null values, each with the reason a consumer must give when it
 * sends it to `llm.dlq`.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { LIMITS } from "../events/mod.ts";
import { sampleRequest, sampleResponse } from "../events/testing.ts";

/** One hostile message: its key, its bytes (null: a tombstone), and the expected DLQ reason. */
export interface HostileMessage {
  key: string;
  value: Buffer | null;
  category: string;
  reason: RegExp;
}

type Kind = "request" | "response";

const HUGE_CHARS = 900_000;

/** A reason naming a field: `invalid llm.x.v2: <field>: ...` (or after another field's issue). */
function at(field: string): RegExp {
  return new RegExp(
    `^invalid llm\\.(request|response)\\.v[12]: (.*; )?${field.replace(".", "\\.")}: `,
  );
}

/** One template per category: a function of the message number that builds the value. */
function templates(
  kind: Kind,
): { category: string; reason: RegExp; make: (n: number) => unknown }[] {
  const schema = kind === "request" ? "llm.request.v2" : "llm.response.v2";
  const accepted = `"${schema}" or "${schema.replace("v2", "v1")}"`;
  const valid = (): Record<string, unknown> =>
    kind === "request" ? { ...sampleRequest() } : { ...sampleResponse() };
  const without = (field: string) => () => {
    const event = valid();
    delete event[field];
    return event;
  };
  const withField = (field: string, value: unknown) => () => ({ ...valid(), [field]: value });
  const json = (text: string) => Buffer.from(text, "utf8");
  const list: { category: string; reason: RegExp; make: (n: number) => unknown }[] = [
    {
      category: "invalid JSON",
      reason: /invalid JSON/,
      make: () => json(`{"schema": "${schema}",`),
    },
    { category: "invalid JSON", reason: /invalid JSON/, make: (n) => json(`not json at all ${n}`) },
    { category: "invalid JSON", reason: /invalid JSON/, make: () => json(`{"ts": NaN}`) },
    {
      category: "invalid JSON",
      reason: /invalid JSON/,
      make: () => json(`{"schema": "${schema}", "prompt": 'single quotes'}`),
    },
    {
      category: "not an object",
      reason: /expected a JSON object, found an array/,
      make: () => json("[1, 2, 3]"),
    },
    {
      category: "not an object",
      reason: /expected a JSON object, found number/,
      make: () => json("42"),
    },
    {
      category: "not an object",
      reason: /expected a JSON object, found string/,
      make: () => json('"llm.request.v1"'),
    },
    {
      category: "null value",
      reason: /expected a JSON object, found null/,
      make: () => json("null"),
    },
    { category: "null value", reason: /empty message/, make: () => null },
    { category: "null value", reason: /empty message/, make: () => Buffer.alloc(0) },
    {
      category: "wrong schema version",
      reason: new RegExp(`schema: expected ${accepted}, found "${schema.replace("v2", "v3")}"`),
      make: withField("schema", schema.replace("v2", "v3")),
    },
    {
      category: "wrong schema version",
      reason: new RegExp(`schema: expected ${accepted}, found nothing`),
      make: without("schema"),
    },
    {
      // a v1 event may not carry what only v2 knows: the gateway's sources
      category: "wrong schema version",
      reason: at("source"),
      make: () => ({ ...valid(), schema: schema.replace("v2", "v1"), source: "gateway" }),
    },
    {
      category: "conversation",
      reason: at("messages.0.role"),
      make: withField("messages", [{ role: "root", content: "hi" }]),
    },
    {
      category: "conversation",
      reason: at("messages.1.content"),
      make: withField("messages", [{ role: "user", content: "hi" }, { role: "user", content: 7 }]),
    },
    {
      category: "conversation",
      reason: at("messages"),
      make: withField("messages", { role: "user", content: "not a list" }),
    },
    {
      category: "conversation",
      reason: at("messages"),
      make: withField(
        "messages",
        Array.from({ length: 201 }, () => ({ role: "user", content: "again" })),
      ),
    },
    {
      category: "conversation",
      reason: /messages\.0\.content: must not contain control characters/,
      make: withField("messages", [{ role: "user", content: "hi\u0000\u001b[2J" }]),
    },
    {
      category: "wrong schema version",
      reason: /schema: expected .*found "llm.dlq.v1"/,
      make: withField("schema", "llm.dlq.v1"),
    },
    { category: "missing field", reason: at("request_id"), make: without("request_id") },
    { category: "missing field", reason: at("prompt"), make: without("prompt") },
    { category: "missing field", reason: at("params"), make: without("params") },
    { category: "missing field", reason: at("user_id"), make: without("user_id") },
    { category: "wrong type", reason: at("request_id"), make: withField("request_id", 42) },
    {
      category: "wrong type",
      reason: at("request_id"),
      make: withField("request_id", "not-a-uuid"),
    },
    { category: "wrong type", reason: at("params"), make: withField("params", "hot") },
    { category: "wrong type", reason: at("ts"), make: withField("ts", "yesterday") },
    { category: "wrong type", reason: at("ts"), make: withField("ts", -1) },
    { category: "wrong type", reason: at("source"), make: withField("source", "mars") },
    { category: "wrong type", reason: at("prompt"), make: withField("prompt", { nested: true }) },
    { category: "null field", reason: at("prompt"), make: withField("prompt", null) },
    { category: "null field", reason: at("params"), make: withField("params", null) },
    { category: "null field", reason: at("model"), make: withField("model", null) },
    {
      category: "over the caps",
      reason: at("prompt"),
      make: withField("prompt", "x".repeat(LIMITS.promptChars + 1)),
    },
    {
      category: "over the caps",
      reason: at("user_id"),
      make: withField("user_id", "u".repeat(201)),
    },
    {
      category: "over the caps",
      reason: at("tags"),
      make: withField(
        "tags",
        Object.fromEntries(Array.from({ length: LIMITS.tags + 1 }, (_, i) => [`t${i}`, "v"])),
      ),
    },
    {
      category: "over the caps",
      reason: at("params.num_predict"),
      make: () => {
        const event = valid();
        return { ...event, params: { ...(event.params as object), num_predict: 100_000 } };
      },
    },
    {
      category: "control characters",
      reason: /prompt: must not contain control characters/,
      make: withField("prompt", "hello\u0000world\u001b[2J"),
    },
    {
      category: "control characters",
      reason: /system: must not contain control characters/,
      make: withField("system", "be nice\u0007\u0008"),
    },
    {
      category: "non-UTF-8",
      reason: /not valid UTF-8/,
      make: () => Buffer.from([0xff, 0xfe, 0x80, 0x81, 0xc3, 0x28]),
    },
    {
      category: "non-UTF-8",
      reason: /not valid UTF-8/,
      make: () =>
        Buffer.concat([
          json(`{"schema":"${schema}","prompt":"`),
          Buffer.from([0xed, 0xa0, 0x80]), // an encoded lone surrogate
          json(`"}`),
        ]),
    },
    {
      category: "prototype pollution",
      reason: at("request_id"),
      make: () => json(`{"schema":"${schema}","__proto__":{"status":"success"},"constructor":1}`),
    },
    {
      category: "deep nesting",
      reason: at("prompt"),
      make: () =>
        json(
          `${JSON.stringify(valid()).slice(0, -1)},"prompt":${"[".repeat(5_000)}${
            "]".repeat(5_000)
          }}`,
        ),
    },
  ];
  if (kind === "response") {
    list.push(
      {
        category: "inconsistent",
        reason: /ts_end must not be before ts_start/,
        make: () => ({ ...valid(), ts_start: 2_000, ts_end: 1_000 }),
      },
      {
        category: "inconsistent",
        reason: /an error response needs an error/,
        make: withField("status", "error"),
      },
      { category: "wrong type", reason: at("latency_ms"), make: withField("latency_ms", -5) },
      { category: "cost", reason: at("cost_usd"), make: withField("cost_usd", -0.01) },
      { category: "cost", reason: at("cost_usd"), make: withField("cost_usd", "1.00") },
      {
        category: "cost",
        reason: at("price_version"),
        make: withField("price_version", "v1\u0000"),
      },
      { category: "wrong type", reason: at("status"), make: withField("status", "maybe") },
      {
        category: "over the caps",
        reason: at("response"),
        make: withField("response", "y".repeat(LIMITS.responseChars + 1)),
      },
    );
  }
  return list;
}

/**
 * `count` hostile messages for a topic of requests or responses; the first `huge` of them are
 * ~900 KB payloads (under the broker's 1 MB limit, over every schema cap).
 *
 * @example
 * ```ts
 * const messages = hostileMessages("request", 1000, { prefix: "hostile", huge: 3 });
 * ```
 */
export function hostileMessages(
  kind: Kind,
  count: number,
  options: { prefix: string; huge: number },
): HostileMessage[] {
  const list = templates(kind);
  const messages: HostileMessage[] = [];
  for (let n = 0; n < count; n++) {
    const key = `${options.prefix}-${n}`;
    if (n < options.huge) {
      const base = kind === "request" ? sampleRequest() : sampleResponse();
      const field = kind === "request" ? "prompt" : "response";
      messages.push({
        key,
        value: Buffer.from(JSON.stringify({ ...base, [field]: "h".repeat(HUGE_CHARS) })),
        category: "huge payload",
        reason: new RegExp(`${field}: Too big|${field}: .*${kind === "request" ? 32000 : 200000}`),
      });
      continue;
    }
    const template = list[n % list.length];
    const made = template.make(n);
    const value = made === null
      ? null
      : made instanceof Buffer
      ? made
      : Buffer.from(JSON.stringify(made), "utf8");
    messages.push({ key, value, category: template.category, reason: template.reason });
  }
  return messages;
}
