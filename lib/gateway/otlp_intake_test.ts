/**
 * OTLP/HTTP intake end to end over a local Deno.serve: the real OpenTelemetry JS exporters
 * (protobuf and JSON, plain and gzip) post GenAI spans, the answers carry `partialSuccess` in
 * the request's encoding (read back with the SDK's own deserializers), and hostile requests get
 * OTLP failure answers.
 */
import assert from "node:assert/strict";
import { OTLPTraceExporter as ProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { JsonTraceSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import {
  otlpEncodingOf,
  otlpErrorResponse,
  otlpSuccessResponse,
  partialSuccessOf,
  readOtlpTraces,
} from "./otlp_intake.ts";
import { mapGenAiSpans, type MappedSpan } from "./otlp_genai.ts";
import { GatewayError } from "./errors.ts";
import { chatSpanSpec, sdkJson, sdkProtobuf, sdkSpans } from "./_otel_testing.ts";
import { ProtoReader } from "./protobuf_wire.ts";

/** A test receiver: the intake pipeline a gateway route would run, recording what it mapped. */
function startReceiver(limits?: Parameters<typeof readOtlpTraces>[1]) {
  const received: MappedSpan[] = [];
  const answers: { status: number; contentType: string | null }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const encoding = otlpEncodingOf(request.headers.get("content-type"));
    let response: Response;
    try {
      const intake = await readOtlpTraces(request, limits);
      const result = mapGenAiSpans(intake.traces, { workerId: "receiver" });
      received.push(...result.mapped);
      response = otlpSuccessResponse(intake.encoding, partialSuccessOf(result));
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      response = otlpErrorResponse(encoding, error);
    }
    answers.push({ status: response.status, contentType: response.headers.get("content-type") });
    return response;
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/v1/traces`,
    received,
    answers,
    stop: () => server.shutdown(),
  };
}

Deno.test("the real OTLP exporters deliver GenAI spans in protobuf and JSON, plain and gzip", async () => {
  const receiver = startReceiver();
  try {
    const spans = await sdkSpans([
      chatSpanSpec(),
      { name: "GET /", attributes: { "http.request.method": "GET" } },
    ]);
    const runs = [
      ["protobuf", "none", () => new ProtoExporter({ url: receiver.url })],
      [
        "protobuf",
        "gzip",
        () => new ProtoExporter({ url: receiver.url, compression: "gzip" as never }),
      ],
      ["json", "none", () => new JsonExporter({ url: receiver.url })],
      ["json", "gzip", () => new JsonExporter({ url: receiver.url, compression: "gzip" as never })],
    ] as const;
    for (const [encoding, compression, make] of runs) {
      const exporter = make();
      const before = receiver.received.length;
      const result = await new Promise<{ code: number; error?: Error }>((resolve) =>
        exporter.export(spans, resolve)
      );
      await exporter.shutdown();
      assert.equal(result.code, 0, `${encoding}/${compression}: ${result.error?.message}`);
      assert.equal(receiver.received.length, before + 1, `${encoding}/${compression}`);
      const event = receiver.received.at(-1)!.event;
      assert.equal(event.prompt, "What is Kafka?");
      assert.equal(event.prompt_tokens, 21);
      assert.equal(receiver.answers.at(-1)?.status, 200);
      assert.match(
        receiver.answers.at(-1)!.contentType!,
        encoding === "json" ? /application\/json/ : /application\/x-protobuf/,
      );
    }
  } finally {
    await receiver.stop();
  }
});

Deno.test("partialSuccess says how many spans were rejected and why, read by the SDK's deserializers", async () => {
  const receiver = startReceiver();
  try {
    const spans = await sdkSpans([
      chatSpanSpec(),
      chatSpanSpec({ attributes: { "gen_ai.usage.input_tokens": -1 } }),
      { name: "GET /", attributes: {} },
    ]);
    const proto = await fetch(receiver.url, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: sdkProtobuf(spans) as BodyInit,
    });
    const protoAnswer = ProtobufTraceSerializer.deserializeResponse(
      new Uint8Array(await proto.arrayBuffer()),
    );
    assert.equal(Number(protoAnswer.partialSuccess?.rejectedSpans), 1);
    assert.match(
      protoAnswer.partialSuccess!.errorMessage!,
      /1 span rejected: span \w+: gen_ai.usage.input_tokens must be a non-negative integer, found -1; 1 span skipped/,
    );

    const json = await fetch(receiver.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: sdkJson(spans),
    });
    const jsonAnswer = JsonTraceSerializer.deserializeResponse(
      new Uint8Array(await json.arrayBuffer()),
    );
    assert.equal(Number(jsonAnswer.partialSuccess?.rejectedSpans), 1);

    const onlySkipped = await fetch(receiver.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: sdkJson(await sdkSpans([{ name: "GET /", attributes: {} }])),
    });
    const note = await onlySkipped.json();
    assert.equal(note.partialSuccess.rejectedSpans, undefined);
    assert.match(note.partialSuccess.errorMessage, /1 span skipped/);
    assert.equal(receiver.received.length, 2);
    const clean = otlpSuccessResponse("json", { rejectedSpans: 0, errorMessage: "" });
    assert.equal(await clean.text(), "{}");
    const cleanProto = otlpSuccessResponse("protobuf", { rejectedSpans: 0, errorMessage: "" });
    assert.equal((await cleanProto.arrayBuffer()).byteLength, 0);
  } finally {
    await receiver.stop();
  }
});

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

Deno.test("hostile requests get OTLP failure answers in their encoding and the receiver keeps serving", async () => {
  const receiver = startReceiver({ body: { bodyBytes: 64 * 1024, decodedBytes: 256 * 1024 } });
  try {
    const post = (body: BodyInit, headers: Record<string, string>) =>
      fetch(receiver.url, { method: "POST", headers, body });
    const wrongType = await post("hello", { "content-type": "text/plain" });
    assert.equal(wrongType.status, 415);
    assert.match((await wrongType.json()).message, /Content-Type must be application\/json/);

    const garbage = await post("{not json", { "content-type": "application/json" });
    assert.equal(garbage.status, 400);
    assert.deepEqual(await garbage.json(), {
      code: 3,
      message: "the body is not valid UTF-8 JSON",
    });

    const badProto = await post(new Uint8Array([0x0a, 0x7f, 1]) as BodyInit, {
      "content-type": "application/x-protobuf",
    });
    assert.equal(badProto.status, 400);
    assert.equal(badProto.headers.get("content-type"), "application/x-protobuf");
    const status = new Uint8Array(await badProto.arrayBuffer());
    const r = new ProtoReader(status);
    r.tag(status.length);
    assert.equal(r.int64(status.length), 3);
    r.tag(status.length);
    assert.match(r.string(status.length), /invalid protobuf: length 127/);

    const big = await post(new Uint8Array(100 * 1024) as BodyInit, {
      "content-type": "application/x-protobuf",
    });
    assert.equal(big.status, 413);
    await big.body?.cancel();

    const bomb = await gzip(new Uint8Array(8 * 1024 * 1024));
    assert.ok(bomb.length < 64 * 1024, `the bomb is ${bomb.length} bytes`);
    const bombAnswer = await post(bomb as BodyInit, {
      "content-type": "application/x-protobuf",
      "content-encoding": "gzip",
    });
    assert.equal(bombAnswer.status, 413);
    await bombAnswer.body?.cancel();

    const corrupt = await post(new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3]) as BodyInit, {
      "content-type": "application/json",
      "content-encoding": "gzip",
    });
    assert.equal(corrupt.status, 400);
    assert.match((await corrupt.json()).message, /not valid gzip/);

    const brotli = await post("{}", {
      "content-type": "application/json",
      "content-encoding": "br",
    });
    assert.equal(brotli.status, 400);
    assert.match((await brotli.json()).message, /gzip or identity/);

    const deep = {
      resourceSpans: [{ scopeSpans: [{ spans: [{ attributes: [{ key: "k", value: {} }] }] }] }],
    };
    let value: unknown = { stringValue: "x" };
    for (let i = 0; i < 5_000; i++) value = { arrayValue: { values: [value] } };
    deep.resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value = value as never;
    const deepAnswer = await post(
      await gzip(new TextEncoder().encode(JSON.stringify(deep))) as BodyInit,
      {
        "content-type": "application/json",
        "content-encoding": "gzip",
      },
    );
    assert.equal(deepAnswer.status, 400);
    assert.match((await deepAnswer.json()).message, /nested/);

    const ok = await post(sdkJson(await sdkSpans([chatSpanSpec()])), {
      "content-type": "application/json",
    });
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
    assert.equal(receiver.received.length, 1);
  } finally {
    await receiver.stop();
  }
});

Deno.test("a full buffer answers 429 or 503 with Retry-After in the request's encoding", async () => {
  const busy = otlpErrorResponse(
    "json",
    new GatewayError("rate_limited", "buffer full", { retryAfterS: 2 }),
  );
  assert.equal(busy.status, 429);
  assert.equal(busy.headers.get("retry-after"), "2");
  assert.deepEqual(await busy.json(), { code: 8, message: "buffer full" });
  const down = otlpErrorResponse(
    "protobuf",
    new GatewayError("unavailable", "kafka down", { retryAfterS: 5 }),
  );
  assert.equal(down.status, 503);
  assert.equal(down.headers.get("retry-after"), "5");
  assert.equal(down.headers.get("content-type"), "application/x-protobuf");
  assert.equal(otlpEncodingOf("application/x-protobuf"), "protobuf");
  assert.equal(otlpEncodingOf("Application/JSON; charset=utf-8"), "json");
  assert.equal(otlpEncodingOf(null), null);
  assert.equal(otlpEncodingOf("application/grpc"), null);
});

Deno.test("the SDK's payloads for many spans decode completely", async () => {
  const spans = await sdkSpans(
    Array.from(
      { length: 200 },
      (_, i) => chatSpanSpec({ attributes: { "gen_ai.usage.output_tokens": i } }),
    ),
  );
  const receiver = startReceiver();
  try {
    const answer = await fetch(receiver.url, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: sdkProtobuf(spans) as BodyInit,
    });
    assert.equal(answer.status, 200);
    await answer.body?.cancel();
    assert.deepEqual(
      receiver.received.map((m) => m.event.completion_tokens),
      Array.from({ length: 200 }, (_, i) => i),
    );
  } finally {
    await receiver.stop();
  }
});
