/**
 * The gateway's pieces around the real Ollama of the stack, wired the way the Hono gateway
 * will wire them (a minimal Deno.serve handler stands in for it): npm:ollama and npm:openai
 * pointed at it get the model's answers, and each call yields one valid response event.
 */
import assert from "node:assert/strict";
import { Ollama } from "ollama";
import OpenAI from "openai";
import { INTEGRATION, integrationConfig } from "../stack/testing.ts";
import { parseOllamaChat } from "./ollama_request.ts";
import { parseChatCompletionRequest, toOllamaChat } from "./openai_request.ts";
import { StreamMeter, upstreamFailure } from "./ollama_stream.ts";
import { meteredPassThrough, ollamaToOpenAiSse } from "./proxy_streams.ts";
import { requestMeta } from "./request_meta.ts";
import {
  gatewayRequestEvent,
  type GatewayResponseEvent,
  gatewayResponseEvent,
  validateGatewayResponse,
} from "./event_fields.ts";
import { chatCompletionId, ChatCompletionSse, SSE_HEADERS } from "./openai_response.ts";
import { gatewayErrorForFailure, ollamaError, openAiError } from "./openai_errors.ts";
import { GatewayError } from "./errors.ts";

/** A minimal stand-in for the gateway: two routes, events collected in memory. */
function startMiniGateway(ollamaHost: string) {
  const events: GatewayResponseEvent[] = [];
  const record =
    (built: ReturnType<typeof gatewayRequestEvent>) =>
    (m: Parameters<typeof gatewayResponseEvent>[1]) =>
      events.push(validateGatewayResponse(gatewayResponseEvent(built.event, m, "mini-gateway")));
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const path = new URL(request.url).pathname;
    const started = performance.now();
    const raw = new Uint8Array(await request.arrayBuffer());
    if (path === "/api/chat") {
      let call;
      try {
        call = parseOllamaChat(JSON.parse(new TextDecoder().decode(raw)));
      } catch (error) {
        const answer = ollamaError(
          error instanceof GatewayError
            ? error
            : new GatewayError("invalid_request", "the body is not JSON"),
        );
        return Response.json(answer.body, { status: answer.status });
      }
      const meta = requestMeta(request.headers);
      const built = gatewayRequestEvent(call, { meta, source: "gateway", ts: Date.now() });
      const upstream = await fetch(`${ollamaHost}/api/chat`, { method: "POST", body: raw });
      const meter = new StreamMeter({ startedAt: started });
      if (!upstream.ok) {
        meter.fail(upstreamFailure(upstream.status, await upstream.text()));
        record(built)(meter.finish());
        const answer = ollamaError(gatewayErrorForFailure(meter.failure!));
        return Response.json(answer.body, { status: answer.status });
      }
      return new Response(meteredPassThrough(upstream.body!, meter, record(built)), {
        headers: {
          "content-type": upstream.headers.get("content-type") ?? "application/x-ndjson",
          "x-request-id": meta.request_id,
        },
      });
    }
    if (path === "/v1/chat/completions") {
      const call = parseChatCompletionRequest(JSON.parse(new TextDecoder().decode(raw)));
      const meta = requestMeta(request.headers, { bodyUser: call.user });
      const built = gatewayRequestEvent(call, { meta, source: "gateway", ts: Date.now() });
      const upstream = await fetch(`${ollamaHost}/api/chat`, {
        method: "POST",
        body: JSON.stringify(toOllamaChat(call)),
      });
      const meter = new StreamMeter({ startedAt: started });
      if (!upstream.ok) {
        meter.fail(upstreamFailure(upstream.status, await upstream.text()));
        record(built)(meter.finish());
        const answer = openAiError(gatewayErrorForFailure(meter.failure!));
        return Response.json(answer.body, { status: answer.status });
      }
      const sse = new ChatCompletionSse({
        id: chatCompletionId(meta.request_id),
        model: call.model,
        created: Math.floor(Date.now() / 1000),
      }, call.includeUsage);
      return new Response(ollamaToOpenAiSse(upstream.body!, meter, sse, record(built)), {
        headers: { ...SSE_HEADERS, "x-request-id": meta.request_id },
      });
    }
    return new Response("not found", { status: 404 });
  });
  return { url: `http://127.0.0.1:${server.addr.port}`, events, stop: () => server.shutdown() };
}

Deno.test({
  name: "npm:ollama and npm:openai get the real model's answers through the gateway's pieces",
  ...INTEGRATION,
  fn: async () => {
    const { ollama } = integrationConfig();
    const gateway = startMiniGateway(ollama.host);
    try {
      const client = new Ollama({
        host: gateway.url,
        headers: { "x-llmops-user": "ada", "x-llmops-tags": "suite=proxy" },
      });
      const messages = [
        { role: "system", content: "Answer briefly." },
        { role: "user", content: "Name a color." },
      ];
      let streamed = "";
      let final: { eval_count?: number } | null = null;
      for await (
        const part of await client.chat({
          model: ollama.model,
          messages,
          stream: true,
          options: { num_predict: 8, temperature: 0, seed: 1 },
        })
      ) {
        streamed += part.message.content;
        if (part.done) final = part;
      }
      assert.ok(streamed.length > 0);
      assert.ok(final && (final.eval_count ?? 0) > 0);

      const openai = new OpenAI({ apiKey: "unused", baseURL: `${gateway.url}/v1`, maxRetries: 0 });
      const stream = await openai.chat.completions.create({
        model: ollama.model,
        messages: [{ role: "user", content: "Name a fruit." }],
        max_tokens: 8,
        temperature: 0,
        stream: true,
        stream_options: { include_usage: true },
        user: "bob",
      });
      let text = "";
      let usage = null;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? "";
        usage = chunk.usage ?? usage;
      }
      assert.ok(text.length > 0);
      assert.ok(usage && usage.completion_tokens > 0);

      await assert.rejects(
        openai.chat.completions.create({
          model: "no-such-model:1b",
          messages: [{ role: "user", content: "x" }],
        }),
        (e: unknown) => e instanceof OpenAI.NotFoundError,
      );

      const [viaOllama, viaOpenAi, missing] = gateway.events;
      assert.equal(gateway.events.length, 3);
      assert.equal(viaOllama.response, streamed);
      assert.equal(viaOllama.user_id, "ada");
      assert.deepEqual(viaOllama.tags, { suite: "proxy" });
      assert.equal(viaOllama.system, "Answer briefly.");
      assert.equal(viaOllama.completion_tokens, final!.eval_count);
      assert.ok(viaOllama.ttft_ms !== null && viaOllama.ttft_ms <= viaOllama.latency_ms);
      assert.ok(viaOllama.eval_duration_ns! > 0);
      assert.equal(viaOpenAi.response, text);
      assert.equal(viaOpenAi.user_id, "bob");
      assert.equal(viaOpenAi.completion_tokens, usage!.completion_tokens);
      assert.equal(missing.status, "error");
      assert.equal(missing.error?.type, "model_not_found");
    } finally {
      await gateway.stop();
    }
  },
});
