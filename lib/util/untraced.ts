/**
 * sextant's own outbound requests (the exporters') must never be traced by zero-code
 * tracing: a span per export would be exported by the next export, forever. The
 * transport creates its requests inside `runUntraced`; `http.client.request.created`
 * is published synchronously inside `http.request()`, so a depth counter is enough —
 * no async context to carry, nothing for the application's requests to pay.
 *
 * The counter lives on `globalThis` under a registered symbol, so that a second copy
 * of sextant in the process (its exporter) is still recognised by the first (its
 * `sextant/register`).
 */
const DEPTH = Symbol.for('sextant.untracedDepth');

interface WithDepth {
  [DEPTH]?: number;
}

const scope = globalThis as WithDepth;

/**
 * Runs `fn`; requests it creates synchronously are not traced.
 *
 *     const request = runUntraced(() => http.request(url, options));
 */
export function runUntraced<T>(fn: () => T): T {
  scope[DEPTH] = (scope[DEPTH] ?? 0) + 1;
  try {
    return fn();
  } finally {
    scope[DEPTH] = (scope[DEPTH] ?? 1) - 1;
  }
}

/** Whether the current synchronous code runs inside `runUntraced`. */
export function isUntraced(): boolean {
  return (scope[DEPTH] ?? 0) > 0;
}
