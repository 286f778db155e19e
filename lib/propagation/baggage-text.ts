import { EMPTY_BAGGAGE } from '../span-context';
import type { Baggage } from '../span-context';
import { PROPAGATION_LIMITS } from './limits';

const { maxBaggageMembers, maxBaggageBytes, maxBaggageMemberBytes } = PROPAGATION_LIMITS;

/** RFC 9110 tchar, less `%` (which starts an escape): characters a key keeps as is. */
function isPlainKeyChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 48 && c <= 57) ||
    c === 33 ||
    c === 35 ||
    c === 36 ||
    c === 38 ||
    c === 39 ||
    c === 42 ||
    c === 43 ||
    c === 45 ||
    c === 46 ||
    c === 94 ||
    c === 95 ||
    c === 96 ||
    c === 124 ||
    c === 126
  );
}

/** W3C baggage-octet, less `%`: characters a value keeps as is. */
function isPlainValueChar(c: number): boolean {
  return (
    c === 0x21 || (c >= 0x23 && c <= 0x2b && c !== 0x25) || (c >= 0x2d && c <= 0x3a) || (c >= 0x3c && c <= 0x5b) || (c >= 0x5d && c <= 0x7e)
  );
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

function allPlain(s: string, plain: (c: number) => boolean): boolean {
  for (let i = 0; i < s.length; i++) if (!plain(s.charCodeAt(i))) return false;
  return true;
}

/**
 * A baggage key as an HTTP token: UTF-8 percent-encoded where needed, so it can be sent
 * as a `baggage` member key or as part of a header name (`uberctx-{key}`).
 *
 *     encodeBaggageKey('user id'); // 'user%20id'
 */
export function encodeBaggageKey(key: string): string {
  if (allPlain(key, isPlainKeyChar)) return key;
  // encodeURIComponent leaves ( and ), which are not token characters
  return encodeComponent(key).replace(/[()]/g, (c) => (c === '(' ? '%28' : '%29'));
}

/**
 * A baggage value as W3C baggage-octets: UTF-8 percent-encoded where needed.
 *
 *     encodeBaggageValue('a,b c'); // 'a%2Cb%20c'
 */
export function encodeBaggageValue(value: string): string {
  return allPlain(value, isPlainValueChar) ? value : encodeComponent(value);
}

/** Percent-decodes `s`; null when an escape is malformed: `decodeBaggageText('DF%2028')` is 'DF 28'. */
export function decodeBaggageText(s: string): string | null {
  if (s.indexOf('%') === -1) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/**
 * Collects baggage within the limits: at most `maxBaggageMembers` members and
 * `maxBaggageBytes` of encoded text. Keys such as `__proto__` are plain entries: the
 * object has no prototype.
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
    if (this.entries === null) this.entries = Object.create(null) as Record<string, string>;
    if (!(key in this.entries)) this.count++;
    this.entries[key] = value;
    this.bytes = bytes;
    return true;
  }

  /** The collected baggage, or null when empty: `builder.result() ?? EMPTY_BAGGAGE`. */
  result(): Baggage | null {
    return this.entries;
  }
}

/**
 * Baggage as W3C `baggage` members, encoded, within the limits; members past a limit are
 * dropped. Returns '' for no members.
 *
 *     serializeBaggage({ hello: 'world', 'user id': 'Amélie' }); // 'hello=world,user%20id=Am%C3%A9lie'
 */
export function serializeBaggage(baggage: Baggage): string {
  if (baggage === EMPTY_BAGGAGE) return '';
  let out = '';
  let count = 0;
  for (const key in baggage) {
    if (!Object.prototype.hasOwnProperty.call(baggage, key) || key.length === 0) continue;
    const member = `${encodeBaggageKey(key)}=${encodeBaggageValue(String(baggage[key]))}`;
    if (member.length > maxBaggageMemberBytes) continue;
    if (count >= maxBaggageMembers) break;
    if ((count === 0 ? member.length : out.length + 1 + member.length) > maxBaggageBytes) continue;
    out = count === 0 ? member : `${out},${member}`;
    count++;
  }
  return out;
}
