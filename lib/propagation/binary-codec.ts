import { EMPTY_BAGGAGE, SpanContext } from '../span-context';
import type { Baggage } from '../span-context';
import { BaggageBuilder } from './baggage-text';
import { PROPAGATION_LIMITS } from './limits';
import { isPrintableAscii } from './trace-state';
import { isAllZeroHex } from '../util/ids';

const { maxBinaryLength, maxTracestateLength } = PROPAGATION_LIMITS;

const VERSION = 0;
const TRACE_ID_FIELD = 0;
const SPAN_ID_FIELD = 1;
const TRACE_OPTIONS_FIELD = 2;
/** sextant's field: flags, tracestate, baggage. Decoders of `grpc-trace-bin` stop at it. */
const EXTENSION_FIELD = 3;
const OPTION_SAMPLED = 1;
const EXT_DEBUG = 1;
const EXT_RANDOM_TRACE_ID = 2;
/** version + 3 fields of the `grpc-trace-bin` layout */
const CORE_LENGTH = 29;

/**
 * The span context as bytes, in the OpenCensus `grpc-trace-bin` layout:
 *
 *     00                      version 0
 *     00 <16 bytes>           trace id
 *     01 <8 bytes>            span id
 *     02 <1 byte>             trace options: bit 0 = sampled
 *
 * followed, when there is anything to carry, by field 03, which such decoders do not know
 * and so stop at: a flags byte (bit 0 debug, bit 1 random trace id), then the tracestate
 * and the baggage as varint-length-prefixed UTF-8 strings: tracestate, member count,
 * then key and value per member.
 *
 *     const bytes = encodeBinaryContext(span.context()); // Buffer of 29 bytes or more
 */
export function encodeBinaryContext(context: SpanContext): Buffer {
  const flags = (context.debug ? EXT_DEBUG : 0) | (context.randomTraceId ? EXT_RANDOM_TRACE_ID : 0);
  const traceState =
    typeof context.traceState === 'string' && isPrintableAscii(context.traceState, maxTracestateLength) ? context.traceState : '';
  const pairs: Buffer[] = [];
  let budget = maxBinaryLength - CORE_LENGTH - 64 - traceState.length;
  for (const key in context.baggage) {
    if (!Object.prototype.hasOwnProperty.call(context.baggage, key)) continue;
    const k = Buffer.from(key, 'utf8');
    const v = Buffer.from(String(context.baggage[key]), 'utf8');
    budget -= k.length + v.length + 10;
    if (budget < 0) break; // the rest would not fit in a buffer a decoder accepts
    pairs.push(k, v);
  }
  const head = Buffer.allocUnsafe(CORE_LENGTH);
  head[0] = VERSION;
  head[1] = TRACE_ID_FIELD;
  head.write(context.traceId, 2, 16, 'hex');
  head[18] = SPAN_ID_FIELD;
  head.write(context.spanId, 19, 8, 'hex');
  head[27] = TRACE_OPTIONS_FIELD;
  head[28] = context.sampled || context.debug ? OPTION_SAMPLED : 0;
  if (flags === 0 && traceState === '' && pairs.length === 0) return head;
  const parts: Buffer[] = [
    head,
    Buffer.from([EXTENSION_FIELD, flags]),
    varint(traceState.length),
    Buffer.from(traceState, 'latin1'),
    varint(pairs.length / 2),
  ];
  for (const pair of pairs) parts.push(varint(pair.length), pair);
  return Buffer.concat(parts);
}

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let v = value;
  while (v >= 0x80) {
    bytes.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

/** Reads from a byte array-like; every read is bounds-checked and returns -1 past the end. */
class ByteReader {
  offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  byte(): number {
    return this.offset < this.bytes.length ? this.bytes[this.offset++] : -1;
  }

  /** A varint of at most 3 bytes (< 2^21); -1 when malformed or truncated. */
  varint(): number {
    let value = 0;
    for (let shift = 0; shift < 21; shift += 7) {
      const b = this.byte();
      if (b < 0) return -1;
      value |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return value;
    }
    return -1;
  }

  hex(length: number): string | null {
    if (this.remaining < length) return null;
    const s = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + this.offset, length).toString('hex');
    this.offset += length;
    return s;
  }

  text(length: number, encoding: 'utf8' | 'latin1'): string | null {
    if (length < 0 || this.remaining < length) return null;
    const s = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + this.offset, length).toString(encoding);
    this.offset += length;
    return s;
  }
}

/** The bytes of a binary carrier: a Buffer, a typed array, or an array of byte numbers. */
function bytesOf(buffer: unknown): Uint8Array | null {
  // ArrayBuffer.isView and the tag check also hold for buffers made in another realm.
  if (ArrayBuffer.isView(buffer)) {
    return buffer.byteLength <= maxBinaryLength ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) : null;
  }
  if (Object.prototype.toString.call(buffer) === '[object ArrayBuffer]') {
    const array = buffer as ArrayBuffer;
    return array.byteLength <= maxBinaryLength ? new Uint8Array(array) : null;
  }
  if (!Array.isArray(buffer) || buffer.length > maxBinaryLength) return null;
  const out = new Uint8Array(buffer.length);
  for (let i = 0; i < buffer.length; i++) {
    const b: unknown = buffer[i];
    if (typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b > 255) return null;
    out[i] = b;
  }
  return out;
}

/**
 * Decodes what `encodeBinaryContext` (or an OpenCensus `grpc-trace-bin` encoder) wrote;
 * null for anything else. Fields after the ones it knows are ignored, as the format asks.
 *
 *     const parent = decodeBinaryContext(metadata.get('grpc-trace-bin')[0]);
 */
export function decodeBinaryContext(buffer: unknown): SpanContext | null {
  const bytes = bytesOf(buffer);
  if (bytes === null || bytes.length < CORE_LENGTH - 2) return null;
  const r = new ByteReader(bytes);
  if (r.byte() !== VERSION || r.byte() !== TRACE_ID_FIELD) return null;
  const traceId = r.hex(16);
  if (traceId === null || isAllZeroHex(traceId) || r.byte() !== SPAN_ID_FIELD) return null;
  const spanId = r.hex(8);
  if (spanId === null || isAllZeroHex(spanId)) return null;
  let sampled = false;
  let flags = 0;
  let traceState: string | undefined;
  let baggage: Baggage = EMPTY_BAGGAGE;
  if (r.remaining > 0 && bytes[r.offset] === TRACE_OPTIONS_FIELD) {
    r.offset++;
    const options = r.byte();
    if (options < 0) return null;
    sampled = (options & OPTION_SAMPLED) === OPTION_SAMPLED;
  }
  if (r.remaining > 0 && bytes[r.offset] === EXTENSION_FIELD) {
    r.offset++;
    flags = r.byte();
    if (flags < 0) return null;
    const state = r.text(r.varint(), 'latin1');
    if (state === null) return null;
    if (state.length > 0 && isPrintableAscii(state, maxTracestateLength)) traceState = state;
    const count = r.varint();
    if (count < 0) return null;
    const builder = new BaggageBuilder();
    for (let i = 0; i < count; i++) {
      const key = r.text(r.varint(), 'utf8');
      const value = key === null ? null : r.text(r.varint(), 'utf8');
      if (key === null || value === null) return null;
      if (key.length > 0 && !builder.add(key, value, key.length + value.length + 1)) break;
    }
    baggage = builder.result() ?? EMPTY_BAGGAGE;
  }
  const debug = (flags & EXT_DEBUG) === EXT_DEBUG;
  return new SpanContext({
    traceId,
    spanId,
    sampled: sampled || debug,
    baggage,
    debug,
    traceState,
    remote: true,
    randomTraceId: (flags & EXT_RANDOM_TRACE_ID) === EXT_RANDOM_TRACE_ID,
  });
}
