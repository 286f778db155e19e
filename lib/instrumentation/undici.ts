import { describeError } from '../util/describe';
import { type ClientTarget, finishClientSpan, startClientSpan } from '../middleware/client-span';
import { captureHeaders, rawHeaderLookup } from '../middleware/header-capture';
import { InFlight, InFlightSpans, subscribeUntilDrained, unsubscribeAll } from './in-flight';
import type { ClientInstrumentation } from './in-flight';
import { rawListHasHeader } from './trace-headers';

/*
 * Node's fetch is undici, bundled; undici publishes each request it dispatches on
 * diagnostics_channel (every Node sextant supports, and the undici npm package too):
 * `create` before the request is written (headers can still be added), then `headers`
 * when the response head arrives, or `error`. The span ends at the response head, as
 * tracedFetch's does; a redirect or a retry is a request of its own, with a span of its own.
 */
const CREATE = 'undici:request:create';
const HEADERS = 'undici:request:headers';
const ERROR = 'undici:request:error';

/** The parts of undici's internal Request that are read here. */
interface UndiciRequest {
  origin: unknown;
  path: unknown;
  method: unknown;
  headers: unknown;
  addHeader(name: string, value: string): unknown;
}

interface UndiciMessage {
  request: UndiciRequest;
  response?: { statusCode: number; headers?: unknown };
  error?: unknown;
}

/** `http://host:port` + `/path?query`, split the way a URL would be, without parsing one. */
function targetOf(origin: string, path: string): ClientTarget | null {
  const scheme = origin.indexOf('://');
  if (scheme === -1) return null;
  const protocol = origin.slice(0, scheme + 1);
  let host = origin.slice(scheme + 3);
  if (host.endsWith('/')) host = host.slice(0, -1);
  if (host === '' || host.includes('/') || host.includes('@')) return null;
  const bracket = host.lastIndexOf(']');
  const colon = host.lastIndexOf(':');
  const hasPort = colon > bracket;
  return {
    href: `${protocol}//${host}${path.startsWith('/') ? path : `/${path}`}`,
    protocol,
    host,
    hostname: hasPort ? host.slice(0, colon) : host,
    port: hasPort ? host.slice(colon + 1) : '',
  };
}

/**
 * Traces outbound undici requests (fetch): a client span, child of the active span,
 * its context added to the request's headers. Returns the function that stops it.
 */
export function traceUndici({ tracer, faults, settings, capture, traceHeaders }: ClientInstrumentation): () => void {
  // The ending channels go once disable() was called and nothing is in flight.
  const spans = new InFlightSpans(new InFlight(() => unsubscribeAll(ends)));
  const onError = spans.failOnError(faults, 'instrument-undici-finish', 'a fetch span');

  function onCreate(message: unknown): void {
    try {
      const request = (message as UndiciMessage).request;
      if (typeof request.addHeader !== 'function' || rawListHasHeader(request.headers, traceHeaders)) return;
      const origin = typeof request.origin === 'string' ? request.origin : String(request.origin);
      const target = targetOf(origin, typeof request.path === 'string' ? request.path : '/') ?? new URL(String(request.path), origin);
      let extra: Record<string, unknown> | undefined;
      if (capture.request !== null) captureHeaders((extra = {}), capture.request, rawHeaderLookup(request.headers));
      const method = typeof request.method === 'string' ? request.method : 'GET';
      const { span, headers } = startClientSpan(tracer, faults, settings, method, target, extra);
      for (const name in headers) request.addHeader(name, headers[name]);
      spans.put(request, span);
    } catch (error) {
      faults.warnOnce('instrument-undici', `instrument() could not trace a fetch: ${describeError(error)}; sent untraced.`);
    }
  }

  function onHeaders(message: unknown): void {
    try {
      const { request, response } = message as UndiciMessage;
      if (response === undefined) return;
      const span = spans.take(request);
      if (span === undefined) return;
      if (capture.response !== null) {
        const tags: Record<string, unknown> = {};
        captureHeaders(tags, capture.response, rawHeaderLookup(response.headers));
        span.addTags(tags);
      }
      finishClientSpan(span, response.statusCode);
    } catch (error) {
      faults.warnOnce('instrument-undici-finish', `instrument() could not finish a fetch span: ${describeError(error)}`);
    }
  }

  const ends = [
    [HEADERS, onHeaders],
    [ERROR, onError],
  ] as const;
  return subscribeUntilDrained(spans.inFlight, [CREATE, onCreate], ends);
}
