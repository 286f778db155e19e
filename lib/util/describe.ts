/**
 * One-line descriptions of values sextant did not make, for messages. Neither trusts the
 * value: a `toString` or getter that throws, or a revoked Proxy, still gets described.
 */

/**
 * Any thrown value in one line: `TypeError: boom` for an Error, else its text.
 *
 *     describeError(new RangeError('too big')); // 'RangeError: too big'
 */
export function describeError(error: unknown): string {
  try {
    if (error instanceof Error) return `${error.name}: ${error.message}`;
    return String(error);
  } catch {
    try {
      return error instanceof Error ? 'Error' : 'unprintable error';
    } catch {
      return 'unprintable error';
    }
  }
}

/**
 * A wrong argument as an error message shows it: strings quoted, numbers, booleans and
 * RegExps as written, arrays as `an array`, anything else by its type. Never its contents,
 * which may be large or secret.
 *
 *     describeValue('oops'); // '"oops"'
 *     describeValue({});     // 'object'
 */
export function describeValue(value: unknown): string {
  try {
    if (value === null) return 'null';
    if (typeof value === 'string') return JSON.stringify(value.length > 200 ? `${value.slice(0, 199)}…` : value);
    if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
    if (Array.isArray(value)) return 'an array';
    if (value instanceof RegExp) return String(value);
    return typeof value;
  } catch {
    return typeof value;
  }
}
