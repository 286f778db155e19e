import { createContext, Script } from 'node:vm';

// One context for every call: making a vm context costs about a millisecond.
const context = createContext({ run: undefined as unknown });
const script = new Script('run()');

/**
 * Runs `fn` and returns what it returns, or throws if it runs longer than `millis`:
 * a synchronous endless loop cannot be stopped by a test timeout, but V8 can end a vm
 * script (and whatever it calls) from its watchdog. For "does not hang" assertions only;
 * the bound is generous, never a speed claim. Not reentrant.
 *
 *     expect(() => runBounded(() => span.setTag('a', sparse))).not.toThrow();
 */
export function runBounded<T>(fn: () => T, millis = 10_000): T {
  context.run = fn;
  try {
    return script.runInContext(context, { timeout: millis }) as T;
  } finally {
    context.run = undefined;
  }
}
