import type { CarrierReader } from './text-map-codec';

/** Header values longer than this are ignored rather than parsed (W3C baggage allows 8192 bytes). */
export const MAX_HEADER_VALUE_LENGTH = 16384;

const NO_VALUES: string[] = [];

function valuesOf(raw: unknown): string[] {
  if (typeof raw === 'string') return raw.length <= MAX_HEADER_VALUE_LENGTH ? [raw] : NO_VALUES;
  if (Array.isArray(raw)) {
    const out: string[] = [];
    for (let i = 0; i < raw.length && i < 64; i++) {
      const v: unknown = raw[i];
      if (typeof v === 'string' && v.length <= MAX_HEADER_VALUE_LENGTH) out.push(v);
    }
    return out;
  }
  return NO_VALUES;
}

/**
 * Wraps anything a caller may pass as a TEXT_MAP or HTTP_HEADERS carrier: a plain
 * object (any key case), Node's `IncomingHttpHeaders`, a `Map`, or a fetch `Headers`.
 * Returns null for carriers that cannot hold headers.
 */
export function readerFor(carrier: unknown): CarrierReader | null {
  if (carrier === null || typeof carrier !== 'object') return null;
  const getter = (carrier as { get?: unknown }).get;
  if (typeof getter === 'function' && !(carrier instanceof Map)) {
    return {
      getAll(name) {
        try {
          return valuesOf((getter as (n: string) => unknown).call(carrier, name));
        } catch {
          return NO_VALUES;
        }
      },
    };
  }
  if (carrier instanceof Map) {
    return {
      getAll(name) {
        for (const [key, value] of carrier) {
          if (typeof key === 'string' && key.toLowerCase() === name) return valuesOf(value);
        }
        return NO_VALUES;
      },
    };
  }
  const record = carrier as Record<string, unknown>;
  return {
    getAll(name) {
      // Node lowercases incoming header names, so the exact lookup is the common case.
      if (Object.prototype.hasOwnProperty.call(record, name)) return valuesOf(record[name]);
      for (const key of Object.keys(record)) {
        if (key.length === name.length && key.toLowerCase() === name) return valuesOf(record[key]);
      }
      return NO_VALUES;
    },
  };
}
