import { describeValue } from './describe';

/**
 * The TypeError every options validator throws for a value that cannot work, naming the
 * option, what it must be and what it got:
 *
 *     throw optionError('BatchOptions.maxQueueSize', 'a positive integer', -1);
 *     // TypeError: sextant: BatchOptions.maxQueueSize must be a positive integer, got -1
 *
 * `got` is shown by `describeValue`; pass `SECRET` instead of a value that must not
 * appear in a message (a header value, a URL with a password).
 */
export function optionError(option: string, expected: string, got: unknown): TypeError {
  const shown = got === SECRET ? 'a value not shown here (it may be a secret)' : describeValue(got);
  return new TypeError(`sextant: ${option} must be ${expected}, got ${shown}`);
}

/** Stands for a value `optionError` must not print. */
export const SECRET: unique symbol = Symbol('sextant.secret');

/**
 * Whether `value` is an object (or function) with every method named.
 *
 *     hasMethods(recorder, ['record', 'flush', 'close']);
 */
export function hasMethods(value: unknown, methods: readonly string[]): boolean {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  const record = value as Record<string, unknown>;
  return methods.every((m) => typeof record[m] === 'function');
}
