/*
 * Epoch milliseconds (floats with sub-ms precision) as OTLP's integer nanoseconds, which
 * pass 2^53: they are carried as whole milliseconds plus the nanoseconds beyond, and
 * only each writer turns that pair into its own form (decimal text, or fixed64 halves).
 */

/** Whole ms of an epoch-ms float (0 for anything not finite and positive). */
export function wholeMillisOf(ms: number): number {
  return Number.isFinite(ms) && ms > 0 ? Math.floor(ms) : 0;
}

/** The nanoseconds beyond `wholeMillisOf(ms)`, rounded half-up; can be 1e6 (the writer carries it). */
export function extraNanosOf(ms: number): number {
  return Number.isFinite(ms) && ms > 0 ? Math.round((ms - Math.floor(ms)) * 1e6) : 0;
}

/**
 * Integer nanoseconds as decimal text (`fixed64` in proto3 JSON), from whole ms and the
 * nanoseconds beyond (0 to 1e6 inclusive; 1e6 carries into the ms).
 */
export function nanosText(wholeMillis: number, nanos: number): string {
  if (nanos >= 1e6) {
    wholeMillis += 1;
    nanos -= 1e6;
  }
  if (wholeMillis === 0) return String(nanos);
  return `${wholeMillis}${String(nanos).padStart(6, '0')}`;
}

/**
 * Epoch ms as a decimal string of integer nanoseconds.
 *
 *     millisToUnixNanos(1700000000123.25); // '1700000000123250000'
 */
export function millisToUnixNanos(ms: number): string {
  return nanosText(wholeMillisOf(ms), extraNanosOf(ms));
}

const TWO_32 = 2 ** 32;

/**
 * Writes integer nanoseconds (whole ms and nanos beyond) as a little-endian fixed64 at
 * `offset`, without BigInt: `wholeMillis * 1e6` passes 2^53, so it is split first.
 */
export function writeNanosFixed64(buffer: Uint8Array, offset: number, wholeMillis: number, nanos: number): void {
  const highMillis = Math.floor(wholeMillis / TWO_32);
  const lowMillis = wholeMillis - highMillis * TWO_32;
  // lowMillis * 1e6 + nanos < 2^32 * 1e6 + 2e6 < 2^53: exact.
  const low = lowMillis * 1e6 + nanos;
  const carry = Math.floor(low / TWO_32);
  const lo = low - carry * TWO_32;
  const hi = highMillis * 1e6 + carry;
  buffer[offset] = lo;
  buffer[offset + 1] = lo >>> 8;
  buffer[offset + 2] = lo >>> 16;
  buffer[offset + 3] = lo >>> 24;
  buffer[offset + 4] = hi;
  buffer[offset + 5] = hi >>> 8;
  buffer[offset + 6] = hi >>> 16;
  buffer[offset + 7] = hi >>> 24;
}
