import { ByteBuffer } from './byte-buffer';
import { InvalidSpanError, SpanTooLargeError } from './encoding-bounds';
import { HEX_PAIRS } from './hex';

const TWO_32 = 2 ** 32;

/** Bytes a varint of `n` (0 to 2^32 - 1) takes. */
export function varintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}

/**
 * A small protobuf encoder writing into one growable buffer: varints, fixed-width
 * numbers, strings, bytes from hex, and length-delimited fields whose length is patched
 * in when they close (a guessed number of bytes is reserved, and the content is moved
 * in the rare case the guess was wrong). Everything written after `limit` is set must
 * fit before it, else SpanTooLargeError is thrown before anything is allocated for it.
 *
 *     const w = new ProtobufWriter();
 *     w.tag((1 << 3) | 2);
 *     w.openLength(1);
 *     w.stringContent('hello');
 *     w.closeLength();
 *     w.bytesFrom(0, w.pos); // 0a 06 05 68 65 6c 6c 6f
 */
export class ProtobufWriter extends ByteBuffer {
  /** for each open length-delimited field: where its reserved length bytes start, and how many */
  private open = new Int32Array(64);
  private depth = 0;

  override rewind(pos: number): void {
    super.rewind(pos);
    this.depth = 0;
  }

  /** A field tag: (field number << 3) | wire type. */
  tag(tag: number): void {
    if (tag < 0x80) {
      this.ensure(1);
      this.buf[this.pos++] = tag;
    } else {
      this.varint(tag);
    }
  }

  /** An unsigned varint of 0 to 2^32 - 1. */
  varint(n: number): void {
    this.ensure(5);
    const buf = this.buf;
    let pos = this.pos;
    while (n >= 0x80) {
      buf[pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    buf[pos++] = n;
    this.pos = pos;
  }

  /** A 64-bit varint from its low and high 32 bits. */
  varint64(lo: number, hi: number): void {
    this.ensure(10);
    const buf = this.buf;
    let pos = this.pos;
    while (hi > 0 || lo >= 0x80) {
      buf[pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    buf[pos++] = lo;
    this.pos = pos;
  }

  /** An int64 varint (two's complement) of a safe integer or a bigint within int64. */
  int64(value: number | bigint): void {
    if (typeof value === 'bigint') {
      const unsigned = BigInt.asUintN(64, value);
      this.varint64(Number(unsigned & 0xffffffffn), Number(unsigned >> 32n));
      return;
    }
    if (value >= 0) {
      if (value < TWO_32) this.varint(value);
      else {
        const hi = Math.floor(value / TWO_32);
        this.varint64(value - hi * TWO_32, hi);
      }
      return;
    }
    const magnitude = -value;
    const hi = Math.floor(magnitude / TWO_32);
    const lo = magnitude - hi * TWO_32;
    // -x in 64 bits is ~x + 1: the carry reaches the high half only when the low half is 0.
    this.varint64((~lo + 1) >>> 0, (~hi + (lo === 0 ? 1 : 0)) >>> 0);
  }

  fixed32Value(n: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(n >>> 0, this.pos);
    this.pos += 4;
  }

  doubleValue(n: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(n, this.pos);
    this.pos += 8;
  }

  /**
   * Opens a length-delimited field's content, reserving `reserve` bytes for its length:
   * 1 for content under 128 bytes, 2 under 16 KiB.
   */
  openLength(reserve: 1 | 2): void {
    this.ensure(reserve);
    if (this.depth + 2 > this.open.length) {
      const deeper = new Int32Array(this.open.length * 2);
      deeper.set(this.open);
      this.open = deeper;
    }
    this.open[this.depth++] = this.pos;
    this.open[this.depth++] = reserve;
    this.pos += reserve;
  }

  /** Closes the innermost open field, writing its length. */
  closeLength(): void {
    const reserve = this.open[--this.depth];
    const at = this.open[--this.depth];
    const contentStart = at + reserve;
    const length = this.pos - contentStart;
    if (length < 0x80 && reserve === 1) {
      this.buf[at] = length;
      return;
    }
    const size = varintSize(length);
    if (size !== reserve) {
      if (size > reserve) this.ensure(size - reserve);
      this.buf.copyWithin(at + size, contentStart, this.pos);
      this.pos += size - reserve;
    }
    const buf = this.buf;
    let n = length;
    let p = at;
    while (n >= 0x80) {
      buf[p++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    buf[p] = n;
  }

  /** A string's length and UTF-8 bytes. */
  stringContent(value: string): void {
    const n = value.length;
    if (n <= 64) {
      // Short strings are nearly always ASCII: copy char codes, falling back on the first other one.
      this.ensure(n + 1);
      const buf = this.buf;
      const start = this.pos;
      let i = 0;
      for (; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c >= 0x80) break;
        buf[start + 1 + i] = c;
      }
      if (i === n) {
        buf[start] = n;
        this.pos = start + 1 + n;
        return;
      }
    }
    // A string needs at least one byte per UTF-16 unit: refuse one that cannot fit before measuring it.
    if (n > this.remainingBytes()) throw new SpanTooLargeError();
    const bytes = Buffer.byteLength(value, 'utf8');
    this.varint(bytes);
    this.ensure(bytes);
    this.buf.write(value, this.pos, bytes, 'utf8');
    this.pos += bytes;
  }

  /** Raw bytes, with their length. */
  bytesContent(value: Uint8Array): void {
    const n = value.byteLength;
    if (n > this.remainingBytes()) throw new SpanTooLargeError();
    this.varint(n);
    this.ensure(n);
    this.buf.set(value, this.pos);
    this.pos += n;
  }

  /** The bytes of an id given as lowercase hex, with their length; InvalidSpanError for anything else. */
  hexContent(hex: string, bytes: number, what: string): void {
    if (typeof hex !== 'string' || hex.length !== bytes * 2) throw new InvalidSpanError(`${what} is not ${bytes * 2} lowercase hex digits`);
    this.ensure(bytes + 1);
    const buf = this.buf;
    let pos = this.pos;
    buf[pos++] = bytes;
    let bad = 0;
    for (let i = 0; i < bytes * 2; i += 2) {
      const a = hex.charCodeAt(i);
      const b = hex.charCodeAt(i + 1);
      const value = HEX_PAIRS[((a & 0x7f) << 7) | (b & 0x7f)];
      // Non-zero for a char code past 0x7f or a pair that is not hex.
      bad |= ((a | b) >>> 7) | (value >>> 8);
      buf[pos++] = value;
    }
    if (bad !== 0) throw new InvalidSpanError(`${what} is not ${bytes * 2} lowercase hex digits`);
    this.pos = pos;
  }
}
