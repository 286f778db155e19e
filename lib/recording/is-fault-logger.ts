import type { FaultLogger } from '../util/fault-logger';

/**
 * Whether `value` can report faults like a FaultLogger. Duck-typed, so that a logger
 * from a second copy of sextant in the same process (or a test double) is accepted.
 *
 *     if (isFaultLogger(process.logger)) faults = process.logger;
 */
export function isFaultLogger(value: unknown): value is FaultLogger {
  return value !== null && typeof value === 'object' && typeof (value as FaultLogger).warnOnce === 'function';
}
