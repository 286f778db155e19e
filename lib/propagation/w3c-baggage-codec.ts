import type { Baggage, SpanContext } from '../span-context';
import { BaggageBuilder, decodeBaggageText, serializeBaggage } from './baggage-text';
import { PROPAGATION_LIMITS } from './limits';
import type { CarrierReader, HeaderSetter, TextMapCodec } from './text-map-codec';
import { isOws } from './http-whitespace';

const { maxBaggageBytes } = PROPAGATION_LIMITS;

/** `s.indexOf(char, from)`, with "absent" as +Infinity so comparisons need no special case. */
function indexFrom(s: string, char: string, from: number): number {
  const i = s.indexOf(char, from);
  return i === -1 ? Infinity : i;
}

/**
 * W3C Baggage: the `baggage` header, `key=value` members separated by `,`, percent-encoded
 * both ways. Properties after `;` are accepted and ignored. Only the first
 * `maxBaggageBytes` of the header are read; members past that, or past
 * `maxBaggageMembers`, are dropped. A member with a malformed escape is dropped alone.
 */
export class W3CBaggageCodec implements TextMapCodec {
  readonly name = 'baggage' as const;

  inject(context: SpanContext, carrier: object, set: HeaderSetter): void {
    const value = serializeBaggage(context.baggage);
    if (value.length > 0) set(carrier, 'baggage', value);
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
      if (nextSemicolon < start) nextSemicolon = indexFrom(header, ';', start);
      if (nextEquals < start) nextEquals = indexFrom(header, '=', start);
      const stop = nextSemicolon < end ? nextSemicolon : end;
      const eq = nextEquals;
      if (eq < stop) {
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
