import type { Tracer } from '../tracer';

/**
 * Kept on `globalThis` under a registered symbol: the application may load sextant
 * from another path than the one `--require sextant/register` resolved (a second
 * install under node_modules), and must still find the tracer register set up.
 */
const REGISTERED = Symbol.for('sextant.registeredTracer');

interface WithTracer {
  [REGISTERED]?: Tracer;
}

/**
 * The tracer `node --require sextant/register` (or `--import`) set up, or null when the
 * process was not started that way. Use it to start spans of your own in the trace
 * zero-code tracing makes, or to flush before a planned exit.
 *
 *     const tracer = registeredTracer();
 *     await tracer?.startActiveSpan('rebuild-index', async () => rebuild());
 */
export function registeredTracer(): Tracer | null {
  return (globalThis as WithTracer)[REGISTERED] ?? null;
}

/** @internal Records the tracer register set up; false if one was already there. */
export function setRegisteredTracer(tracer: Tracer): boolean {
  const scope = globalThis as WithTracer;
  if (scope[REGISTERED] !== undefined) return false;
  scope[REGISTERED] = tracer;
  return true;
}
