import { performance } from 'node:perf_hooks';

/**
 * Epoch milliseconds with sub-millisecond precision, read from the monotonic clock.
 *
 * The wall clock is read once, at load, and every later reading adds the monotonic
 * time elapsed since: durations can never be negative, even if NTP or a user moves
 * the wall clock while a span is open.
 */
const anchorEpochMillis = performance.timeOrigin;

export function nowMillis(): number {
  return anchorEpochMillis + performance.now();
}
