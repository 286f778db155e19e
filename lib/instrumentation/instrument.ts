import type { Tracer } from '../tracer';
import { describeError } from '../util/describe';
import { checkTracer } from '../middleware/option-checks';
import { claim, release } from './claims';
import { traceHttpClients } from './http-client';
import { traceHttpServers } from './http-server';
import { clientSettingsFor, compileInstrumentOptions, type InstrumentationName, type InstrumentOptions } from './instrument-options';
import { traceHeaderNames } from './trace-headers';
import { traceUndici } from './undici';

/** What `instrument()` returns. */
export interface Instrumentation {
  /**
   * Unsubscribes everything `instrument()` subscribed. Requests under way still end
   * their spans; nothing new is traced. A second call does nothing.
   */
  disable(): void;
}

/**
 * Traces HTTP with no change to the application's code and without patching any
 * module, through Node's `diagnostics_channel`:
 * - `http`: every request to a `node:http`/`node:https` server (Express, Koa, Fastify,
 *   NestJS, plain handlers) gets a `span.kind=server` span continuing the caller's
 *   trace, tagged and named as `traceHttpHandler` does (an Express `req.route`, when
 *   there is one at the end, names it), active for the request listener, across its
 *   awaits and in listeners on `req`/`res`; outbound `node:http`/`node:https` requests
 *   (Node >= 22.12) get a `span.kind=client` span with its context in their headers;
 * - `undici`: outbound `fetch` (and the undici package) the same way.
 * `tracingMiddleware`, `traceHttpHandler` and the framework helpers adopt the server
 * span (one span per request, named and tagged by their options); `tracedFetch` and
 * `tracedRequest` calls, and requests that already carry a trace context, are not
 * traced twice; sextant's own export requests are never traced.
 *
 * One `instrument()` per instrumentation in the process: a later call finds it taken
 * (by `sextant/register`, or an earlier call), says so once, and leaves it alone.
 *
 *     const tracing = instrument(tracer, { ignorePaths: ['/healthz'] });
 *     // ... later, e.g. in a test's teardown
 *     tracing.disable();
 *
 * Throws a TypeError naming the option when an option cannot work.
 */
export function instrument(tracer: Tracer, options?: InstrumentOptions): Instrumentation {
  const owner = 'instrument()';
  const faults = checkTracer(owner, tracer);
  const settings = compileInstrumentOptions(owner, options);
  const token = {};
  const stops: (() => void)[] = [];
  let traceHeaders: ReadonlySet<string> | null = null;
  const headerNames = (): ReadonlySet<string> => (traceHeaders ??= traceHeaderNames(tracer));

  const starters: Record<InstrumentationName, () => () => void> = {
    http: () => {
      const stopServers = traceHttpServers(tracer, faults, settings.server);
      const stopClients = traceHttpClients({
        tracer,
        faults,
        settings: clientSettingsFor(settings, 'node:http'),
        capture: settings.headers,
        traceHeaders: headerNames(),
      });
      return () => {
        stopServers();
        stopClients();
      };
    },
    undici: () =>
      traceUndici({
        tracer,
        faults,
        settings: clientSettingsFor(settings, 'fetch'),
        capture: settings.headers,
        traceHeaders: headerNames(),
      }),
  };

  for (const name of settings.names) {
    if (!claim(name, token)) {
      faults.warnOnce(
        `instrument-${name}-taken`,
        `instrument(): '${name}' is already traced in this process (by sextant/register or an earlier instrument() call); ` +
          'this call leaves it to that one (disable() the first to hand it over).',
      );
      continue;
    }
    try {
      stops.push(starters[name]());
    } catch (error) {
      release(name, token);
      faults.warnOnce(`instrument-${name}-start`, `instrument() could not turn on '${name}': ${describeError(error)}`);
      continue;
    }
    stops.push(() => release(name, token));
  }

  let disabled = false;
  return {
    disable(): void {
      if (disabled) return;
      disabled = true;
      for (const stop of stops) {
        try {
          stop();
        } catch (error) {
          faults.warnOnce('instrument-disable', `instrument().disable() failed in part: ${describeError(error)}`);
        }
      }
    },
  };
}
