/**
 * Decoding an OTLP `ExportTraceServiceRequest` from protobuf bytes, for exactly the messages
 * the GenAI mapping reads (ResourceSpans, Resource, ScopeSpans, InstrumentationScope, Span,
 * Span.Event, Status, KeyValue, AnyValue, ArrayValue, KeyValueList); other fields are skipped
 * by wire type. Byte slices are read in place; the only allocations are the decoded strings,
 * values and objects. Field numbers follow opentelemetry-proto (trace/v1, common/v1). Encoding
 * the intake's answers (`ExportTraceServiceResponse`, `google.rpc.Status`) is here too.
 * Free of `Deno.*`.
 *
 * @module
 */

import { ProtobufError, ProtoReader, ProtoWriter, WIRE } from "./protobuf_wire.ts";
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

interface State {
  limits: OtlpDecodeLimits;
  spans: number;
  values: number;
}

function wireError(message: string, field: number, wire: number, expected: number): never {
  throw new ProtobufError(
    `${message}: field ${field} has wire type ${wire}, expected ${expected}`,
  );
}

function expectWire(what: string, field: number, wire: number, expected: number): void {
  if (wire !== expected) wireError(what, field, wire, expected);
}

function anyValue(r: ProtoReader, end: number, state: State, depth: number): AttrValue {
  if (++state.values > state.limits.values) {
    throw new OtlpDecodeError(`more than ${state.limits.values} attribute values`);
  }
  if (depth > state.limits.depth) {
    throw new OtlpDecodeError(`attribute values nested deeper than ${state.limits.depth}`);
  }
  let value: AttrValue = null;
  while (r.pos < end) {
    const tag = r.tag(end);
    const field = tag >>> 3;
    const wire = tag & 7;
    switch (field) {
      case 1:
        expectWire("AnyValue.string_value", field, wire, WIRE.LEN);
        value = r.string(end);
        break;
      case 2:
        expectWire("AnyValue.bool_value", field, wire, WIRE.VARINT);
        value = r.int64(end) !== 0;
        break;
      case 3:
        expectWire("AnyValue.int_value", field, wire, WIRE.VARINT);
        value = r.int64(end);
        break;
      case 4:
        expectWire("AnyValue.double_value", field, wire, WIRE.I64);
        value = r.double(end);
        break;
      case 5: {
        expectWire("AnyValue.array_value", field, wire, WIRE.LEN);
        const stop = r.lengthEnd(end);
        const list: AttrValue[] = [];
        while (r.pos < stop) {
          const t = r.tag(stop);
          if (t >>> 3 === 1) {
            expectWire("ArrayValue.values", 1, t & 7, WIRE.LEN);
            const s = r.lengthEnd(stop);
            list.push(anyValue(r, s, state, depth + 1));
            r.pos = s;
          } else r.skip(t & 7, stop);
        }
        value = list;
        break;
      }
      case 6: {
        expectWire("AnyValue.kvlist_value", field, wire, WIRE.LEN);
        const stop = r.lengthEnd(end);
        const map = newAttrMap();
        while (r.pos < stop) {
          const t = r.tag(stop);
          if (t >>> 3 === 1) {
            expectWire("KeyValueList.values", 1, t & 7, WIRE.LEN);
            const s = r.lengthEnd(stop);
            keyValue(r, s, map, state, depth + 1);
            r.pos = s;
          } else r.skip(t & 7, stop);
        }
        value = map;
        break;
      }
      case 7:
        expectWire("AnyValue.bytes_value", field, wire, WIRE.LEN);
        value = r.bytes(end).slice();
        break;
      default:
        r.skip(wire, end);
    }
  }
  return value;
}

function keyValue(r: ProtoReader, end: number, into: AttrMap, state: State, depth: number): void {
  let key = "";
  let value: AttrValue = null;
  while (r.pos < end) {
    const tag = r.tag(end);
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1) {
      expectWire("KeyValue.key", field, wire, WIRE.LEN);
      key = r.string(end);
    } else if (field === 2) {
      expectWire("KeyValue.value", field, wire, WIRE.LEN);
      const stop = r.lengthEnd(end);
      value = anyValue(r, stop, state, depth);
      r.pos = stop;
    } else r.skip(wire, end);
  }
  into[key] = value;
}

/** Reads a repeated KeyValue field element into a map. */
function attribute(r: ProtoReader, end: number, wire: number, into: AttrMap, state: State): void {
  if (wire !== WIRE.LEN) {
    throw new ProtobufError(`an attribute has wire type ${wire}, expected ${WIRE.LEN}`);
  }
  const stop = r.lengthEnd(end);
  keyValue(r, stop, into, state, 0);
  r.pos = stop;
}

function idHex(bytes: Uint8Array, size: number): string {
  return bytes.length === size ? toHex(bytes) : "";
}

function spanEvent(r: ProtoReader, end: number, state: State): OtlpSpanEvent {
  const event: OtlpSpanEvent = { name: "", attributes: newAttrMap() };
  while (r.pos < end) {
    const tag = r.tag(end);
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 2) {
      expectWire("Event.name", field, wire, WIRE.LEN);
      event.name = r.string(end);
    } else if (field === 3) attribute(r, end, wire, event.attributes, state);
    else r.skip(wire, end);
  }
  return event;
}

function status(r: ProtoReader, end: number): { code: number; message: string } {
  const result = { code: 0, message: "" };
  while (r.pos < end) {
    const tag = r.tag(end);
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 2) {
      expectWire("Status.message", field, wire, WIRE.LEN);
      result.message = r.string(end);
    } else if (field === 3) {
      expectWire("Status.code", field, wire, WIRE.VARINT);
      result.code = r.varint32(end);
    } else r.skip(wire, end);
  }
  return result;
}

function span(r: ProtoReader, end: number, state: State): OtlpSpan {
  if (++state.spans > state.limits.spans) {
    throw new OtlpDecodeError(`more than ${state.limits.spans} spans in one request`);
  }
  const s: OtlpSpan = {
    traceId: "",
    spanId: "",
    parentSpanId: "",
    name: "",
    kind: 0,
    startTimeUnixNano: 0,
    endTimeUnixNano: 0,
    attributes: newAttrMap(),
    events: [],
    status: { code: 0, message: "" },
  };
  while (r.pos < end) {
    const tag = r.tag(end);
    const field = tag >>> 3;
    const wire = tag & 7;
    switch (field) {
      case 1:
        expectWire("Span.trace_id", field, wire, WIRE.LEN);
        s.traceId = idHex(r.bytes(end), 16);
        break;
      case 2:
        expectWire("Span.span_id", field, wire, WIRE.LEN);
        s.spanId = idHex(r.bytes(end), 8);
        break;
      case 4:
        expectWire("Span.parent_span_id", field, wire, WIRE.LEN);
        s.parentSpanId = idHex(r.bytes(end), 8);
        break;
      case 5:
        expectWire("Span.name", field, wire, WIRE.LEN);
        s.name = r.string(end);
        break;
      case 6:
        expectWire("Span.kind", field, wire, WIRE.VARINT);
        s.kind = r.varint32(end);
        break;
      case 7:
        expectWire("Span.start_time_unix_nano", field, wire, WIRE.I64);
        s.startTimeUnixNano = r.fixed64(end);
        break;
      case 8:
        expectWire("Span.end_time_unix_nano", field, wire, WIRE.I64);
        s.endTimeUnixNano = r.fixed64(end);
        break;
      case 9:
        attribute(r, end, wire, s.attributes, state);
        break;
      case 11: {
        expectWire("Span.events", field, wire, WIRE.LEN);
        const stop = r.lengthEnd(end);
        if (s.events.length >= state.limits.eventsPerSpan) {
          throw new OtlpDecodeError(`more than ${state.limits.eventsPerSpan} events in one span`);
        }
        s.events.push(spanEvent(r, stop, state));
        r.pos = stop;
        break;
      }
      case 15: {
        expectWire("Span.status", field, wire, WIRE.LEN);
        const stop = r.lengthEnd(end);
        s.status = status(r, stop);
        r.pos = stop;
        break;
      }
      default:
        r.skip(wire, end);
    }
  }
  return s;
}

function scopeSpans(r: ProtoReader, end: number, state: State): OtlpScopeSpans {
  const result: OtlpScopeSpans = { scopeName: "", scopeVersion: "", spans: [] };
  while (r.pos < end) {
    const tag = r.tag(end);
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1) {
      expectWire("ScopeSpans.scope", field, wire, WIRE.LEN);
      const stop = r.lengthEnd(end);
      while (r.pos < stop) {
        const t = r.tag(stop);
        if (t >>> 3 === 1 && (t & 7) === WIRE.LEN) result.scopeName = r.string(stop);
        else if (t >>> 3 === 2 && (t & 7) === WIRE.LEN) result.scopeVersion = r.string(stop);
        else r.skip(t & 7, stop);
      }
    } else if (field === 2) {
      expectWire("ScopeSpans.spans", field, wire, WIRE.LEN);
      const stop = r.lengthEnd(end);
      result.spans.push(span(r, stop, state));
      r.pos = stop;
    } else r.skip(wire, end);
  }
  return result;
}

function resourceSpans(r: ProtoReader, end: number, state: State): OtlpResourceSpans {
  const result: OtlpResourceSpans = { resource: newAttrMap(), scopeSpans: [] };
  while (r.pos < end) {
    const tag = r.tag(end);
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1) {
      expectWire("ResourceSpans.resource", field, wire, WIRE.LEN);
      const stop = r.lengthEnd(end);
      while (r.pos < stop) {
        const t = r.tag(stop);
        if (t >>> 3 === 1) attribute(r, stop, t & 7, result.resource, state);
        else r.skip(t & 7, stop);
      }
    } else if (field === 2) {
      expectWire("ResourceSpans.scope_spans", field, wire, WIRE.LEN);
      const stop = r.lengthEnd(end);
      result.scopeSpans.push(scopeSpans(r, stop, state));
      r.pos = stop;
    } else r.skip(wire, end);
  }
  return result;
}

/**
 * Decodes a protobuf `ExportTraceServiceRequest`. Throws {@linkcode OtlpDecodeError} (with the
 * byte offset and reason) for malformed bytes or a request past the limits.
 *
 * @example
 * ```ts
 * const request = decodeOtlpProtobuf(bytes);
 * request.spanCount; // spans in the request
 * ```
 */
export function decodeOtlpProtobuf(
  bytes: Uint8Array,
  limits: OtlpDecodeLimits = OTLP_DECODE_LIMITS,
): OtlpTraceRequest {
  const r = new ProtoReader(bytes);
  const state: State = { limits, spans: 0, values: 0 };
  const result: OtlpTraceRequest = { resourceSpans: [], spanCount: 0 };
  try {
    const end = bytes.length;
    while (r.pos < end) {
      const tag = r.tag(end);
      if (tag >>> 3 === 1) {
        expectWire("ExportTraceServiceRequest.resource_spans", 1, tag & 7, WIRE.LEN);
        const stop = r.lengthEnd(end);
        result.resourceSpans.push(resourceSpans(r, stop, state));
        r.pos = stop;
      } else r.skip(tag & 7, end);
    }
  } catch (error) {
    if (error instanceof ProtobufError) {
      throw new OtlpDecodeError(`invalid protobuf: ${error.message}`);
    }
    throw error;
  }
  result.spanCount = state.spans;
  return result;
}

/**
 * The protobuf `ExportTraceServiceResponse`: empty when everything was accepted without a
 * note, otherwise with `partial_success {rejected_spans, error_message}`.
 *
 * @example
 * ```ts
 * encodeExportResponse({ rejectedSpans: 0, errorMessage: "" }).length; // 0
 * ```
 */
export function encodeExportResponse(
  partial: { rejectedSpans: number; errorMessage: string },
): Uint8Array {
  if (partial.rejectedSpans === 0 && partial.errorMessage === "") return new Uint8Array(0);
  return new ProtoWriter().message(1, (w) => {
    if (partial.rejectedSpans !== 0) w.int64(1, partial.rejectedSpans);
    if (partial.errorMessage !== "") w.string(2, partial.errorMessage);
  }).finish();
}

/**
 * A protobuf `google.rpc.Status` (the body of an OTLP failure answer).
 *
 * @example
 * ```ts
 * encodeRpcStatus(3, "invalid protobuf");
 * ```
 */
export function encodeRpcStatus(code: number, message: string): Uint8Array {
  return new ProtoWriter().int64(1, code).string(2, message).finish();
}
