/**
 * The gateway's side of a call to Ollama: reading the caller's JSON body (media type checked,
 * parse errors as the dialect's 400), calling Ollama with the failure of an unreachable server
 * classified and recorded, and passing Ollama's non-call endpoints (`/api/tags`, `/api/show`…)
 * through unchanged.
 *
 * @module
 */

import type { Context } from "hono";
import {
  type BuiltRequest,
  type CallFailure,
  GatewayError,
  gatewayErrorForFailure,
  networkFailure,
  StreamMeter,
  upstreamFailure,
} from "../../lib/gateway/mod.ts";
import type { CallRecorder } from "./recorder.ts";

/** What the routes need: where Ollama is, how to fetch, where calls are recorded. */
export interface UpstreamDeps {
  /** Ollama's base URL (no trailing slash). */
  ollamaHost: string;
  recorder: CallRecorder;
  fetch?: typeof fetch;
}

/** Media types a call's body may be declared as: JSON, or what curl and scripts send for it. */
const JSON_LIKE =
  /^(application\/(json|x-www-form-urlencoded|x-ndjson)|text\/plain|[^/]+\/[^;]*\+json)$/;

/**
 * Reads the caller's body as JSON: 415 for a declared media type that cannot hold JSON
 * (multipart, images…), 400 naming the problem when it does not parse. Returns the bytes too,
 * so the Ollama dialect can forward them unchanged.
 *
 * @example
 * ```ts ignore
 * const { value, bytes } = await readJsonBody(c);
 * ```
 */
export async function readJsonBody(
  c: Context,
): Promise<{ value: unknown; bytes: Uint8Array<ArrayBuffer> }> {
  const type = (c.req.header("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "" && !JSON_LIKE.test(type)) {
    await c.req.raw.body?.cancel().catch(() => {});
    throw new GatewayError(
      "invalid_request",
      `Content-Type must be application/json, found ${type.slice(0, 60)}`,
      { code: "unsupported_media_type" },
    );
  }
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  if (bytes.length === 0) {
    throw new GatewayError("invalid_request", "the request body is empty: expected a JSON object");
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new GatewayError("invalid_request", "the request body is not valid UTF-8");
  }
  try {
    return { value: JSON.parse(text), bytes };
  } catch (error) {
    throw new GatewayError(
      "invalid_request",
      `the request body is not valid JSON: ${(error as Error).message.slice(0, 200)}`,
    );
  }
}

/** A started upstream call: the response (2xx), or the recorded failure. */
export type UpstreamResult =
  | { ok: true; response: Response; meter: StreamMeter }
  | { ok: false; error: GatewayError; failure: CallFailure };

/**
 * Calls Ollama for a metered call. When Ollama cannot be reached or answers non-2xx, the call
 * is recorded at once as an error response event and the caller's error is returned (404 for a
 * missing model, 503 for an unreachable server, 502 otherwise).
 *
 * @example
 * ```ts ignore
 * const result = await callOllama(deps, "/api/chat", body, built, started);
 * if (!result.ok) throw result.error;
 * ```
 */
export async function callOllama(
  deps: UpstreamDeps,
  path: string,
  body: BodyInit,
  built: BuiltRequest,
  startedAt: number,
): Promise<UpstreamResult> {
  const meter = new StreamMeter({ startedAt });
  let failure: CallFailure | null = null;
  let response: Response | null = null;
  try {
    response = await (deps.fetch ?? fetch)(`${deps.ollamaHost}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    if (!response.ok) failure = upstreamFailure(response.status, await response.text());
  } catch (error) {
    failure = networkFailure(error);
  }
  if (failure !== null) {
    meter.fail(failure);
    deps.recorder.record(built, meter.finish());
    return { ok: false, error: gatewayErrorForFailure(failure), failure };
  }
  return { ok: true, response: response!, meter };
}

/**
 * Passes a request to one of Ollama's endpoints that makes no model call (`/api/tags`,
 * `/api/ps`, `/api/version`, `/api/show`) and its answer back unchanged; 503 when Ollama is
 * unreachable.
 *
 * @example
 * ```ts ignore
 * app.get("/api/tags", (c) => passThrough(deps, c, "/api/tags"));
 * ```
 */
export async function passThrough(
  deps: UpstreamDeps,
  path: string,
  init: { method: "GET" } | { method: "POST"; body: BodyInit },
): Promise<Response> {
  let upstream: Response;
  try {
    upstream = await (deps.fetch ?? fetch)(`${deps.ollamaHost}${path}`, {
      ...init,
      ...(init.method === "POST" ? { headers: { "content-type": "application/json" } } : {}),
    });
  } catch (error) {
    throw gatewayErrorForFailure(networkFailure(error));
  }
  return new Response(upstream.body, {
    status: upstream.status,
    headers: { "content-type": upstream.headers.get("content-type") ?? "application/json" },
  });
}
