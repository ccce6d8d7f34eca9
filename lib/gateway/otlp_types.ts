/**
 * The decoded form of an OTLP `ExportTraceServiceRequest`, the same whether it arrived as OTLP
 * JSON or protobuf: only what the GenAI mapping reads (resource and span attributes, span
 * events, times, status, ids). Attribute maps have no prototype, so hostile keys such as
 * `__proto__` are plain keys. Free of `Deno.*`.
 *
 * @module
 */

/** An OTLP `AnyValue`: strings, numbers (int64 beyond 2^53 as decimal strings), booleans,
 * bytes, arrays and key-value lists; an empty value is null. */
export type AttrValue =
  | string
  | number
  | boolean
  | null
  | Uint8Array
  | AttrValue[]
  | AttrMap;

/** Attributes by key (null prototype). */
export interface AttrMap {
  [key: string]: AttrValue;
}

/** A span event (only its name and attributes are kept). */
export interface OtlpSpanEvent {
  name: string;
  attributes: AttrMap;
}

/** One decoded span. Times are nanoseconds since the epoch as doubles (exact to ~0.25 µs). */
export interface OtlpSpan {
  /** 32 lowercase hex digits, or "" when absent or malformed. */
  traceId: string;
  /** 16 lowercase hex digits, or "" when absent or malformed. */
  spanId: string;
  parentSpanId: string;
  name: string;
  /** SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startTimeUnixNano: number;
  endTimeUnixNano: number;
  attributes: AttrMap;
  events: OtlpSpanEvent[];
  /** Status code: 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string };
}

/** Spans of one instrumentation scope. */
export interface OtlpScopeSpans {
  scopeName: string;
  scopeVersion: string;
  spans: OtlpSpan[];
}

/** Spans of one resource (one service). */
export interface OtlpResourceSpans {
  resource: AttrMap;
  scopeSpans: OtlpScopeSpans[];
}

/** A decoded `ExportTraceServiceRequest`. */
export interface OtlpTraceRequest {
  resourceSpans: OtlpResourceSpans[];
  /** Number of spans in the whole request. */
  spanCount: number;
}

/** Bounds a decoder enforces on one request (a request past one is refused whole). */
export interface OtlpDecodeLimits {
  /** Spans in one request. */
  spans: number;
  /** Nesting of array and key-value list values. */
  depth: number;
  /** Attribute values (every AnyValue, nested ones included) in one request. */
  values: number;
  /** Events per span. */
  eventsPerSpan: number;
}

/** Default decode bounds. */
export const OTLP_DECODE_LIMITS: Readonly<OtlpDecodeLimits> = Object.freeze({
  spans: 10_000,
  depth: 16,
  values: 2_000_000,
  eventsPerSpan: 1_000,
});

/** A request that is not a valid OTLP trace export, with the reason. */
export class OtlpDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OtlpDecodeError";
  }
}

/** A new attribute map without prototype. */
export function newAttrMap(): AttrMap {
  return Object.create(null) as AttrMap;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * Lowercase hex of bytes.
 *
 * @example
 * ```ts
 * toHex(new Uint8Array([0, 255])); // "00ff"
 * ```
 */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]];
  return out;
}
