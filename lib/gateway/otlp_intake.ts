/**
 * OTLP/HTTP trace intake without a server: reading a `POST /v1/traces` request's body (size
 * limit before and after gzip, `Content-Encoding: gzip` through DecompressionStream), decoding
 * it by `Content-Type` (`application/json` or `application/x-protobuf`), and answering in the
 * request's encoding: `ExportTraceServiceResponse` with `partialSuccess` on 200, a
 * `google.rpc.Status` on failures (400, 413, 415, 429/503 with `Retry-After`). Uses only Web
 * APIs (Request, Response, streams). Free of `Deno.*`.
 *
 * @module
 */

import { GatewayError } from "./errors.ts";
import { decodeOtlpJson } from "./otlp_json.ts";
import { decodeOtlpProtobuf, encodeExportResponse, encodeRpcStatus } from "./otlp_protobuf.ts";
import {
  OTLP_DECODE_LIMITS,
  OtlpDecodeError,
  type OtlpDecodeLimits,
  type OtlpTraceRequest,
} from "./otlp_types.ts";

/** The two OTLP/HTTP encodings. */
export type OtlpEncoding = "json" | "protobuf";

/** Size bounds of one export request. */
export interface OtlpBodyLimits {
  /** Bytes on the wire (compressed, when gzip). */
  bodyBytes: number;
  /** Bytes after decompression. */
  decodedBytes: number;
}

/** Default size bounds: 8 MiB on the wire, 32 MiB decompressed. */
export const OTLP_BODY_LIMITS: Readonly<OtlpBodyLimits> = Object.freeze({
  bodyBytes: 8 * 1024 * 1024,
  decodedBytes: 32 * 1024 * 1024,
});

/**
 * The encoding for a `Content-Type`, or null when it is neither OTLP encoding.
 *
 * @example
 * ```ts
 * otlpEncodingOf("application/json; charset=utf-8"); // "json"
 * ```
 */
export function otlpEncodingOf(contentType: string | null): OtlpEncoding | null {
  const media = (contentType ?? "").split(";")[0].trim().toLowerCase();
  if (media === "application/json") return "json";
  if (media === "application/x-protobuf" || media === "application/protobuf") return "protobuf";
  return null;
}

/** Reads a stream up to `limit` bytes; throws a 413 past it. */
async function readLimited(
  stream: ReadableStream<Uint8Array>,
  limit: number,
  what: string,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > limit) {
        throw new GatewayError("too_large", `${what} is larger than ${limit} bytes`);
      }
      chunks.push(value);
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    if (error instanceof GatewayError) throw error;
    throw new GatewayError(
      "invalid_request",
      `${what} could not be read: ${(error as Error).message}`,
    );
  } finally {
    reader.releaseLock();
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/**
 * Reads a request's body within the limits, decompressing gzip (`Content-Encoding: gzip`);
 * throws a 413 {@linkcode GatewayError} past a limit and a 400 for corrupt gzip or another
 * encoding.
 *
 * @example
 * ```ts
 * const bytes = await readRequestBody(request); // decompressed bytes
 * ```
 */
export async function readRequestBody(
  request: Request,
  limits: OtlpBodyLimits = OTLP_BODY_LIMITS,
): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limits.bodyBytes) {
    await request.body?.cancel().catch(() => {});
    throw new GatewayError(
      "too_large",
      `the body has ${declared} bytes, more than the limit of ${limits.bodyBytes}`,
    );
  }
  const encoding = (request.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  if (encoding !== "gzip" && encoding !== "identity" && encoding !== "") {
    await request.body?.cancel().catch(() => {});
    throw new GatewayError(
      "invalid_request",
      `Content-Encoding must be gzip or identity, found ${encoding.slice(0, 40)}`,
    );
  }
  if (!request.body) return new Uint8Array(0);
  if (encoding !== "gzip") return await readLimited(request.body, limits.bodyBytes, "the body");
  const wire = await readLimited(request.body, limits.bodyBytes, "the body");
  const inflated = new Blob([wire as BlobPart]).stream().pipeThrough(
    new DecompressionStream("gzip"),
  );
  try {
    return await readLimited(inflated, limits.decodedBytes, "the decompressed body");
  } catch (error) {
    if (error instanceof GatewayError && error.kind === "too_large") throw error;
    throw new GatewayError("invalid_request", "the body is not valid gzip");
  }
}

/**
 * Decodes an export request's bytes in an encoding; throws a 400 {@linkcode GatewayError}
 * carrying the decoder's reason.
 *
 * @example
 * ```ts
 * const traces = decodeOtlpTraces(bytes, "protobuf");
 * ```
 */
export function decodeOtlpTraces(
  bytes: Uint8Array,
  encoding: OtlpEncoding,
  limits: OtlpDecodeLimits = OTLP_DECODE_LIMITS,
): OtlpTraceRequest {
  try {
    if (encoding === "protobuf") return decodeOtlpProtobuf(bytes, limits);
    let value: unknown;
    try {
      value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    } catch {
      throw new OtlpDecodeError("the body is not valid UTF-8 JSON");
    }
    return decodeOtlpJson(value, limits);
  } catch (error) {
    if (error instanceof OtlpDecodeError) {
      throw new GatewayError("invalid_request", error.message, { cause: error });
    }
    if (error instanceof RangeError) {
      throw new GatewayError("invalid_request", "the body is nested too deeply");
    }
    throw error;
  }
}

/** A decoded export request and how to answer it. */
export interface OtlpIntake {
  encoding: OtlpEncoding;
  traces: OtlpTraceRequest;
  /** Decompressed bytes of the body. */
  bytes: number;
}

/**
 * Reads and decodes a `POST /v1/traces` request. Throws a {@linkcode GatewayError}: 415 for
 * another Content-Type (as a 400 kind with code `unsupported_media_type`), 413 past a limit,
 * 400 for an undecodable body. Answer those with {@linkcode otlpErrorResponse}.
 *
 * @example
 * ```ts
 * const { encoding, traces } = await readOtlpTraces(request);
 * ```
 */
export async function readOtlpTraces(
  request: Request,
  limits: { body?: OtlpBodyLimits; decode?: OtlpDecodeLimits } = {},
): Promise<OtlpIntake> {
  const encoding = otlpEncodingOf(request.headers.get("content-type"));
  if (encoding === null) {
    await request.body?.cancel().catch(() => {});
    throw new GatewayError(
      "invalid_request",
      `Content-Type must be application/json or application/x-protobuf, found ${
        (request.headers.get("content-type") ?? "none").slice(0, 60)
      }`,
      { code: "unsupported_media_type" },
    );
  }
  const bytes = await readRequestBody(request, limits.body);
  return {
    encoding,
    traces: decodeOtlpTraces(bytes, encoding, limits.decode),
    bytes: bytes.length,
  };
}

/** What `partialSuccess` reports. */
export interface OtlpPartialSuccess {
  rejectedSpans: number;
  /** Why spans were rejected, or a note (rejectedSpans 0) such as skipped spans; "" for none. */
  errorMessage: string;
}

/**
 * The `partialSuccess` for a mapping result: rejected GenAI spans with their first reasons, and
 * a note of skipped spans (which are not rejections: the exporter must not retry them).
 *
 * @example
 * ```ts
 * partialSuccessOf({ rejectedCount: 1, rejectedReasons: ["span ab: bad"], skippedCount: 2 });
 * // { rejectedSpans: 1, errorMessage: "1 span rejected: span ab: bad; 2 spans skipped …" }
 * ```
 */
export function partialSuccessOf(result: {
  rejectedCount: number;
  rejectedReasons: readonly string[];
  skippedCount: number;
}): OtlpPartialSuccess {
  const parts: string[] = [];
  if (result.rejectedCount > 0) {
    parts.push(
      `${result.rejectedCount} span${result.rejectedCount === 1 ? "" : "s"} rejected: ${
        result.rejectedReasons.join("; ")
      }`,
    );
  }
  if (result.skippedCount > 0) {
    parts.push(
      `${result.skippedCount} span${result.skippedCount === 1 ? "" : "s"} skipped ` +
        "(not GenAI model calls; not stored)",
    );
  }
  return { rejectedSpans: result.rejectedCount, errorMessage: parts.join("; ").slice(0, 2_000) };
}

/**
 * The 200 answer of an export, in the request's encoding.
 *
 * @example
 * ```ts
 * const response = otlpSuccessResponse("json", { rejectedSpans: 0, errorMessage: "" });
 * await response.text(); // "{}"
 * ```
 */
export function otlpSuccessResponse(encoding: OtlpEncoding, partial: OtlpPartialSuccess): Response {
  if (encoding === "protobuf") {
    return new Response(encodeExportResponse(partial) as BodyInit, {
      status: 200,
      headers: { "content-type": "application/x-protobuf" },
    });
  }
  const body = partial.rejectedSpans === 0 && partial.errorMessage === "" ? {} : {
    partialSuccess: {
      ...(partial.rejectedSpans === 0 ? {} : { rejectedSpans: String(partial.rejectedSpans) }),
      ...(partial.errorMessage === "" ? {} : { errorMessage: partial.errorMessage }),
    },
  };
  return new Response(JSON.stringify(body), {
    status: 200,
    headers: { "content-type": "application/json" },
  });
}

/** gRPC status codes used in `google.rpc.Status` bodies. */
const RPC_CODE: Record<number, number> = {
  400: 3, // INVALID_ARGUMENT
  401: 16, // UNAUTHENTICATED
  404: 5, // NOT_FOUND
  413: 8, // RESOURCE_EXHAUSTED
  415: 3,
  429: 8,
  502: 14, // UNAVAILABLE
  503: 14,
};

/**
 * A failure answer (`google.rpc.Status`) in the request's encoding (JSON when it is unknown),
 * with `Retry-After` for 429 and 503. An unsupported Content-Type is answered 415.
 *
 * @example
 * ```ts
 * otlpErrorResponse("json", new GatewayError("rate_limited", "buffer full", { retryAfterS: 2 }));
 * // 429, Retry-After: 2, {"code":8,"message":"buffer full"}
 * ```
 */
export function otlpErrorResponse(encoding: OtlpEncoding | null, error: GatewayError): Response {
  const status = error.code === "unsupported_media_type" ? 415 : error.status;
  const code = RPC_CODE[status] ?? 2;
  const headers: Record<string, string> = {};
  if (error.retryAfterS !== null && (status === 429 || status === 503)) {
    headers["retry-after"] = String(Math.max(0, Math.ceil(error.retryAfterS)));
  }
  if (encoding === "protobuf") {
    headers["content-type"] = "application/x-protobuf";
    return new Response(encodeRpcStatus(code, error.message) as BodyInit, { status, headers });
  }
  headers["content-type"] = "application/json";
  return new Response(JSON.stringify({ code, message: error.message }), { status, headers });
}
