import { isAllZeroHex } from '../util/ids';

/**
 * Checks and conversions for ids on the wire. The patterns are anchored, with bounded
 * counts and no ambiguity: matching is linear, and native matching beats a JS loop.
 */

/** The value of one lowercase hex digit, or -1. */
export function lowerHexDigit(c: number): number {
  return c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
}

/**
 * A hex id already checked for its characters (any case), as `width` lowercase digits,
 * left-padded with zeros; null when it is all zero (invalid in every format).
 *
 *     normalizedId('ABC', 16); // '0000000000000abc'
 */
export function normalizedId(hex: string, width: number): string | null {
  if (isAllZeroHex(hex)) return null;
  const lower = hex.toLowerCase();
  return lower.length === width ? lower : lower.padStart(width, '0');
}

/** `traceId` (32 hex) as 16 digits when its high half is zero (a 64-bit id), else unchanged. */
export function shortestTraceId(traceId: string): string {
  return traceId.startsWith('0000000000000000') ? traceId.slice(16) : traceId;
}
