import { SpanTooLargeError } from './encoding-bounds';

const EMPTY = Buffer.alloc(0);

/** Bytes a scratch buffer starts with; it doubles as needed. */
const INITIAL_BYTES = 64 * 1024;
/** A scratch buffer grown past this is let go after use, so one huge batch does not pin memory. */
const KEPT_BYTES = 1024 * 1024;

/**
 * One growable buffer that encoders write into at `pos`, with a limit nothing may be
 * written past: a write that would pass it throws SpanTooLargeError before any memory is
 * allocated for it. Subclasses add the writes of a format.
 *
 *     const b = new ByteBuffer();
 *     b.setLimit(1024);
 *     b.ensure(3);
 *     b.buf[b.pos++] = 0x0a;
 */
export class ByteBuffer {
  buf: Buffer = Buffer.allocUnsafe(INITIAL_BYTES);
  pos = 0;
  /** the size to allocate when a buffer was handed off */
  private nextBytes = INITIAL_BYTES;
  /** the position nothing may be written past (Infinity: no limit) */
  private limit = Infinity;
  /** min(buf.length, limit): the one bound the fast path checks */
  private writableEnd = INITIAL_BYTES;

  /** Sets the position nothing may be written past. */
  setLimit(limit: number): void {
    this.limit = limit;
    this.writableEnd = Math.min(this.buf.length, limit);
  }

  /** Forgets everything from `pos` on. */
  rewind(pos: number): void {
    this.pos = pos;
  }

  /** Empties the buffer, letting go of one that grew large. */
  reset(): void {
    this.rewind(0);
    if (this.buf.length > KEPT_BYTES) this.buf = Buffer.allocUnsafe(INITIAL_BYTES);
    this.setLimit(Infinity);
  }

  /**
   * Gives the buffer away (the caller keeps a view of it) and starts empty; the next
   * write allocates `nextBytes` (within the initial and the kept size), so that bodies
   * of a steady size are written once into a buffer of the right size, never regrown.
   */
  handOff(nextBytes: number): void {
    this.buf = EMPTY;
    this.nextBytes = Math.min(Math.max(INITIAL_BYTES, nextBytes), KEPT_BYTES);
    this.rewind(0);
    this.setLimit(Infinity);
  }

  /** How many more bytes may be written before the limit. */
  remainingBytes(): number {
    return this.limit - this.pos;
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n > this.writableEnd) this.grow(n);
  }

  private grow(n: number): void {
    const needed = this.pos + n;
    if (needed > this.limit) throw new SpanTooLargeError();
    let size = this.buf.length === 0 ? this.nextBytes : this.buf.length * 2;
    while (size < needed) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.writableEnd = Math.min(size, this.limit);
  }

  /** A copy of the bytes from `start` to `end`. */
  bytesFrom(start: number, end: number): Buffer {
    return Buffer.from(this.buf.subarray(start, end));
  }
}
