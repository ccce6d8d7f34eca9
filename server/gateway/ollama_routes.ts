/**
 * The Ollama dialect: `POST /api/chat`, `/api/generate` and `/api/embed` forward the caller's
 * body to Ollama byte for byte and pass its answer back byte for byte (streamed NDJSON or one
 * JSON object), metering it on the way; `GET /api/tags`, `/api/ps`, `/api/version` and
 * `POST /api/show` are passed through. Each call answers with `x-request-id` and is recorded
 * once (request and response events) when it ends, fails or the caller leaves.
 *
 * @module
 */

import { Hono } from "hono";
import {
  GatewayError,
  gatewayRequestEvent,
  meteredPassThrough,
  type OllamaCall,
  parseOllamaChat,
  parseOllamaEmbed,
  parseOllamaGenerate,
  type RequestMeta,
  requestMeta,
} from "../../lib/gateway/mod.ts";
import { callOllama, passThrough, readJsonBody, type UpstreamDeps } from "./upstream.ts";

/**
 * The call's metadata with its operation as a tag when it is not a chat (so metrics and traces
 * name it), when there is room for one more tag.
 *
 * @example
 * ```ts ignore
 * withOperation(meta, "embeddings").tags?.operation; // "embeddings"
 * ```
 */
export function withOperation(meta: RequestMeta, operation: string): RequestMeta {
  if (operation === "chat") return meta;
  const tags = { ...meta.tags };
  if (Object.hasOwn(tags, "operation") || Object.keys(tags).length >= 32) return meta;
  tags.operation = operation;
  return { ...meta, tags };
}

async function meteredCall(
  deps: UpstreamDeps,
  headers: Headers,
  parse: (body: unknown) => OllamaCall,
  body: { value: unknown; bytes: Uint8Array<ArrayBuffer> },
  startedAt: number,
): Promise<Response> {
  const call = parse(body.value);
  const meta = withOperation(requestMeta(headers), call.operation);
  const built = gatewayRequestEvent(call, { meta, source: "gateway", ts: Date.now() });
  const idHeader = { "x-request-id": meta.request_id };
  const result = await callOllama(
    deps,
    call.endpoint,
    body.bytes,
    built,
    startedAt,
  );
  if (!result.ok) {
    throw Object.assign(result.error, { headers: idHeader });
  }
  const { response, meter } = result;
  const contentType = response.headers.get("content-type") ?? "application/json";
  if (call.endpoint === "/api/embed") {
    const bytes = new Uint8Array(await response.arrayBuffer());
    try {
      meter.push(JSON.parse(new TextDecoder().decode(bytes)));
    } catch {
      meter.fail({ type: "broken_stream", message: "Ollama's embed answer is not JSON" });
    }
    deps.recorder.record(built, meter.finish());
    return new Response(bytes, { headers: { "content-type": contentType, ...idHeader } });
  }
  const stream = meteredPassThrough(
    response.body!,
    meter,
    (measurement) => deps.recorder.record(built, measurement),
  );
  return new Response(stream, { headers: { "content-type": contentType, ...idHeader } });
}

/**
 * The Ollama dialect's routes (mounted at `/`).
 *
 * @example
 * ```ts ignore
 * app.route("/", ollamaRoutes({ ollamaHost, recorder }));
 * ```
 */
export function ollamaRoutes(deps: UpstreamDeps): Hono {
  const app = new Hono();
  const call = (path: string, parse: (body: unknown) => OllamaCall) =>
    app.post(path, async (c) => {
      const startedAt = performance.now();
      return await meteredCall(deps, c.req.raw.headers, parse, await readJsonBody(c), startedAt);
    });
  call("/api/chat", parseOllamaChat);
  call("/api/generate", parseOllamaGenerate);
  call("/api/embed", parseOllamaEmbed);
  app.get("/api/tags", () => passThrough(deps, "/api/tags", { method: "GET" }));
  app.get("/api/ps", () => passThrough(deps, "/api/ps", { method: "GET" }));
  app.get("/api/version", () => passThrough(deps, "/api/version", { method: "GET" }));
  app.post("/api/show", async (c) => {
    const { value } = await readJsonBody(c);
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new GatewayError("invalid_request", "the request body must be a JSON object");
    }
    return passThrough(deps, "/api/show", { method: "POST", body: JSON.stringify(value) });
  });
  return app;
}
