import { ByteBuffer } from './byte-buffer';
import { InvalidSpanError, SpanTooLargeError } from './encoding-bounds';
import { HEX_VALUES } from './hex';
import { F } from './otlp-fields';
import type { OtlpField } from './otlp-fields';
import type { OtlpWriter } from './otlp-writer';

const QUOTE = 0x22;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const BACKSLASH = 0x5c;

/** `value` with lone surrogates replaced by U+FFFD (String.prototype.toWellFormed, Node 20+). */
function wellFormed(value: string): string {
  return (value as string & { toWellFormed(): string }).toWellFormed();
}

/** Strings up to this long are copied char by char; longer ones go through JSON.stringify and Buffer.write. */
const SHORT_STRING = 128;

/**
 * Writes OTLP messages as proto3-JSON bytes, the OTLP/HTTP JSON encoding:
 * lowerCamelCase keys, ids as hex (OTLP's exception to proto3's base64), enums as
 * numbers, int64 and fixed64 as decimal strings, non-finite doubles as
 * "NaN"/"Infinity"/"-Infinity", bytes as base64, and every field written, zero or not
 * (as OpenTelemetry JS writes it). It writes UTF-8 straight into a buffer, as the
 * protobuf writer does, so a span's size is known exactly and checked as it grows.
 *
 *     const w = new JsonOtlpWriter();
 *     w.begin();
 *     writeOtlpSpan(w, span);
 *     w.end();
 *     w.bytesFrom(0, w.pos).toString(); // '{"traceId":"…",…}'
 */
export class JsonOtlpWriter extends ByteBuffer implements OtlpWriter {
  /** whether the next member or item needs a comma before it */
  private comma = false;
  /** the closing byte of each open object or array */
  private closers = new Uint8Array(64);
  private depth = 0;

  override rewind(pos: number): void {
    super.rewind(pos);
    this.depth = 0;
    this.comma = false;
  }

  /** Opens the object of one message. */
  begin(): void {
    this.byte(OPEN_BRACE);
    this.comma = false;
    this.depth = 0;
  }

  /** Closes the object `begin` opened. */
  end(): void {
    this.byte(CLOSE_BRACE);
    this.comma = true;
  }

  remaining(): number {
    return this.remainingBytes();
  }

  private byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  private push(closer: number): void {
    if (this.depth === this.closers.length) {
      const deeper = new Uint8Array(this.closers.length * 2);
      deeper.set(this.closers);
      this.closers = deeper;
    }
    this.closers[this.depth++] = closer;
    this.comma = false;
  }

  private key(field: OtlpField): void {
    const key = field.jsonKey;
    const n = key.length;
    this.ensure(n + 1);
    const buf = this.buf;
    let pos = this.pos;
    if (this.comma) buf[pos++] = COMMA;
    for (let i = 0; i < n; i++) buf[pos++] = key[i];
    this.pos = pos;
    this.comma = true;
  }

  /** ASCII text (digits, base64, …), as it is. */
  private ascii(text: string): void {
    const n = text.length;
    this.ensure(n);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < n; i++) buf[pos++] = text.charCodeAt(i);
    this.pos = pos;
  }

  /** A JSON string: short ASCII ones copied with their escapes checked, the rest via JSON.stringify. */
  private quoted(value: string): void {
    const n = value.length;
    // At least one byte per UTF-16 unit, and the quotes: refuse what cannot fit before copying it.
    if (n + 2 > this.remainingBytes()) throw new SpanTooLargeError();
    if (n <= SHORT_STRING) {
      this.ensure(n + 2);
      const buf = this.buf;
      const start = this.pos;
      let pos = start;
      buf[pos++] = QUOTE;
      let i = 0;
      for (; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c < 0x20 || c === QUOTE || c === BACKSLASH || c >= 0x80) break;
        buf[pos++] = c;
      }
      if (i === n) {
        buf[pos++] = QUOTE;
        this.pos = pos;
        return;
      }
    }
    // Escapes and non-ASCII text spelled as JSON.stringify spells them; a lone surrogate
    // becomes U+FFFD first, as it does in protobuf (whose strings must be valid UTF-8).
    const text = JSON.stringify(wellFormed(value));
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > this.remainingBytes()) throw new SpanTooLargeError();
    this.ensure(bytes);
    this.buf.write(text, this.pos, bytes, 'utf8');
    this.pos += bytes;
  }

  openMessage(field: OtlpField): void {
    this.key(field);
    this.byte(OPEN_BRACE);
    this.push(CLOSE_BRACE);
  }

  openList(field: OtlpField): void {
    this.key(field);
    this.byte(OPEN_BRACKET);
    this.push(CLOSE_BRACKET);
  }

  openItem(_field: OtlpField): void {
    if (this.comma) this.byte(COMMA);
    this.byte(OPEN_BRACE);
    this.push(CLOSE_BRACE);
  }

  close(): void {
    this.byte(this.closers[--this.depth]);
    this.comma = true;
  }

  openKeyValue(listField: OtlpField, key: string): void {
    this.openItem(listField);
    this.string(F.KEY_VALUE_KEY, key);
    this.openMessage(F.KEY_VALUE_VALUE);
  }

  closeKeyValue(): void {
    this.close();
    this.close();
  }

  keyString(listField: OtlpField, key: string, value: string): void {
    this.openKeyValue(listField, key);
    this.string(F.ANY_STRING, value);
    this.closeKeyValue();
  }

  keyInt(listField: OtlpField, key: string, value: number): void {
    this.openKeyValue(listField, key);
    this.int(F.ANY_INT, value);
    this.closeKeyValue();
  }

  keyBool(listField: OtlpField, key: string, value: boolean): void {
    this.openKeyValue(listField, key);
    this.bool(F.ANY_BOOL, value);
    this.closeKeyValue();
  }

  keyDouble(listField: OtlpField, key: string, value: number): void {
    this.openKeyValue(listField, key);
    this.double(F.ANY_DOUBLE, value);
    this.closeKeyValue();
  }

  closeList(): void {
    this.close();
  }

  string(field: OtlpField, value: string): void {
    this.key(field);
    this.quoted(value);
  }

  id(field: OtlpField, hex: string, bytes: 8 | 16): void {
    const n = bytes * 2;
    if (typeof hex !== 'string' || hex.length !== n) throw new InvalidSpanError(`${field.json} is not ${n} lowercase hex digits`);
    this.key(field);
    this.ensure(n + 2);
    const buf = this.buf;
    let pos = this.pos;
    buf[pos++] = QUOTE;
    let bad = 0;
    for (let i = 0; i < n; i++) {
      const c = hex.charCodeAt(i);
      bad |= (c >>> 7) | (HEX_VALUES[c & 0x7f] >>> 4);
      buf[pos++] = c;
    }
    if (bad !== 0) throw new InvalidSpanError(`${field.json} is not ${n} lowercase hex digits`);
    buf[pos++] = QUOTE;
    this.pos = pos;
  }

  uint32(field: OtlpField, value: number): void {
    this.key(field);
    this.ascii(String(value));
  }

  fixed32(field: OtlpField, value: number): void {
    this.key(field);
    this.ascii(String(value));
  }

  time(field: OtlpField, wholeMillis: number, nanos: number): void {
    if (nanos >= 1e6) {
      wholeMillis += 1;
      nanos -= 1e6;
    }
    this.key(field);
    this.byte(QUOTE);
    if (wholeMillis > 0) {
      this.ascii(String(wholeMillis));
      // The six digits of the nanoseconds, zero-padded.
      this.ensure(6);
      const buf = this.buf;
      for (let i = 5; i >= 0; i--) {
        buf[this.pos + i] = 0x30 + (nanos % 10);
        nanos = Math.floor(nanos / 10);
      }
      this.pos += 6;
    } else {
      this.ascii(String(nanos));
    }
    this.byte(QUOTE);
  }

  bool(field: OtlpField, value: boolean): void {
    this.key(field);
    this.ascii(value ? 'true' : 'false');
  }

  int(field: OtlpField, value: number | bigint): void {
    this.key(field);
    this.byte(QUOTE);
    this.ascii(value.toString());
    this.byte(QUOTE);
  }

  double(field: OtlpField, value: number): void {
    this.key(field);
    if (Number.isFinite(value)) this.ascii(String(value));
    else this.ascii(Number.isNaN(value) ? '"NaN"' : value > 0 ? '"Infinity"' : '"-Infinity"');
  }

  bytes(field: OtlpField, value: Uint8Array): void {
    if (Math.ceil(value.byteLength / 3) * 4 + 2 > this.remainingBytes()) throw new SpanTooLargeError();
    this.key(field);
    this.byte(QUOTE);
    this.ascii(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'));
    this.byte(QUOTE);
  }
}
