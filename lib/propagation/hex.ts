/** Checks and conversions for ids on the wire. */

/** Whether `s[start, end)` is non-empty hex in any letter case. */
export function isHex(s: string, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70))) return false;
  }
  return true;
}

/** The value of one lowercase hex digit, or -1. */
export function lowerHexDigit(c: number): number {
  return c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
}

/** Whether `s[start, end)` is all `0` characters. */
export function isAllZero(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (s.charCodeAt(i) !== 48) return false;
  return true;
}

/**
 * `s[start, end)` (hex, any case, 1 to `width` digits) as `width` lowercase digits,
 * left-padded with zeros; null when it is not such hex or is all zero.
 */
export function paddedLowerHex(s: string, start: number, end: number, width: number): string | null {
  const length = end - start;
  if (length < 1 || length > width || !isHex(s, start, end) || isAllZero(s, start, end)) return null;
  const id = s.slice(start, end).toLowerCase();
  return length === width ? id : id.padStart(width, '0');
}

/** `traceId` (32 hex) as 16 digits when its high half is zero (a 64-bit id), else unchanged. */
export function shortestTraceId(traceId: string): string {
  return traceId.startsWith('0000000000000000') ? traceId.slice(16) : traceId;
}
