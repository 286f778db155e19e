import { runInNewContext } from 'node:vm';

/**
 * Runs `fn` and returns what it returns, or throws if it runs longer than `millis`:
 * a synchronous endless loop cannot be stopped by a test timeout, but V8 can end a vm
 * script (and whatever it calls) from its watchdog. For "does not hang" assertions only;
 * the bound is generous, never a speed claim.
 *
 *     expect(() => runBounded(() => span.setTag('a', sparse))).not.toThrow();
 */
export function runBounded<T>(fn: () => T, millis = 10_000): T {
  return runInNewContext('run()', { run: fn }, { timeout: millis }) as T;
}
