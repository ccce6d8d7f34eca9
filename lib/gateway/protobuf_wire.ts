/**
 * The protobuf wire format, just enough for OTLP: a bounds-checked reader (varints up to 64 bits,
 * fixed64, doubles, length-delimited slices without copying) and a small writer for the answers
 * the intake sends and for tests. Free of `Deno.*`.
 *
 * @module
 */

/** Malformed protobuf bytes, with where and why. */
export class ProtobufError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtobufError";
  }
}

/** Wire types. */
export const WIRE = Object.freeze({ VARINT: 0, I64: 1, LEN: 2, SGROUP: 3, EGROUP: 4, I32: 5 });

const utf8 = new TextDecoder();
const TWO_32 = 4294967296;

/**
 * Reads protobuf fields from a byte array. Every read checks the bounds of the current message.
 *
 * @example
 * ```ts
 * const r = new ProtoReader(new Uint8Array([0x08, 0x96, 0x01]));
 * const tag = r.tag(); // field 1, varint
 * r.varint(); // 150
 * ```
 */
export class ProtoReader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}

  /** Reads a tag; returns `field * 8 + wireType` (decode with `>>> 3` and `& 7`). */
  tag(end: number): number {
    const tag = this.varint32(end);
    if (tag >>> 3 === 0) throw new ProtobufError(`field number 0 at byte ${this.pos}`);
    return tag;
  }

  /** A varint keeping its low 32 bits (tags, lengths, enums, counts), unsigned. */
  varint32(end: number): number {
    let result = 0;
    let shift = 0;
    const buf = this.buf;
    while (true) {
      if (this.pos >= end) throw new ProtobufError(`truncated varint at byte ${this.pos}`);
      const b = buf[this.pos++];
      if (shift < 32) result |= (b & 0x7f) << shift;
      if (!(b & 0x80)) return result >>> 0;
      shift += 7;
      if (shift > 63) throw new ProtobufError(`varint longer than 10 bytes at byte ${this.pos}`);
    }
  }

  /**
   * A varint as a signed 64-bit integer: a number when it is a safe integer, otherwise its
   * decimal text.
   */
  int64(end: number): number | string {
    let lo = 0;
    let hi = 0;
    let shift = 0;
    const buf = this.buf;
    while (true) {
      if (this.pos >= end) throw new ProtobufError(`truncated varint at byte ${this.pos}`);
      const b = buf[this.pos++];
      if (shift < 28) lo |= (b & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >>> 4;
      } else hi |= (b & 0x7f) << (shift - 32);
      if (!(b & 0x80)) break;
      shift += 7;
      if (shift > 63) throw new ProtobufError(`varint longer than 10 bytes at byte ${this.pos}`);
    }
    lo >>>= 0;
    hi >>>= 0;
    if (hi & 0x80000000) {
      // Negative: two's complement of the 64-bit value.
      const nlo = (~lo + 1) >>> 0;
      const nhi = (~hi + (nlo === 0 ? 1 : 0)) >>> 0;
      const magnitude = nhi * TWO_32 + nlo;
      return magnitude <= Number.MAX_SAFE_INTEGER
        ? -magnitude
        : `-${(BigInt(nhi) << 32n | BigInt(nlo)).toString()}`;
    }
    const value = hi * TWO_32 + lo;
    return value <= Number.MAX_SAFE_INTEGER ? value : (BigInt(hi) << 32n | BigInt(lo)).toString();
  }

  /** A fixed64 as an (approximate above 2^53) unsigned number. */
  fixed64(end: number): number {
    if (this.pos + 8 > end) throw new ProtobufError(`truncated fixed64 at byte ${this.pos}`);
    const b = this.buf;
    const p = this.pos;
    const lo = (b[p] | b[p + 1] << 8 | b[p + 2] << 16 | b[p + 3] << 24) >>> 0;
    const hi = (b[p + 4] | b[p + 5] << 8 | b[p + 6] << 16 | b[p + 7] << 24) >>> 0;
    this.pos += 8;
    return hi * TWO_32 + lo;
  }

  /** A little-endian double. */
  double(end: number): number {
    if (this.pos + 8 > end) throw new ProtobufError(`truncated double at byte ${this.pos}`);
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8);
    this.pos += 8;
    return view.getFloat64(0, true);
  }

  /** The end offset of a length-delimited field whose length comes next. */
  lengthEnd(end: number): number {
    const len = this.varint32(end);
    const stop = this.pos + len;
    if (stop > end) {
      throw new ProtobufError(`length ${len} at byte ${this.pos} runs past its message`);
    }
    return stop;
  }

  /** A length-delimited field as a view (no copy). */
  bytes(end: number): Uint8Array {
    const stop = this.lengthEnd(end);
    const view = this.buf.subarray(this.pos, stop);
    this.pos = stop;
    return view;
  }

  /** A length-delimited field as UTF-8 text. */
  string(end: number): string {
    const stop = this.lengthEnd(end);
    const buf = this.buf;
    let ascii = stop - this.pos <= 24;
    if (ascii) {
      for (let i = this.pos; i < stop; i++) {
        if (buf[i] > 0x7f) {
          ascii = false;
          break;
        }
      }
    }
    let text: string;
    if (ascii) {
      text = "";
      for (let i = this.pos; i < stop; i++) text += String.fromCharCode(buf[i]);
    } else {
      text = utf8.decode(buf.subarray(this.pos, stop));
    }
    this.pos = stop;
    return text;
  }

  /** Skips a field of a wire type. Groups are refused (OTLP has none). */
  skip(wireType: number, end: number): void {
    switch (wireType) {
      case WIRE.VARINT:
        this.int64(end);
        return;
      case WIRE.I64:
        if (this.pos + 8 > end) throw new ProtobufError(`truncated fixed64 at byte ${this.pos}`);
        this.pos += 8;
        return;
      case WIRE.LEN:
        this.pos = this.lengthEnd(end);
        return;
      case WIRE.I32:
        if (this.pos + 4 > end) throw new ProtobufError(`truncated fixed32 at byte ${this.pos}`);
        this.pos += 4;
        return;
      default:
        throw new ProtobufError(`unsupported wire type ${wireType} at byte ${this.pos}`);
    }
  }
}

const utf8Encoder = new TextEncoder();

/**
 * Writes protobuf fields. Nested messages are written with {@linkcode ProtoWriter.message}.
 *
 * @example
 * ```ts
 * const bytes = new ProtoWriter().message(1, (w) => w.int64(1, 3).string(2, "why")).finish();
 * ```
 */
export class ProtoWriter {
  #chunks: number[] = [];

  #varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.#chunks.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.#chunks.push(Number(v));
  }

  #tag(field: number, wire: number): void {
    this.#varint(field * 8 + wire);
  }

  /** A varint field (int32/int64/uint/bool/enum). */
  int64(field: number, value: number | bigint): this {
    this.#tag(field, WIRE.VARINT);
    this.#varint(value);
    return this;
  }

  /** A fixed64 field. */
  fixed64(field: number, value: number | bigint): this {
    this.#tag(field, WIRE.I64);
    let v = BigInt.asUintN(64, BigInt(value));
    for (let i = 0; i < 8; i++) {
      this.#chunks.push(Number(v & 0xffn));
      v >>= 8n;
    }
    return this;
  }

  /** A fixed32 field. */
  fixed32(field: number, value: number): this {
    this.#tag(field, WIRE.I32);
    for (let i = 0; i < 4; i++) this.#chunks.push((value >>> (8 * i)) & 0xff);
    return this;
  }

  /** A double field. */
  double(field: number, value: number): this {
    this.#tag(field, WIRE.I64);
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, value, true);
    this.#chunks.push(...bytes);
    return this;
  }

  /** A bytes field. */
  bytes(field: number, value: Uint8Array): this {
    this.#tag(field, WIRE.LEN);
    this.#varint(value.length);
    for (const b of value) this.#chunks.push(b);
    return this;
  }

  /** A string field. */
  string(field: number, value: string): this {
    return this.bytes(field, utf8Encoder.encode(value));
  }

  /** A nested message field. */
  message(field: number, write: (w: ProtoWriter) => unknown): this {
    const inner = new ProtoWriter();
    write(inner);
    return this.bytes(field, inner.finish());
  }

  /** Raw bytes, for tests that craft malformed input. */
  raw(bytes: ArrayLike<number>): this {
    for (let i = 0; i < bytes.length; i++) this.#chunks.push(bytes[i]);
    return this;
  }

  /** The bytes written. */
  finish(): Uint8Array {
    return Uint8Array.from(this.#chunks);
  }
}
