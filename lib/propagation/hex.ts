import { isAllZeroHex } from '../util/ids';

/**
 * Checks and conversions for ids on the wire. Characters are classified through a table
 * indexed by char code: one load and one comparison per character, no allocation.
 */

/** The value of each ASCII character as a hex digit (any case), or -1. */
const HEX_VALUE = new Int8Array(128).fill(-1);
/** 1 for the lowercase hex digits `0-9a-f`, else 0. */
const LOWER_HEX = new Uint8Array(128);
for (let i = 0; i < 16; i++) {
  const lower = '0123456789abcdef'.charCodeAt(i);
  const upper = '0123456789ABCDEF'.charCodeAt(i);
  HEX_VALUE[lower] = i;
  HEX_VALUE[upper] = i;
  LOWER_HEX[lower] = 1;
}

/** The value of one hex digit (any case), or -1. */
export function hexDigit(c: number): number {
  return c < 128 ? HEX_VALUE[c] : -1;
}

/** The value of one lowercase hex digit, or -1. */
export function lowerHexDigit(c: number): number {
  return c < 128 && LOWER_HEX[c] === 1 ? HEX_VALUE[c] : -1;
}

/**
 * Whether `s[start, end)` is all lowercase hex digits.
 *
 *     isLowerHexRun('00-4bf9', 3, 7); // true
 */
export function isLowerHexRun(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || LOWER_HEX[c] === 0) return false;
  }
  return true;
}

/**
 * Whether `s[start, end)` is all hex digits, in any case.
 *
 *     isHexRun('4BF9', 0, 4); // true
 */
export function isHexRun(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || HEX_VALUE[c] < 0) return false;
  }
  return true;
}

/**
 * Whether `id` is 1 to `maxLength` hex digits (any case): an id that `normalizedId` can widen.
 *
 *     isHexId('abc', 16); // true
 */
export function isHexId(id: string, maxLength: number): boolean {
  return id.length > 0 && id.length <= maxLength && isHexRun(id, 0, id.length);
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
