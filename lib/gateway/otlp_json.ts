/**
 * Decoding an OTLP `ExportTraceServiceRequest` from OTLP JSON (the OTLP spec's JSON mapping:
 * lowerCamelCase keys, trace and span ids as hex, int64 as decimal strings or numbers, enums
 * as integers; protobuf's snake_case keys, base64 ids and enum names are read too). Unknown
 * fields are ignored, wrong types refused with the path. Free of `Deno.*`.
 *
 * @module
 */

import {
  type AttrMap,
  type AttrValue,
  newAttrMap,
  OTLP_DECODE_LIMITS,
  OtlpDecodeError,
  type OtlpDecodeLimits,
  type OtlpResourceSpans,
  type OtlpScopeSpans,
  type OtlpSpan,
  type OtlpSpanEvent,
  type OtlpTraceRequest,
  toHex,
} from "./otlp_types.ts";

type Obj = Record<string, unknown>;

interface State {
  limits: OtlpDecodeLimits;
  spans: number;
  values: number;
}

function fail(path: string, expected: string, found: unknown): never {
  const kind = found === null ? "null" : Array.isArray(found) ? "array" : typeof found;
  throw new OtlpDecodeError(`${path} must be ${expected}, found ${kind}`);
}

function isObj(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A field by its JSON (camelCase) name or protobuf (snake_case) name; null counts as absent. */
function get(o: Obj, camel: string, snake?: string): unknown {
  let v = Object.hasOwn(o, camel) ? o[camel] : undefined;
  if (v === undefined && snake !== undefined && Object.hasOwn(o, snake)) v = o[snake];
  return v === null ? undefined : v;
}

function list(o: Obj, camel: string, snake: string | undefined, path: string): unknown[] {
  const v = get(o, camel, snake);
  if (v === undefined) return [];
  if (!Array.isArray(v)) fail(path, "an array", v);
  return v;
}

function str(o: Obj, camel: string, snake: string | undefined, path: string): string {
  const v = get(o, camel, snake);
  if (v === undefined) return "";
  if (typeof v !== "string") fail(path, "a string", v);
  return v;
}

const INT = /^-?\d+$/;

/** An int64 given as a number or a decimal string: a number when safe, else the text. */
function int64(value: unknown, path: string): number | string {
  if (typeof value === "number") {
    if (!Number.isInteger(value)) fail(path, "an integer", value);
    return value;
  }
  if (typeof value === "string" && INT.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value.replace(/^(-?)0+(?=\d)/, "$1");
  }
  return fail(path, "an integer (number or decimal string)", value);
}

/** A uint64 time in ns as a double. */
function nanos(value: unknown, path: string): number {
  if (value === undefined) return 0;
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return value;
  if (typeof value === "string" && /^\d+$/.test(value)) return Number(value);
  return fail(path, "a non-negative integer (number or decimal string)", value);
}

function double(value: unknown, path: string): number {
  if (typeof value === "number") return value;
  if (value === "NaN") return NaN;
  if (value === "Infinity") return Infinity;
  if (value === "-Infinity") return -Infinity;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) {
    return Number(value);
  }
  return fail(path, "a number", value);
}

function base64Bytes(text: string, path: string): Uint8Array {
  let binary: string;
  try {
    binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    return fail(path, "base64 text", text);
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const HEX_ID = /^[0-9a-fA-F]+$/;

/** An id as lowercase hex of `size` bytes; "" when absent or malformed (the span is then
 * refused by the mapping, not the whole request). */
function id(value: unknown, size: number, path: string): string {
  if (value === undefined || value === "") return "";
  if (typeof value !== "string") fail(path, "a hex string", value);
  if (value.length === size * 2 && HEX_ID.test(value)) return value.toLowerCase();
  if (value.length <= size * 2) {
    try {
      const bytes = base64Bytes(value, path);
      if (bytes.length === size) return toHex(bytes);
    } catch {
      // neither hex nor base64
    }
  }
  return "";
}

const SPAN_KINDS: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_CODES: Record<string, number> = {
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
};

function enumValue(value: unknown, names: Record<string, number>, path: string): number {
  if (value === undefined) return 0;
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && Object.hasOwn(names, value)) return names[value];
  return fail(path, "an enum value (integer or name)", value);
}

function anyValue(v: unknown, path: string, state: State, depth: number): AttrValue {
  if (++state.values > state.limits.values) {
    throw new OtlpDecodeError(`more than ${state.limits.values} attribute values`);
  }
  if (depth > state.limits.depth) {
    throw new OtlpDecodeError(`attribute values nested deeper than ${state.limits.depth}`);
  }
  if (v === undefined) return null;
  if (!isObj(v)) fail(path, "an AnyValue object", v);
  let x: unknown;
  if ((x = get(v, "stringValue", "string_value")) !== undefined) {
    if (typeof x !== "string") fail(`${path}.stringValue`, "a string", x);
    return x;
  }
  if ((x = get(v, "intValue", "int_value")) !== undefined) return int64(x, `${path}.intValue`);
  if ((x = get(v, "doubleValue", "double_value")) !== undefined) {
    return double(x, `${path}.doubleValue`);
  }
  if ((x = get(v, "boolValue", "bool_value")) !== undefined) {
    if (typeof x !== "boolean") fail(`${path}.boolValue`, "a boolean", x);
    return x;
  }
  if ((x = get(v, "arrayValue", "array_value")) !== undefined) {
    if (!isObj(x)) fail(`${path}.arrayValue`, "an object", x);
    const values = list(x, "values", undefined, `${path}.arrayValue.values`);
    const out: AttrValue[] = new Array(values.length);
    for (let i = 0; i < values.length; i++) {
      out[i] = anyValue(values[i], `${path}.arrayValue.values.${i}`, state, depth + 1);
    }
    return out;
  }
  if ((x = get(v, "kvlistValue", "kvlist_value")) !== undefined) {
    if (!isObj(x)) fail(`${path}.kvlistValue`, "an object", x);
    const map = newAttrMap();
    attributes(
      list(x, "values", undefined, `${path}.kvlistValue.values`),
      map,
      `${path}.kvlistValue.values`,
      state,
      depth + 1,
    );
    return map;
  }
  if ((x = get(v, "bytesValue", "bytes_value")) !== undefined) {
    if (typeof x !== "string") fail(`${path}.bytesValue`, "base64 text", x);
    return base64Bytes(x, `${path}.bytesValue`);
  }
  return null;
}

function attributes(
  items: unknown[],
  into: AttrMap,
  path: string,
  state: State,
  depth: number,
): void {
  for (let i = 0; i < items.length; i++) {
    const kv = items[i];
    if (!isObj(kv)) fail(`${path}.${i}`, "a KeyValue object", kv);
    const key = get(kv, "key");
    if (typeof key !== "string") fail(`${path}.${i}.key`, "a string", key);
    into[key] = anyValue(get(kv, "value"), `${path}.${i}.value`, state, depth);
  }
}

function span(v: unknown, path: string, state: State): OtlpSpan {
  if (++state.spans > state.limits.spans) {
    throw new OtlpDecodeError(`more than ${state.limits.spans} spans in one request`);
  }
  if (!isObj(v)) fail(path, "a Span object", v);
  const attrs = newAttrMap();
  attributes(
    list(v, "attributes", undefined, `${path}.attributes`),
    attrs,
    `${path}.attributes`,
    state,
    0,
  );
  const rawEvents = list(v, "events", undefined, `${path}.events`);
  if (rawEvents.length > state.limits.eventsPerSpan) {
    throw new OtlpDecodeError(`more than ${state.limits.eventsPerSpan} events in one span`);
  }
  const events: OtlpSpanEvent[] = rawEvents.map((e, i) => {
    if (!isObj(e)) fail(`${path}.events.${i}`, "an Event object", e);
    const eventAttrs = newAttrMap();
    attributes(
      list(e, "attributes", undefined, `${path}.events.${i}.attributes`),
      eventAttrs,
      `${path}.events.${i}.attributes`,
      state,
      0,
    );
    return { name: str(e, "name", undefined, `${path}.events.${i}.name`), attributes: eventAttrs };
  });
  const rawStatus = get(v, "status");
  let status = { code: 0, message: "" };
  if (rawStatus !== undefined) {
    if (!isObj(rawStatus)) fail(`${path}.status`, "an object", rawStatus);
    status = {
      code: enumValue(get(rawStatus, "code"), STATUS_CODES, `${path}.status.code`),
      message: str(rawStatus, "message", undefined, `${path}.status.message`),
    };
  }
  return {
    traceId: id(get(v, "traceId", "trace_id"), 16, `${path}.traceId`),
    spanId: id(get(v, "spanId", "span_id"), 8, `${path}.spanId`),
    parentSpanId: id(get(v, "parentSpanId", "parent_span_id"), 8, `${path}.parentSpanId`),
    name: str(v, "name", undefined, `${path}.name`),
    kind: enumValue(get(v, "kind"), SPAN_KINDS, `${path}.kind`),
    startTimeUnixNano: nanos(
      get(v, "startTimeUnixNano", "start_time_unix_nano"),
      `${path}.startTimeUnixNano`,
    ),
    endTimeUnixNano: nanos(
      get(v, "endTimeUnixNano", "end_time_unix_nano"),
      `${path}.endTimeUnixNano`,
    ),
    attributes: attrs,
    events,
    status,
  };
}

function scopeSpans(v: unknown, path: string, state: State): OtlpScopeSpans {
  if (!isObj(v)) fail(path, "a ScopeSpans object", v);
  const scope = get(v, "scope");
  if (scope !== undefined && !isObj(scope)) fail(`${path}.scope`, "an object", scope);
  const spans = list(v, "spans", undefined, `${path}.spans`);
  return {
    scopeName: scope ? str(scope, "name", undefined, `${path}.scope.name`) : "",
    scopeVersion: scope ? str(scope, "version", undefined, `${path}.scope.version`) : "",
    spans: spans.map((s, i) => span(s, `${path}.spans.${i}`, state)),
  };
}

function resourceSpans(v: unknown, path: string, state: State): OtlpResourceSpans {
  if (!isObj(v)) fail(path, "a ResourceSpans object", v);
  const resource = newAttrMap();
  const rawResource = get(v, "resource");
  if (rawResource !== undefined) {
    if (!isObj(rawResource)) fail(`${path}.resource`, "an object", rawResource);
    attributes(
      list(rawResource, "attributes", undefined, `${path}.resource.attributes`),
      resource,
      `${path}.resource.attributes`,
      state,
      0,
    );
  }
  const scopes = list(v, "scopeSpans", "scope_spans", `${path}.scopeSpans`);
  return {
    resource,
    scopeSpans: scopes.map((s, i) => scopeSpans(s, `${path}.scopeSpans.${i}`, state)),
  };
}

/**
 * Decodes a parsed OTLP JSON `ExportTraceServiceRequest`. Throws {@linkcode OtlpDecodeError}
 * naming the path of the first wrong value, or the limit a request goes past.
 *
 * @example
 * ```ts
 * const request = decodeOtlpJson(JSON.parse(text));
 * request.resourceSpans[0].scopeSpans[0].spans[0].traceId; // "5b8efff798038103d269b633813fc60c"
 * ```
 */
export function decodeOtlpJson(
  value: unknown,
  limits: OtlpDecodeLimits = OTLP_DECODE_LIMITS,
): OtlpTraceRequest {
  if (!isObj(value)) fail("the body", "an ExportTraceServiceRequest object", value);
  const state: State = { limits, spans: 0, values: 0 };
  const items = list(value, "resourceSpans", "resource_spans", "resourceSpans");
  const resourceSpansList = items.map((r, i) => resourceSpans(r, `resourceSpans.${i}`, state));
  return { resourceSpans: resourceSpansList, spanCount: state.spans };
}
