import type { SpanContext } from '../span-context';
import type { CarrierReader, ExtractedParts, TextMapCodec } from './text-map-codec';

/** W3C Baggage: the `baggage` header, percent-encoded `key=value` members. */
export class W3CBaggageCodec implements TextMapCodec {
  readonly name = 'baggage';

  inject(context: SpanContext, carrier: Record<string, unknown>): void {
    const members: string[] = [];
    for (const key of Object.keys(context.baggage)) {
      members.push(`${encodeURIComponent(key)}=${encodeURIComponent(context.baggage[key])}`);
    }
    if (members.length > 0) carrier.baggage = members.join(',');
  }

  extract(reader: CarrierReader): ExtractedParts {
    const baggage: Record<string, string> = {};
    let found = false;
    for (const header of reader.getAll('baggage')) {
      for (const member of header.split(',')) {
        const [pair] = member.split(';');
        const eq = pair.indexOf('=');
        if (eq <= 0) continue;
        try {
          const key = decodeURIComponent(pair.slice(0, eq).trim());
          const value = decodeURIComponent(pair.slice(eq + 1).trim());
          Object.defineProperty(baggage, key, { value, enumerable: true, writable: true, configurable: true });
          found = true;
        } catch {
          // a malformed percent-escape drops that member only
        }
      }
    }
    return { context: null, baggage: found ? baggage : null };
  }
}
