/**
 * OTLP trace decoding, JSON and protobuf, on payloads the real OpenTelemetry JS SDK serialized,
 * and on hostile bytes and documents.
 */
import assert from "node:assert/strict";
import { decodeOtlpProtobuf, encodeExportResponse, encodeRpcStatus } from "./otlp_protobuf.ts";
import { decodeOtlpJson } from "./otlp_json.ts";
import { OtlpDecodeError, type OtlpTraceRequest } from "./otlp_types.ts";
import { ProtoReader, ProtoWriter } from "./protobuf_wire.ts";
import { chatSpanSpec, sdkJson, sdkProtobuf, sdkSpans } from "./_otel_testing.ts";

function onlySpan(request: OtlpTraceRequest) {
  assert.equal(request.spanCount, 1);
  return request.resourceSpans[0].scopeSpans[0].spans[0];
}

Deno.test("the SDK's protobuf and JSON exports decode to the same spans", async () => {
  const spans = await sdkSpans([
    chatSpanSpec({
      error: "boom",
      events: [{ name: "gen_ai.choice", attributes: { index: 0, ok: true } }],
      attributes: {
        "llmops.list": ["a", "b"],
        "llmops.flags": [true, false],
        "llmops.big": 2 ** 40,
      },
    }),
    { name: "GET /health", attributes: { "http.method": "GET" } },
  ]);
  const fromProto = decodeOtlpProtobuf(sdkProtobuf(spans));
  const fromJson = decodeOtlpJson(JSON.parse(sdkJson(spans)));
  assert.deepEqual(fromProto, fromJson);
  assert.equal(fromProto.spanCount, 2);
  const rs = fromProto.resourceSpans[0];
  assert.equal(rs.resource["service.name"], "sdk-test-app");
  assert.equal(rs.scopeSpans[0].scopeName, "gateway-tests");
  assert.equal(rs.scopeSpans[0].scopeVersion, "1.0.0");
  const chat = rs.scopeSpans[0].spans[0];
  const sdk = spans[0];
  assert.equal(chat.traceId, sdk.spanContext().traceId);
  assert.equal(chat.spanId, sdk.spanContext().spanId);
  assert.equal(chat.name, "chat smollm2:135m");
  assert.equal(chat.kind, 3);
  assert.equal(chat.attributes["gen_ai.usage.input_tokens"], 21);
  assert.equal(chat.attributes["gen_ai.request.temperature"], 0.2);
  assert.deepEqual(chat.attributes["gen_ai.response.finish_reasons"], ["stop"]);
  assert.deepEqual(chat.attributes["llmops.flags"], [true, false]);
  assert.equal(chat.attributes["llmops.big"], 2 ** 40);
  assert.deepEqual(chat.status, { code: 2, message: "boom" });
  assert.equal(chat.events[0].name, "gen_ai.choice");
  assert.equal(chat.events[0].attributes.ok, true);
  const durationNs = chat.endTimeUnixNano - chat.startTimeUnixNano;
  assert.ok(Math.abs(durationNs - 1_500_000_000) < 1_000, `duration ${durationNs} ns`);
});

Deno.test("OTLP JSON variants decode: int64 as strings or numbers, enum names, base64 ids, snake_case", () => {
  const doc = {
    resource_spans: [{
      resource: { attributes: [{ key: "service.name", value: { string_value: "py" } }] },
      scope_spans: [{
        spans: [{
          trace_id: btoa(String.fromCharCode(...new Uint8Array(16).fill(0xab))),
          span_id: "00000000000000Ff",
          name: "chat x",
          kind: "SPAN_KIND_CLIENT",
          start_time_unix_nano: "1700000000000000000",
          endTimeUnixNano: 1700000001000000000,
          attributes: [
            { key: "n", value: { intValue: "12" } },
            { key: "huge", value: { intValue: "123456789012345678901" } },
            { key: "d", value: { doubleValue: "NaN" } },
            { key: "b64", value: { bytesValue: "AQID" } },
            {
              key: "kv",
              value: { kvlistValue: { values: [{ key: "a", value: { boolValue: true } }] } },
            },
            { key: "empty", value: {} },
            { key: "nothing" },
          ],
          status: { code: "STATUS_CODE_OK" },
          unknownField: { anything: [1, 2, 3] },
        }],
      }],
    }],
  };
  const span = onlySpan(decodeOtlpJson(doc));
  assert.equal(span.traceId, "ab".repeat(16));
  assert.equal(span.spanId, "00000000000000ff");
  assert.equal(span.kind, 3);
  assert.equal(span.startTimeUnixNano, 1.7e18);
  assert.equal(span.endTimeUnixNano - span.startTimeUnixNano, 1e9);
  assert.equal(span.attributes.n, 12);
  assert.equal(span.attributes.huge, "123456789012345678901");
  assert.ok(Number.isNaN(span.attributes.d as number));
  assert.deepEqual(span.attributes.b64, new Uint8Array([1, 2, 3]));
  assert.equal((span.attributes.kv as Record<string, unknown>).a, true);
  assert.equal(span.attributes.empty, null);
  assert.equal(span.attributes.nothing, null);
  assert.equal(span.status.code, 1);
});

Deno.test("malformed ids do not fail the request: the span keeps an empty id", () => {
  const span = onlySpan(decodeOtlpJson({
    resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: "xyz", spanId: "abcd" }] }] }],
  }));
  assert.equal(span.traceId, "");
  assert.equal(span.spanId, "");
});

Deno.test("hostile attribute keys stay plain keys and pollute no prototype", () => {
  const doc = {
    resourceSpans: [{
      scopeSpans: [{
        spans: [{
          attributes: [
            { key: "__proto__", value: { stringValue: "evil" } },
            {
              key: "constructor",
              value: { kvlistValue: { values: [{ key: "__proto__", value: { intValue: 1 } }] } },
            },
          ],
        }],
      }],
    }],
  };
  const json = onlySpan(decodeOtlpJson(doc)).attributes;
  assert.equal(json["__proto__"], "evil");
  assert.equal(Object.getPrototypeOf(json), null);
  assert.equal(({} as Record<string, unknown>).evil, undefined);
  const bytes = new ProtoWriter().message(
    1,
    (rs) =>
      rs.message(
        2,
        (ss) =>
          ss.message(2, (s) =>
            s.message(9, (kv) =>
              kv.string(1, "__proto__").message(2, (v) => v.string(1, "evil")))),
      ),
  ).finish();
  const proto = onlySpan(decodeOtlpProtobuf(bytes)).attributes;
  assert.equal(proto["__proto__"], "evil");
  assert.equal(Object.getPrototypeOf(proto), null);
});

Deno.test("wrong JSON types are refused with the path of the value", () => {
  const cases: [unknown, RegExp][] = [
    [null, /the body must be an ExportTraceServiceRequest object, found null/],
    [{ resourceSpans: {} }, /resourceSpans must be an array/],
    [{ resourceSpans: [1] }, /resourceSpans.0 must be a ResourceSpans object/],
    [
      { resourceSpans: [{ scopeSpans: [{ spans: [{ name: 5 }] }] }] },
      /spans.0.name must be a string/,
    ],
    [
      { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 12 }] }] }] },
      /spans.0.traceId must be a hex string/,
    ],
    [
      {
        resourceSpans: [{
          scopeSpans: [{ spans: [{ attributes: [{ key: "a", value: { intValue: "1.5" } }] }] }],
        }],
      },
      /attributes.0.value.intValue must be an integer/,
    ],
    [
      { resourceSpans: [{ scopeSpans: [{ spans: [{ startTimeUnixNano: "-5" }] }] }] },
      /startTimeUnixNano must be a non-negative integer/,
    ],
    [
      { resourceSpans: [{ scopeSpans: [{ spans: [{ kind: "SPAN_KIND_WIZARD" }] }] }] },
      /kind must be an enum value/,
    ],
    [
      {
        resourceSpans: [{
          scopeSpans: [{ spans: [{ attributes: [{ value: { stringValue: "x" } }] }] }],
        }],
      },
      /attributes.0.key must be a string/,
    ],
  ];
  for (const [doc, message] of cases) {
    assert.throws(
      () => decodeOtlpJson(doc),
      (e: unknown) => e instanceof OtlpDecodeError && message.test(e.message),
    );
  }
});

function nested(depth: number): unknown {
  let value: unknown = { stringValue: "leaf" };
  for (let i = 0; i < depth; i++) value = { arrayValue: { values: [value] } };
  return value;
}

Deno.test("nesting, value counts and span counts past the limits refuse the request", () => {
  const deep = {
    resourceSpans: [{
      scopeSpans: [{ spans: [{ attributes: [{ key: "d", value: nested(40) }] }] }],
    }],
  };
  assert.throws(() => decodeOtlpJson(deep), /nested deeper than 16/);
  const limits = { spans: 2, depth: 16, values: 5, eventsPerSpan: 1 };
  const three = { resourceSpans: [{ scopeSpans: [{ spans: [{}, {}, {}] }] }] };
  assert.throws(() => decodeOtlpJson(three, limits), /more than 2 spans/);
  const manyValues = {
    resourceSpans: [{
      scopeSpans: [{
        spans: [{
          attributes: Array.from(
            { length: 6 },
            (_, i) => ({ key: `k${i}`, value: { intValue: i } }),
          ),
        }],
      }],
    }],
  };
  assert.throws(() => decodeOtlpJson(manyValues, limits), /more than 5 attribute values/);
  const events = { resourceSpans: [{ scopeSpans: [{ spans: [{ events: [{}, {}] }] }] }] };
  assert.throws(() => decodeOtlpJson(events, limits), /more than 1 events/);

  let deepProto = new ProtoWriter().string(1, "leaf").finish();
  for (let i = 0; i < 40; i++) {
    const inner = deepProto;
    deepProto = new ProtoWriter().message(5, (arr) => arr.bytes(1, inner)).finish();
  }
  const bytes = new ProtoWriter().message(
    1,
    (rs) =>
      rs.message(
        2,
        (ss) => ss.message(2, (s) => s.message(9, (kv) => kv.string(1, "d").bytes(2, deepProto))),
      ),
  ).finish();
  assert.throws(() => decodeOtlpProtobuf(bytes), /nested deeper than 16/);
  const spans3 = new ProtoWriter().message(
    1,
    (rs) =>
      rs.message(2, (ss) => ss.message(2, () => {}).message(2, () => {}).message(2, () => {})),
  ).finish();
  assert.throws(() => decodeOtlpProtobuf(spans3, limits), /more than 2 spans/);
});

Deno.test("malformed protobuf is refused with where and why, never crashes or loops", async () => {
  const good = sdkProtobuf(await sdkSpans([chatSpanSpec()]));
  assert.equal(decodeOtlpProtobuf(good).spanCount, 1);
  for (let cut = 1; cut < good.length; cut += 7) {
    assert.throws(
      () => decodeOtlpProtobuf(good.subarray(0, cut)),
      (e: unknown) =>
        e instanceof OtlpDecodeError &&
        /invalid protobuf: .*(truncated|runs past|wire type|field number 0)/.test(e.message),
      `cut at ${cut}`,
    );
  }
  const cases: [Uint8Array, RegExp][] = [
    [new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), /runs past its message/],
    [
      new Uint8Array([0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
      /longer than 10 bytes/,
    ],
    [new Uint8Array([0x13]), /unsupported wire type 3/],
    [new Uint8Array([0x00]), /field number 0/],
    [new ProtoWriter().int64(1, 5).finish(), /resource_spans: field 1 has wire type 0, expected 2/],
    [
      new ProtoWriter().message(
        1,
        (rs) => rs.message(2, (ss) => ss.message(2, (s) => s.int64(5, 3))),
      ).finish(),
      /Span.name: field 5 has wire type 0/,
    ],
  ];
  for (const [bytes, message] of cases) {
    assert.throws(
      () => decodeOtlpProtobuf(bytes),
      (e: unknown) => e instanceof OtlpDecodeError && message.test(e.message),
    );
  }
  // Random bytes: always a clean decode or an OtlpDecodeError.
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) & 0xff;
  for (let i = 0; i < 300; i++) {
    const noise = Uint8Array.from({ length: 1 + (random() % 64) }, random);
    try {
      decodeOtlpProtobuf(noise);
    } catch (e) {
      assert.ok(e instanceof OtlpDecodeError, `noise ${i}: ${e}`);
    }
  }
  assert.deepEqual(decodeOtlpProtobuf(new Uint8Array(0)), { resourceSpans: [], spanCount: 0 });
});

Deno.test("varints decode as protobuf defines them, negatives and beyond 2^53 included", () => {
  const w = new ProtoWriter().int64(1, -1).int64(2, 2n ** 60n + 1n).int64(3, 300).int64(
    4,
    -(2n ** 62n),
  );
  const r = new ProtoReader(w.finish());
  const end = r.buf.length;
  const values = [];
  while (r.pos < end) {
    r.tag(end);
    values.push(r.int64(end));
  }
  assert.deepEqual(values, [-1, (2n ** 60n + 1n).toString(), 300, (-(2n ** 62n)).toString()]);
});

Deno.test("the intake's answers encode as protobuf defines them", () => {
  assert.equal(encodeExportResponse({ rejectedSpans: 0, errorMessage: "" }).length, 0);
  const partial = encodeExportResponse({ rejectedSpans: 3, errorMessage: "bad" });
  const r = new ProtoReader(partial);
  assert.equal(r.tag(partial.length), (1 << 3) | 2);
  const end = r.lengthEnd(partial.length);
  assert.equal(r.tag(end), (1 << 3) | 0);
  assert.equal(r.int64(end), 3);
  assert.equal(r.tag(end), (2 << 3) | 2);
  assert.equal(r.string(end), "bad");
  const status = encodeRpcStatus(3, "invalid");
  const s = new ProtoReader(status);
  s.tag(status.length);
  assert.equal(s.int64(status.length), 3);
  s.tag(status.length);
  assert.equal(s.string(status.length), "invalid");
});
