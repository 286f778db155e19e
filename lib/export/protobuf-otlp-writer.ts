import { F } from './otlp-fields';
import type { OtlpField } from './otlp-fields';
import { writeNanosFixed64 } from './otlp-time';
import type { OtlpWriter } from './otlp-writer';
import { ProtobufWriter } from './protobuf-writer';

/**
 * Writes OTLP messages as protobuf (the OTLP/HTTP `application/x-protobuf` encoding):
 * ids as raw bytes, times as fixed64, proto3 defaults (zero counts and enums) left out,
 * AnyValue members always written (a oneof has presence). Lists need no framing in
 * protobuf: each item is its own occurrence of the field.
 *
 *     const w = new ProtobufOtlpWriter();
 *     const start = w.pos;
 *     writeOtlpSpan(w, span);
 *     const spanBytes = w.bytesFrom(start, w.pos);
 */
const KEY_TAG = F.KEY_VALUE_KEY.tag;
const VALUE_TAG = F.KEY_VALUE_VALUE.tag;
const STRING_TAG = F.ANY_STRING.tag;
const BOOL_TAG = F.ANY_BOOL.tag;
const INT_TAG = F.ANY_INT.tag;
const DOUBLE_TAG = F.ANY_DOUBLE.tag;
const TWO_31 = 2 ** 31;

/**
 * Writes the head of a KeyValue whose lengths are known and each below 128: item tag
 * and length, key tag, length and ASCII chars, value tag and length, and the value's
 * tag. Returns the position after it, or -1 (nothing written) when the key is not ASCII.
 */
function keyValueHead(buf: Buffer, at: number, listTag: number, key: string, valueLength: number, valueTag: number): number {
  const n = key.length;
  let pos = at + 4;
  for (let i = 0; i < n; i++) {
    const c = key.charCodeAt(i);
    if (c >= 0x80) return -1;
    buf[pos++] = c;
  }
  buf[at] = listTag;
  buf[at + 1] = n + valueLength + 5;
  buf[at + 2] = KEY_TAG;
  buf[at + 3] = n;
  buf[pos++] = VALUE_TAG;
  buf[pos++] = valueLength + 1;
  buf[pos++] = valueTag;
  return pos;
}

/** The last id written in a field, as hex and as its length byte and bytes. */
interface IdCache {
  hex: string;
  bytes: Uint8Array;
}

export class ProtobufOtlpWriter extends ProtobufWriter implements OtlpWriter {
  private readonly traceIds: IdCache = { hex: '', bytes: new Uint8Array(17) };
  private readonly parentIds: IdCache = { hex: '', bytes: new Uint8Array(9) };

  openMessage(field: OtlpField): void {
    this.tag(field.tag);
    this.openLength(1);
  }

  openList(_field: OtlpField): void {}

  openItem(field: OtlpField): void {
    this.tag(field.tag);
    this.openLength(1);
  }

  close(): void {
    this.closeLength();
  }

  closeList(): void {}

  openKeyValue(listField: OtlpField, key: string): void {
    const n = key.length;
    const listTag = listField.tag;
    if (n <= 64 && listTag < 0x80) {
      // One bounds check for item tag, item length, key tag, key length, key and value tag
      // and length; falls back below at the first non-ASCII char.
      this.ensure(n + 6);
      const buf = this.buf;
      const start = this.pos;
      let pos = start + 4;
      let i = 0;
      for (; i < n; i++) {
        const c = key.charCodeAt(i);
        if (c >= 0x80) break;
        buf[pos++] = c;
      }
      if (i === n) {
        buf[start] = listTag;
        buf[start + 2] = KEY_TAG;
        buf[start + 3] = n;
        buf[pos] = VALUE_TAG;
        this.pos = start + 1;
        this.openLength(1);
        this.pos = pos + 1;
        this.openLength(1);
        return;
      }
    }
    this.openItem(listField);
    this.string(F.KEY_VALUE_KEY, key);
    this.openMessage(F.KEY_VALUE_VALUE);
  }

  closeKeyValue(): void {
    this.closeLength();
    this.closeLength();
  }

  // The KeyValue fast paths below write the whole item at once when its key (and string
  // value) are short ASCII, so every length fits one byte and is known before writing:
  // n + valueLength + 5 < 128 with valueLength <= 61 and n <= 60.

  keyString(listField: OtlpField, key: string, value: string): void {
    const n = key.length;
    const m = value.length;
    if (n <= 60 && m <= 60 && listField.tag < 0x80) {
      // One byte of length for the value string itself.
      this.ensure(n + m + 8);
      const buf = this.buf;
      const start = this.pos;
      let pos = keyValueHead(buf, start, listField.tag, key, m + 1, STRING_TAG);
      if (pos >= 0) {
        buf[pos++] = m;
        let i = 0;
        for (; i < m; i++) {
          const c = value.charCodeAt(i);
          if (c >= 0x80) break;
          buf[pos++] = c;
        }
        if (i === m) {
          this.pos = pos;
          return;
        }
      }
    }
    this.openKeyValue(listField, key);
    this.string(F.ANY_STRING, value);
    this.closeKeyValue();
  }

  keyInt(listField: OtlpField, key: string, value: number): void {
    const n = key.length;
    if (n <= 60 && value >= 0 && value < TWO_31 && listField.tag < 0x80) {
      this.ensure(n + 13);
      const size = value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
      const buf = this.buf;
      let pos = keyValueHead(buf, this.pos, listField.tag, key, size, INT_TAG);
      if (pos >= 0) {
        while (value >= 0x80) {
          buf[pos++] = (value & 0x7f) | 0x80;
          value >>>= 7;
        }
        buf[pos++] = value;
        this.pos = pos;
        return;
      }
    }
    this.openKeyValue(listField, key);
    this.int(F.ANY_INT, value);
    this.closeKeyValue();
  }

  keyBool(listField: OtlpField, key: string, value: boolean): void {
    const n = key.length;
    if (n <= 60 && listField.tag < 0x80) {
      this.ensure(n + 8);
      const buf = this.buf;
      const pos = keyValueHead(buf, this.pos, listField.tag, key, 1, BOOL_TAG);
      if (pos >= 0) {
        buf[pos] = value ? 1 : 0;
        this.pos = pos + 1;
        return;
      }
    }
    this.openKeyValue(listField, key);
    this.bool(F.ANY_BOOL, value);
    this.closeKeyValue();
  }

  keyDouble(listField: OtlpField, key: string, value: number): void {
    const n = key.length;
    if (n <= 60 && listField.tag < 0x80) {
      this.ensure(n + 15);
      const buf = this.buf;
      const pos = keyValueHead(buf, this.pos, listField.tag, key, 8, DOUBLE_TAG);
      if (pos >= 0) {
        buf.writeDoubleLE(value, pos);
        this.pos = pos + 8;
        return;
      }
    }
    this.openKeyValue(listField, key);
    this.double(F.ANY_DOUBLE, value);
    this.closeKeyValue();
  }

  string(field: OtlpField, value: string): void {
    const n = value.length;
    const tag = field.tag;
    if (n <= 64 && tag < 0x80) {
      // Tag, length and chars under one bounds check; falls back at the first non-ASCII char.
      this.ensure(n + 2);
      const buf = this.buf;
      const start = this.pos;
      let pos = start + 2;
      let i = 0;
      for (; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c >= 0x80) break;
        buf[pos++] = c;
      }
      if (i === n) {
        buf[start] = tag;
        buf[start + 1] = n;
        this.pos = pos;
        return;
      }
    }
    this.tag(tag);
    this.stringContent(value);
  }

  id(field: OtlpField, hex: string, bytes: 8 | 16): void {
    this.tag(field.tag);
    // Spans of one trace share their trace id, siblings their parent's: the same string
    // object, as the tracer passes it on. Their bytes are copied, not decoded again.
    const cache = field === F.SPAN_TRACE_ID ? this.traceIds : field === F.SPAN_PARENT_SPAN_ID ? this.parentIds : null;
    if (cache === null) {
      this.hexContent(hex, bytes, field.json);
      return;
    }
    if (hex === cache.hex) {
      this.ensure(bytes + 1);
      const buf = this.buf;
      let pos = this.pos;
      for (let i = 0; i <= bytes; i++) buf[pos++] = cache.bytes[i];
      this.pos = pos;
      return;
    }
    const start = this.pos;
    this.hexContent(hex, bytes, field.json);
    cache.hex = hex;
    for (let i = 0; i <= bytes; i++) cache.bytes[i] = this.buf[start + i];
  }

  uint32(field: OtlpField, value: number): void {
    if (value === 0) return;
    const tag = field.tag;
    if (tag < 0x80 && value < 0x80) {
      // Nearly every count and enum: two bytes.
      this.ensure(2);
      this.buf[this.pos++] = tag;
      this.buf[this.pos++] = value;
      return;
    }
    this.tag(tag);
    this.varint(value);
  }

  fixed32(field: OtlpField, value: number): void {
    const tag = field.tag;
    this.ensure(7);
    const buf = this.buf;
    let pos = this.pos;
    // A two-byte tag (span flags are field 16) or a one-byte one, then four little-endian bytes.
    if (tag >= 0x80) {
      buf[pos++] = (tag & 0x7f) | 0x80;
      buf[pos++] = tag >>> 7;
    } else {
      buf[pos++] = tag;
    }
    buf[pos++] = value;
    buf[pos++] = value >>> 8;
    buf[pos++] = value >>> 16;
    buf[pos++] = value >>> 24;
    this.pos = pos;
  }

  time(field: OtlpField, wholeMillis: number, nanos: number): void {
    this.ensure(9);
    this.buf[this.pos] = field.tag;
    writeNanosFixed64(this.buf, this.pos + 1, wholeMillis, nanos);
    this.pos += 9;
  }

  bool(field: OtlpField, value: boolean): void {
    this.tag(field.tag);
    this.ensure(1);
    this.buf[this.pos++] = value ? 1 : 0;
  }

  int(field: OtlpField, value: number | bigint): void {
    this.tag(field.tag);
    this.int64(value);
  }

  double(field: OtlpField, value: number): void {
    this.tag(field.tag);
    this.doubleValue(value);
  }

  bytes(field: OtlpField, value: Uint8Array): void {
    this.tag(field.tag);
    this.bytesContent(value);
  }

  remaining(): number {
    return this.remainingBytes();
  }
}
