import type { HeaderSetter } from './text-map-codec';

/**
 * Writes a plain-object carrier. Codecs that write fixed header names compare their setter
 * with this one and store through a named property instead (`carrier.traceparent = …`): a
 * store site per name stays monomorphic, where this shared keyed store sees every name of
 * every format and goes megamorphic.
 */
export const setProperty: HeaderSetter = (carrier, name, value) => {
  (carrier as Record<string, unknown>)[name] = value;
};

const callSet: HeaderSetter = (carrier, name, value) => {
  (carrier as { set(name: string, value: string): unknown }).set(name, value);
};

const callSetHeader: HeaderSetter = (carrier, name, value) => {
  (carrier as { setHeader(name: string, value: string): unknown }).setHeader(name, value);
};

/**
 * How to write a header into `carrier`: `set(name, value)` for a `Map` or fetch `Headers`,
 * `setHeader(name, value)` for a Node `ClientRequest`, else a plain property.
 * Returns null when the carrier is not an object.
 *
 *     setterFor(headers)?.(headers, 'traceparent', value);
 */
export function setterFor(carrier: unknown): HeaderSetter | null {
  if (carrier === null || typeof carrier !== 'object') return null;
  const c = carrier as { set?: unknown; setHeader?: unknown };
  if (typeof c.set === 'function') return callSet;
  if (typeof c.setHeader === 'function') return callSetHeader;
  return setProperty;
}
