import { describeError } from '../util/describe';

/**
 * Tag and log values as text, for formats whose values are strings (Zipkin) and for
 * values no format can type (errors, dates, objects). Never throws: a value whose
 * conversion throws, or that is circular, still becomes some text.
 */

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return describeError(value);
  if (typeof value === 'function' || typeof value === 'symbol') return String(value);
  return value;
}

/** JSON text of any value; circular or hostile values degrade to a description. */
export function jsonText(value: unknown): string {
  try {
    const text = JSON.stringify(value, replacer);
    return text === undefined ? String(value) : text;
  } catch {
    try {
      return Object.prototype.toString.call(value);
    } catch {
      return '[unprintable]';
    }
  }
}

/**
 * A tag value as a string: strings as they are, numbers, booleans and bigints by
 * `String`, errors as `Name: message`, dates as ISO 8601, anything else as JSON.
 * Undefined for null and undefined (the tag is left out).
 */
export function tagText(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'undefined':
      return undefined;
    case 'symbol':
    case 'function':
      return jsonText(value);
    default:
      if (value === null) return undefined;
      if (value instanceof Error) return describeError(value);
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
      return jsonText(value);
  }
}
