import type { Baggage, SpanContext } from '../span-context';
import type { BaggageCarrying, BaggageMember } from './baggage-budget';
import { BaggageBuilder, decodeBaggageText } from './baggage-text';
import { PROPAGATION_LIMITS } from './limits';
import { setProperty } from './carrier-writer';
import type { CarrierReader, HeaderSetter, TextMapCodec } from './text-map-codec';
import { isOws } from './http-whitespace';

const { maxBaggageBytes } = PROPAGATION_LIMITS;

const EQUALS = '=';
const SEMICOLON = ';';

/** `s.indexOf(char, from)`, with "absent" as the length of `s`, past every member. */
function indexFrom(s: string, char: string, from: number): number {
  const i = s.indexOf(char, from);
  return i === -1 ? s.length : i;
}

/**
 * W3C Baggage: the `baggage` header, `key=value` members separated by `,`, percent-encoded
 * both ways. What it writes is chosen by `planBaggage`, within the budget every baggage
 * format shares. Properties after `;` are accepted and ignored. Only the first
 * `maxBaggageBytes` of the header are read; members past that, or past
 * `maxBaggageMembers`, are dropped. A member with a malformed escape is dropped alone.
 */
export class W3CBaggageCodec implements TextMapCodec, BaggageCarrying {
  readonly name = 'baggage' as const;

  inject(_context: SpanContext, carrier: object, set: HeaderSetter, baggage: readonly BaggageMember[]): void {
    if (baggage.length === 0) return;
    let value = `${baggage[0].encodedKey}=${baggage[0].encodedValue}`;
    for (let i = 1; i < baggage.length; i++) value += `,${baggage[i].encodedKey}=${baggage[i].encodedValue}`;
    if (set === setProperty) (carrier as { baggage?: string }).baggage = value;
    else set(carrier, 'baggage', value);
  }

  /** The member, `key=value`, and the `,` before it: W3C's 8192 bytes count the header value. */
  baggageBytes(member: BaggageMember, index: number): number {
    return member.encodedKey.length + 1 + member.encodedValue.length + (index === 0 ? 0 : 1);
  }

  extractBaggage(reader: CarrierReader): Baggage | null {
    const header = reader.get('baggage');
    if (header === undefined || header.length === 0) return null;
    // Cut off at the limit: a member that straddles it is incomplete, so it goes too.
    const limit = header.length <= maxBaggageBytes ? header.length : header.lastIndexOf(',', maxBaggageBytes);
    const builder = new BaggageBuilder();
    // The next ';' and '=' are found once and reused until passed: the scan stays linear.
    let nextSemicolon = -1;
    let nextEquals = -1;
    let start = 0;
    while (start < limit) {
      let end = header.indexOf(',', start);
      if (end === -1 || end > limit) end = limit;
      if (nextSemicolon < start) nextSemicolon = indexFrom(header, SEMICOLON, start);
      if (nextEquals < start) nextEquals = indexFrom(header, EQUALS, start);
      const stop = nextSemicolon < end ? nextSemicolon : end;
      const eq = nextEquals < stop ? nextEquals : -1;
      if (eq !== -1) {
        let ka = start;
        let kb = eq;
        let va = eq + 1;
        let vb = stop;
        while (ka < kb && isOws(header.charCodeAt(ka))) ka++;
        while (kb > ka && isOws(header.charCodeAt(kb - 1))) kb--;
        while (va < vb && isOws(header.charCodeAt(va))) va++;
        while (vb > va && isOws(header.charCodeAt(vb - 1))) vb--;
        if (kb > ka) {
          const key = decodeBaggageText(header.slice(ka, kb));
          const value = decodeBaggageText(header.slice(va, vb));
          if (key !== null && key.length > 0 && value !== null && !builder.add(key, value, end - start)) break;
        }
      }
      start = end + 1;
    }
    return builder.result();
  }
}
