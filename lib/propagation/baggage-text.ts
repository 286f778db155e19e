import type { Baggage } from '../span-context';
import { hexDigit } from './hex';
import { PROPAGATION_LIMITS } from './limits';

const { maxBaggageMembers, maxBaggageBytes, maxBaggageMemberBytes } = PROPAGATION_LIMITS;

/** RFC 9110 tchar, less `%` (which starts an escape): characters a key keeps as is. */
const PLAIN_KEY = new Uint8Array(128);
/** W3C baggage-octet, less `%`: characters a value keeps as is. */
const PLAIN_VALUE = new Uint8Array(128);
/** What `encodeURIComponent` leaves alone: A-Z a-z 0-9 - _ . ! ~ * ' ( ) */
const URI_UNRESERVED = new Uint8Array(128);
/** `%XX` for every ASCII character, as `encodeURIComponent` spells it. */
const ESCAPES: string[] = [];
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  const alnum = /[A-Za-z0-9]/.test(ch);
  PLAIN_KEY[c] = alnum || "!#$&'*+-.^_`|~".includes(ch) ? 1 : 0;
  PLAIN_VALUE[c] =
    c === 0x21 || (c >= 0x23 && c <= 0x2b && c !== 0x25) || (c >= 0x2d && c <= 0x3a) || (c >= 0x3c && c <= 0x5b) || (c >= 0x5d && c <= 0x7e)
      ? 1
      : 0;
  URI_UNRESERVED[c] = alnum || "-_.!~*'()".includes(ch) ? 1 : 0;
  ESCAPES.push(`%${c.toString(16).toUpperCase().padStart(2, '0')}`);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `encodeURIComponent`, except that a lone surrogate becomes U+FFFD instead of throwing. */
function encodeComponent(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return encodeURIComponent(s.replace(LONE_SURROGATE, '\uFFFD'));
  }
}

/**
 * `s` as is when every character is in `plain`; else percent-encoded as `encodeURIComponent`
 * does (`(` and `)` too when `escapeParens`). ASCII-only text, the common case, is encoded
 * here through a table: the native call costs more than the work for short strings.
 */
function encodeWith(s: string, plain: Uint8Array, escapeParens: boolean): string {
  const n = s.length;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || plain[c] === 0) break;
  }
  if (i === n) return s;
  let out = '';
  let from = 0;
  for (i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128) {
      const encoded = encodeComponent(s);
      return escapeParens ? encoded.replace(/[()]/g, (p) => (p === '(' ? '%28' : '%29')) : encoded;
    }
    if (URI_UNRESERVED[c] === 1 && !(escapeParens && (c === 0x28 || c === 0x29))) continue;
    out += s.slice(from, i) + ESCAPES[c];
    from = i + 1;
  }
  return out + s.slice(from);
}

/**
 * A baggage key as an HTTP token: UTF-8 percent-encoded where needed, so it can be sent
 * as a `baggage` member key or as part of a header name (`uberctx-{key}`).
 *
 *     encodeBaggageKey('user id'); // 'user%20id'
 */
export function encodeBaggageKey(key: string): string {
  return encodeWith(key, PLAIN_KEY, true);
}

/**
 * A baggage value as W3C baggage-octets: UTF-8 percent-encoded where needed.
 *
 *     encodeBaggageValue('a,b c'); // 'a%2Cb%20c'
 */
export function encodeBaggageValue(value: string): string {
  return encodeWith(value, PLAIN_VALUE, false);
}

/** `decodeURIComponent(s)`, or null when an escape is malformed. */
function decodeComponent(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/**
 * Percent-decodes `s`; null when an escape is malformed: `decodeBaggageText('DF%2028')` is 'DF 28'.
 * Escapes of ASCII characters are decoded here; any other goes to `decodeURIComponent`
 * (UTF-8 sequences and their validation).
 */
export function decodeBaggageText(s: string): string | null {
  let p = s.indexOf('%');
  if (p === -1) return s;
  let out = '';
  let from = 0;
  while (p !== -1) {
    const high = hexDigit(s.charCodeAt(p + 1));
    const low = hexDigit(s.charCodeAt(p + 2));
    if (high < 0 || low < 0) return null;
    const code = high * 16 + low;
    if (code >= 128) return decodeComponent(s);
    out += s.slice(from, p) + String.fromCharCode(code);
    from = p + 3;
    p = s.indexOf('%', from);
  }
  return out + s.slice(from);
}

/**
 * A baggage object: no inherited keys (its prototype is an empty, frozen object without a
 * prototype), so `__proto__` or `toString` are plain entries. Built with `new`, it starts
 * with fast properties, unlike `Object.create(null)`, which V8 makes a dictionary at once.
 */
const BaggageRecord = function BaggageRecord(this: object) {} as unknown as new () => Record<string, string>;
BaggageRecord.prototype = Object.freeze(Object.create(null) as object);

/** An empty baggage object to fill: `const b = newBaggageRecord(); b['__proto__'] = 'x'` is a plain entry. */
export function newBaggageRecord(): Record<string, string> {
  return new BaggageRecord();
}

/**
 * Collects baggage within the limits: at most `maxBaggageMembers` members and
 * `maxBaggageBytes` of encoded text. Keys such as `__proto__` are plain entries: the
 * object inherits nothing.
 */
export class BaggageBuilder {
  private entries: Record<string, string> | null = null;
  private count = 0;
  private bytes = 0;

  /**
   * Adds one member whose encoded form is `encodedLength` long. Returns false once a limit is
   * reached: the member is dropped and so are later ones. An oversized member alone is dropped.
   */
  add(key: string, value: string, encodedLength: number): boolean {
    if (encodedLength > maxBaggageMemberBytes) return true;
    if (this.count >= maxBaggageMembers) return false;
    const bytes = this.bytes + (this.count === 0 ? 0 : 1) + encodedLength;
    if (bytes > maxBaggageBytes) return false;
    if (this.entries === null) this.entries = newBaggageRecord();
    // A repeated key counts again (W3C counts list members): checking for it first would
    // cost a second lookup of a key string that is not yet internalized.
    this.count++;
    this.entries[key] = value;
    this.bytes = bytes;
    return true;
  }

  /** The collected baggage, or null when empty: `builder.result() ?? EMPTY_BAGGAGE`. */
  result(): Baggage | null {
    return this.entries;
  }
}
