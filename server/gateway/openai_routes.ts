/**
 * The OpenAI dialect: `POST /v1/chat/completions` and `/v1/completions` (server-sent events
 * ending in `data: [DONE]`, or one JSON object; `stream_options.include_usage`), `POST
 * /v1/embeddings` (float or base64) and `GET /v1/models` (and `/v1/models/{id}`), made from
 * Ollama's `/api/chat`, `/api/generate`, `/api/embed` and `/api/tags`. Ollama always streams to
 * the gateway, so time to first token is measured even when the caller wants one object.
 *
 * @module
 */

import { Hono } from "hono";
import {
  chatCompletion,
  chatCompletionId,
  ChatCompletionSse,
  completionId,
  drainOllama,
  embeddingsList,
  finishReason,
  GatewayError,
  gatewayErrorForFailure,
  gatewayRequestEvent,
  modelsList,
  networkFailure,
  ollamaToOpenAiSse,
  parseChatCompletionRequest,
  parseCompletionRequest,
  parseEmbeddingsRequest,
  requestMeta,
  SSE_HEADERS,
  textCompletion,
  TextCompletionSse,
  toOllamaChat,
  toOllamaEmbed,
  toOllamaGenerate,
  usageOf,
} from "../../lib/gateway/mod.ts";
import type { OpenAiChatRequest, OpenAiCompletionRequest } from "../../lib/gateway/mod.ts";
import { withOperation } from "./ollama_routes.ts";
import { callOllama, readJsonBody, type UpstreamDeps } from "./upstream.ts";

function failWith(error: GatewayError, requestId: string): never {
  throw Object.assign(error, { headers: { "x-request-id": requestId } });
}

async function completionCall(
  deps: UpstreamDeps,
  headers: Headers,
  call: OpenAiChatRequest | OpenAiCompletionRequest,
  startedAt: number,
): Promise<Response> {
  const chat = call.operation === "chat";
  const meta = withOperation(
    requestMeta(headers, {
      bodyUser: call.user,
      bodyTags: chat ? (call as OpenAiChatRequest).metadata : undefined,
    }),
    call.operation,
  );
  const built = gatewayRequestEvent(call, { meta, source: "gateway", ts: Date.now() });
  const upstreamBody = chat
    ? toOllamaChat(call as OpenAiChatRequest)
    : toOllamaGenerate(call as OpenAiCompletionRequest);
  const result = await callOllama(
    deps,
    chat ? "/api/chat" : "/api/generate",
    JSON.stringify(upstreamBody),
    built,
    startedAt,
  );
  if (!result.ok) failWith(result.error, meta.request_id);
  const { response, meter } = result;
  const identity = {
    id: chat ? chatCompletionId(meta.request_id) : completionId(meta.request_id),
    model: call.model,
    created: Math.floor(Date.now() / 1000),
  };
  const record = (m: Parameters<typeof deps.recorder.record>[1]) => deps.recorder.record(built, m);
  if (call.stream) {
    const sse = chat
      ? new ChatCompletionSse(identity, call.includeUsage)
      : new TextCompletionSse(identity, call.includeUsage);
    return new Response(ollamaToOpenAiSse(response.body!, meter, sse, record), {
      headers: { ...SSE_HEADERS, "x-request-id": meta.request_id },
    });
  }
  const m = await drainOllama(response.body!, meter, record);
  if (m.status === "error") failWith(gatewayErrorForFailure(meter.failure!), meta.request_id);
  const content = {
    text: m.response,
    finishReason: finishReason(meter.doneReason),
    usage: usageOf(meter.usage),
  };
  return Response.json(
    chat ? chatCompletion(identity, content) : textCompletion(identity, content),
    {
      headers: { "x-request-id": meta.request_id },
    },
  );
}

/**
 * The OpenAI dialect's routes (mounted at `/`).
 *
 * @example
 * ```ts ignore
 * app.route("/", openAiRoutes({ ollamaHost, recorder }));
 * ```
 */
export function openAiRoutes(deps: UpstreamDeps): Hono {
  const app = new Hono();
  app.post("/v1/chat/completions", async (c) => {
    const startedAt = performance.now();
    const { value } = await readJsonBody(c);
    return await completionCall(
      deps,
      c.req.raw.headers,
      parseChatCompletionRequest(value),
      startedAt,
    );
  });
  app.post("/v1/completions", async (c) => {
    const startedAt = performance.now();
    const { value } = await readJsonBody(c);
    return await completionCall(deps, c.req.raw.headers, parseCompletionRequest(value), startedAt);
  });
  app.post("/v1/embeddings", async (c) => {
    const startedAt = performance.now();
    const { value } = await readJsonBody(c);
    const call = parseEmbeddingsRequest(value);
    const meta = withOperation(
      requestMeta(c.req.raw.headers, { bodyUser: call.user }),
      "embeddings",
    );
    const built = gatewayRequestEvent(call, { meta, source: "gateway", ts: Date.now() });
    const result = await callOllama(
      deps,
      "/api/embed",
      JSON.stringify(toOllamaEmbed(call)),
      built,
      startedAt,
    );
    if (!result.ok) failWith(result.error, meta.request_id);
    const { response, meter } = result;
    let answer: unknown;
    try {
      answer = await response.json();
    } catch {
      answer = null;
    }
    const embeddings = (answer as { embeddings?: unknown } | null)?.embeddings;
    if (!Array.isArray(embeddings)) {
      meter.fail({ type: "broken_stream", message: "Ollama's embed answer has no embeddings" });
      deps.recorder.record(built, meter.finish());
      failWith(gatewayErrorForFailure(meter.failure!), meta.request_id);
    }
    meter.push(answer);
    deps.recorder.record(built, meter.finish());
    return Response.json(
      embeddingsList(call.model, answer as { embeddings: number[][] }, call.encodingFormat),
      { headers: { "x-request-id": meta.request_id } },
    );
  });
  const tags = async () => {
    try {
      const upstream = await (deps.fetch ?? fetch)(`${deps.ollamaHost}/api/tags`);
      if (!upstream.ok) {
        throw new GatewayError("upstream", `Ollama answered ${upstream.status} to /api/tags`);
      }
      return await upstream.json() as { models?: unknown };
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      throw gatewayErrorForFailure(networkFailure(error));
    }
  };
  app.get("/v1/models", async (c) => c.json(modelsList(await tags())));
  app.get("/v1/models/:model{.+}", async (c) => {
    const id = c.req.param("model");
    const model = modelsList(await tags()).data.find((m) => m.id === id);
    if (!model) {
      throw new GatewayError("not_found", `The model '${id.slice(0, 200)}' does not exist`, {
        param: "model",
        code: "model_not_found",
      });
    }
    return c.json(model);
  });
  return app;
}
