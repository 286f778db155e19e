import { PROPAGATION_LIMITS } from './limits';
import { isOws } from './http-whitespace';

const { maxTracestateLength, maxTracestateMembers } = PROPAGATION_LIMITS;
const MAX_KEY = 256;
const MAX_VALUE = 256;

/** key = (lcalpha / DIGIT) 0*255(lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@") */
function isValidKey(s: string, start: number, end: number): boolean {
  const length = end - start;
  if (length < 1 || length > MAX_KEY) return false;
  const first = s.charCodeAt(start);
  if (!((first >= 97 && first <= 122) || (first >= 48 && first <= 57))) return false;
  for (let i = start + 1; i < end; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 42 || c === 47 || c === 64;
    if (!ok) return false;
  }
  return true;
}

/** value = 0*255(chr) nblk-chr; chr = %x20 / nblk-chr; nblk-chr = %x21-2B / %x2D-3C / %x3E-7E */
function isValidValue(s: string, start: number, end: number): boolean {
  const length = end - start;
  if (length < 1 || length > MAX_VALUE) return false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x2c || c === 0x3d) return false;
  }
  return s.charCodeAt(end - 1) !== 0x20;
}

/**
 * Checks a `tracestate` header (repeated headers already joined with `,`) and returns the
 * value to pass on: its members in order, without optional whitespace or empty members.
 * Returns undefined when there is nothing to pass on: the header is empty, longer than
 * `maxTracestateLength`, has more than 32 members, or has any invalid member (the W3C
 * suite's strict level drops such a header whole). Duplicate keys are passed on as sent.
 *
 *     normalizeTraceState('rojo=00f067aa0ba902b7, congo=t61rcWkgMzE'); // 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE'
 */
export function normalizeTraceState(raw: string): string | undefined {
  if (raw.length === 0 || raw.length > maxTracestateLength) return undefined;
  let members = 0;
  let tidy = true; // raw is already in the normalized form
  let tidyEnd = 0; // while tidy: where the last member ended
  let pieces: string[] | null = null;
  let start = 0;
  const n = raw.length;
  while (start <= n) {
    let end = raw.indexOf(',', start);
    if (end === -1) end = n;
    let a = start;
    let b = end;
    while (a < b && isOws(raw.charCodeAt(a))) a++;
    while (b > a && isOws(raw.charCodeAt(b - 1))) b--;
    if (a === b) {
      tidy = false;
    } else {
      if (a !== start || b !== end) tidy = false;
      const eq = raw.indexOf('=', a);
      if (eq === -1 || eq >= b || !isValidKey(raw, a, eq) || !isValidValue(raw, eq + 1, b)) return undefined;
      if (++members > maxTracestateMembers) return undefined;
      if (tidy) {
        tidyEnd = end;
      } else {
        if (pieces === null) pieces = tidyEnd > 0 ? raw.slice(0, tidyEnd).split(',') : [];
        pieces.push(raw.slice(a, b));
      }
    }
    start = end + 1;
  }
  if (members === 0) return undefined;
  if (tidy) return raw;
  return pieces === null ? raw.slice(0, tidyEnd) : pieces.join(',');
}

/** Whether `value` can be sent as a header value as is: printable ASCII only, bounded. */
export function isPrintableAscii(value: string, maxLength: number): boolean {
  if (value.length > maxLength) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}
