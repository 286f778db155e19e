/**
 * Copies of the values callers hand a span (tags, log fields), taken within the span
 * limits and without trusting them: a getter or Proxy trap that throws loses that field,
 * never the span, and nothing here walks the holes of a sparse array.
 */
import type { SpanLog } from './recording/finished-span';
import type { ResolvedSpanLimits } from './span-limits';

/**
 * V8 keeps a slice of 13 or more characters as a view of the whole original string, so
 * cutting a 100 MB string to 1 KB would still hold the 100 MB: longer cuts are copied.
 */
const SLICE_VIEW_MIN_LENGTH = 13;

/** Arrays up to this length are scanned by index; longer ones only by their present elements. */
const INDEXED_SCAN_MAX_LENGTH = 1024;

/**
 * `value` cut to at most `maxLength` UTF-16 code units, never splitting a surrogate pair,
 * as a string of its own (not a view that keeps the original alive).
 *
 *     cutString('abcdef', 3); // 'abc'
 */
export function cutString(value: string, maxLength: number): string {
  if (value.length <= maxLength) return value;
  let end = maxLength;
  if (end > 0) {
    const last = value.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end--;
  }
  const cut = value.slice(0, end);
  return cut.length < SLICE_VIEW_MIN_LENGTH ? cut : Buffer.from(cut, 'utf16le').toString('utf16le');
}

/**
 * A tag or log field value within `maxLength`: a long string cut, an array whose string
 * elements are too long copied with them cut (holes stay holes and are never visited).
 * Anything else is returned as is. May throw on a hostile value; callers catch.
 *
 *     limitValue(['abcdef', 1], 3); // ['abc', 1]
 */
export function limitValue(value: unknown, maxLength: number): unknown {
  if (typeof value === 'string') return value.length > maxLength ? cutString(value, maxLength) : value;
  if (!Array.isArray(value)) return value;
  const array = value as unknown[];
  if (array.length <= INDEXED_SCAN_MAX_LENGTH) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < array.length; i++) {
      const item = array[i];
      if (typeof item !== 'string' || item.length <= maxLength) continue;
      if (copy === null) copy = array.slice();
      copy[i] = cutString(item, maxLength);
    }
    return copy ?? array;
  }
  // A long array may be sparse (`new Array(2 ** 32 - 1)`): visit only what it holds.
  let long: string[] | null = null;
  for (const key in array) {
    const item = (array as unknown as Record<string, unknown>)[key];
    if (typeof item === 'string' && item.length > maxLength) (long ??= []).push(key);
  }
  if (long === null) return array;
  const copy = new Array<unknown>(array.length);
  const target = copy as unknown as Record<string, unknown>;
  const source = array as unknown as Record<string, unknown>;
  for (const key in array) target[key] = source[key];
  for (const key of long) target[key] = cutString(source[key] as string, maxLength);
  return copy;
}

/**
 * Sets `key` on a plain record; `__proto__` becomes an ordinary property, never the
 * record's prototype.
 */
export function putField(record: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  else record[key] = value;
}

/**
 * Copies the own enumerable string-keyed fields of `source` into `target` (which it
 * returns), `__proto__` as an ordinary field. Throws when `source` does (a getter or a
 * Proxy trap): callers catch.
 *
 * A loop, not `{ ...source }`: tags get more keys after the copy, and on Node 20 (V8 11.3)
 * every key added to an object made by spreading a literal costs over a microsecond (the
 * copy's map has no transitions to share), ~20x a key added to an object built key by key.
 *
 *     const tags = copyFields({}, given);
 *     tags['http.status_code'] = 200; // as cheap as on any other object
 */
export function copyFields(target: Record<string, unknown>, source: object): Record<string, unknown> {
  const entries = source as Record<string, unknown>;
  for (const key in entries) if (Object.prototype.hasOwnProperty.call(entries, key)) putField(target, key, entries[key]);
  return target;
}

/** What `copyTags` made: the span's own tags and how many did not fit. */
export interface CopiedTags {
  tags: Record<string, unknown>;
  /** distinct keys in `tags` */
  count: number;
  /** keys left out by `maxTags` */
  dropped: number;
  /** keys whose value could not be read (a getter or Proxy trap threw) */
  unreadable: number;
}

/**
 * The own enumerable string-keyed entries of `source`, the first `limits.maxTags` of
 * them, values within `maxValueLength`. Never throws.
 *
 *     copyTags({ a: 1, b: 2 }, limits).tags; // { a: 1, b: 2 }
 */
export function copyTags(source: object, limits: ResolvedSpanLimits): CopiedTags {
  const tags: Record<string, unknown> = {};
  const result: CopiedTags = { tags, count: 0, dropped: 0, unreadable: 0 };
  const entries = source as Record<string, unknown>;
  try {
    for (const key in entries) {
      if (!Object.prototype.hasOwnProperty.call(entries, key)) continue;
      if (result.count >= limits.maxTags) {
        result.dropped++;
        continue;
      }
      try {
        const value = entries[key];
        putField(tags, key, limits.cutsValues ? limitValue(value, limits.maxValueLength) : value);
        result.count++;
      } catch {
        result.unreadable++;
      }
    }
  } catch {
    // A Proxy whose ownKeys trap throws: keep what was read before it did.
    result.unreadable++;
  }
  return result;
}

/**
 * One log record: the first `limits.maxLogFields` own enumerable string-keyed fields of
 * `source`, values within `maxValueLength`; `droppedFields` counts the fields left out
 * (present only when some were). A field whose getter throws is left out and counted.
 * Never throws.
 *
 *     logRecord({ event: 'retry', attempt: 2 }, Date.now(), limits);
 */
export function logRecord(source: unknown, timestamp: number, limits: ResolvedSpanLimits): SpanLog {
  if (source === null || typeof source !== 'object') return { timestamp, fields: {} };
  if (!limits.cutsValues) {
    // The common case: a small literal, copied by V8's fast object spread, then counted
    // (a for-in stays cheap when log calls pass objects of several shapes; Object.keys does not).
    try {
      const fields = { ...source } as Record<string, unknown>;
      let count = 0;
      for (const _key in fields) if (++count > limits.maxLogFields) break;
      if (count <= limits.maxLogFields) return { timestamp, fields };
    } catch {
      // A getter or trap threw: copy field by field, leaving out what cannot be read.
    }
  }
  return boundedLogRecord(source as Record<string, unknown>, timestamp, limits);
}

/** `logRecord` the careful way: field by field, within the limits, reading each in a `try`. */
function boundedLogRecord(entries: Record<string, unknown>, timestamp: number, limits: ResolvedSpanLimits): SpanLog {
  const fields: Record<string, unknown> = {};
  let kept = 0;
  let dropped = 0;
  try {
    for (const key in entries) {
      if (!Object.prototype.hasOwnProperty.call(entries, key)) continue;
      if (kept >= limits.maxLogFields) {
        dropped++;
        continue;
      }
      try {
        const value = entries[key];
        putField(fields, key, limits.cutsValues ? limitValue(value, limits.maxValueLength) : value);
        kept++;
      } catch {
        dropped++;
      }
    }
  } catch {
    // A Proxy whose ownKeys trap throws: keep what was read before it did.
    dropped++;
  }
  return dropped > 0 ? { timestamp, fields, droppedFields: dropped } : { timestamp, fields };
}
