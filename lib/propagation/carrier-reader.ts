import { PROPAGATION_LIMITS } from './limits';
import type { CarrierReader } from './text-map-codec';

const { maxHeaderValues, maxJoinedHeaderLength, maxCarrierNames } = PROPAGATION_LIMITS;
const hasOwn = Object.prototype.hasOwnProperty;
const NO_NAMES: readonly string[] = Object.freeze([]);

/** A header value as one string: `string[]` joined with `,` (bounded); anything else is absent. */
export function headerValue(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw;
  if (!Array.isArray(raw)) return undefined;
  let joined: string | undefined;
  const count = Math.min(raw.length, maxHeaderValues);
  for (let i = 0; i < count; i++) {
    const v: unknown = raw[i];
    if (typeof v !== 'string') continue;
    const next = joined === undefined ? v : `${joined},${v}`;
    if (next.length > maxJoinedHeaderLength) break;
    joined = next;
  }
  return joined;
}

/**
 * The strings among the first `maxCarrierNames` items of `items`. Every item pulled counts,
 * string or not, so an iterator that never ends, or yields only numbers, costs a bounded
 * number of steps.
 */
function stringsAmong(items: Iterable<unknown>): string[] {
  const out: string[] = [];
  let pulled = 0;
  for (const item of items) {
    if (++pulled > maxCarrierNames) break;
    if (typeof item === 'string') out.push(item);
  }
  return out;
}

/**
 * A plain object or Node's `IncomingHttpHeaders`. Node lowercases incoming names, so an
 * exact own-property hit is the common case; a miss looks for another casing among the
 * carrier's own names of the same length (at most `maxCarrierNames`).
 *
 * One is made per extraction. Reusing a long-lived reader was measured slower: pointing an
 * old-generation object at each new carrier costs a write barrier that outweighs the
 * allocation of a small short-lived one.
 */
class RecordReader implements CarrierReader {
  private keys: readonly string[] | null = null;

  constructor(private readonly record: Record<string, unknown>) {}

  get(name: string): string | undefined {
    const record = this.record;
    if (hasOwn.call(record, name)) return headerValue(record[name]);
    const keys = this.names();
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      if (key.length === name.length && key.toLowerCase() === name) return headerValue(record[key]);
    }
    return undefined;
  }

  names(): readonly string[] {
    if (this.keys === null) {
      const keys = Object.keys(this.record);
      this.keys = keys.length <= maxCarrierNames ? keys : keys.slice(0, maxCarrierNames);
    }
    return this.keys;
  }
}

/** A `Map` of header names to values, any casing. */
class MapReader implements CarrierReader {
  constructor(private readonly map: Map<unknown, unknown>) {}

  get(name: string): string | undefined {
    if (this.map.has(name)) return headerValue(this.map.get(name));
    let seen = 0;
    for (const [key, value] of this.map) {
      if (++seen > maxCarrierNames) break;
      if (typeof key === 'string' && key.length === name.length && key.toLowerCase() === name) return headerValue(value);
    }
    return undefined;
  }

  names(): readonly string[] {
    return stringsAmong(this.map.keys());
  }
}

type Getter = (name: string) => unknown;

/**
 * Anything with a case-insensitive `get(name)`: a fetch `Headers`, an Express request.
 * Names come from its `keys()` when it has one, else from its `headers` object.
 */
class GetterReader implements CarrierReader {
  constructor(
    private readonly carrier: object,
    private readonly getter: Getter,
  ) {}

  get(name: string): string | undefined {
    return headerValue(this.getter.call(this.carrier, name));
  }

  names(): readonly string[] {
    const carrier = this.carrier as { keys?: unknown; headers?: unknown };
    if (typeof carrier.keys === 'function') {
      const iterator: unknown = (carrier.keys as () => unknown).call(carrier);
      if (iterator === null || typeof iterator !== 'object' || typeof (iterator as Iterable<unknown>)[Symbol.iterator] !== 'function') {
        return NO_NAMES;
      }
      return stringsAmong(iterator as Iterable<unknown>);
    }
    const headers = carrier.headers;
    if (headers !== null && typeof headers === 'object') return new RecordReader(headers as Record<string, unknown>).names();
    return NO_NAMES;
  }
}

/**
 * Wraps anything a caller may pass as a TEXT_MAP or HTTP_HEADERS carrier: a plain object
 * (any key case), Node's `IncomingHttpHeaders`, a `Map`, a fetch `Headers`, or anything
 * with a `get(name)` method. Returns null for carriers that cannot hold headers.
 * Readers may throw when the carrier does (a hostile getter or Proxy): callers catch.
 *
 *     readerFor(req.headers)?.get('traceparent'); // '00-4bf9…-01' or undefined
 */
export function readerFor(carrier: unknown): CarrierReader | null {
  if (carrier === null || typeof carrier !== 'object') return null;
  if (carrier instanceof Map) return new MapReader(carrier);
  const getter = (carrier as { get?: unknown }).get;
  if (typeof getter === 'function') return new GetterReader(carrier, getter as Getter);
  return new RecordReader(carrier as Record<string, unknown>);
}
