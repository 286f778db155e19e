import { performance } from 'node:perf_hooks';

/**
 * OpenTelemetry's `TimeInput` as sextant's time, ms since the Unix epoch; undefined for
 * anything else (the caller then uses "now"). As in OpenTelemetry's SDK: an `HrTime` is
 * `[seconds, nanoseconds]` since the epoch, a `Date` is its instant, and a number is epoch
 * milliseconds, or `performance.now()` milliseconds when it is smaller than the process's
 * time origin.
 *
 *     timeInputToMillis([1700000000, 500000000]); // 1700000000500
 *     timeInputToMillis(performance.now());        // now, as epoch ms
 */
export function timeInputToMillis(time: unknown): number | undefined {
  if (time === undefined) return undefined;
  try {
    return millisOf(time);
  } catch {
    // A Proxy whose traps throw is no time.
    return undefined;
  }
}

function millisOf(time: unknown): number | undefined {
  if (typeof time === 'number') {
    if (!Number.isFinite(time) || time < 0) return undefined;
    return time < performance.timeOrigin ? performance.timeOrigin + time : time;
  }
  if (Array.isArray(time)) {
    if (time.length !== 2) return undefined;
    const [seconds, nanos] = time as unknown[];
    if (typeof seconds !== 'number' || typeof nanos !== 'number') return undefined;
    const millis = seconds * 1e3 + nanos / 1e6;
    return Number.isFinite(millis) && millis >= 0 ? millis : undefined;
  }
  if (time instanceof Date) {
    const millis = time.getTime();
    return Number.isFinite(millis) ? millis : undefined;
  }
  return undefined;
}

/** Whether an `addEvent` argument is a time rather than attributes. */
export function isTimeInput(value: unknown): boolean {
  try {
    return typeof value === 'number' || Array.isArray(value) || value instanceof Date;
  } catch {
    return false;
  }
}
