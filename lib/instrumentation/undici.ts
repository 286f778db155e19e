import * as diagnostics from 'node:diagnostics_channel';
import type { Span } from '../span';
import type { Tracer } from '../tracer';
import type { FaultLogger } from '../util/fault-logger';
import { describeError } from '../util/describe';
import { type ClientSettings, type ClientTarget, failClientSpan, finishClientSpan, startClientSpan } from '../middleware/client-span';
import { captureHeaders, type HeaderCapture, rawHeaderLookup } from '../middleware/header-capture';
import { InFlight } from './in-flight';
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

const CLIENT_SPAN = Symbol('sextant.clientSpan');

/** The parts of undici's internal Request that are read here. */
interface UndiciRequest {
  origin: unknown;
  path: unknown;
  method: unknown;
  headers: unknown;
  addHeader(name: string, value: string): unknown;
  [CLIENT_SPAN]?: Span;
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
export function traceUndici(
  tracer: Tracer,
  faults: FaultLogger,
  settings: ClientSettings,
  capture: HeaderCapture,
  traceHeaders: ReadonlySet<string>,
): () => void {
  const inFlight = new InFlight(() => {
    diagnostics.unsubscribe(HEADERS, onHeaders);
    diagnostics.unsubscribe(ERROR, onError);
  });

  /** The request's span, once: taken off the request so that a later error (the body failing) does not end it again. */
  function takeSpan(request: UndiciRequest): Span | undefined {
    const span = request[CLIENT_SPAN];
    if (span === undefined) return undefined;
    request[CLIENT_SPAN] = undefined;
    inFlight.ended();
    return span;
  }

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
      request[CLIENT_SPAN] = span;
      inFlight.started();
    } catch (error) {
      faults.warnOnce('instrument-undici', `instrument() could not trace a fetch: ${describeError(error)}; sent untraced.`);
    }
  }

  function onHeaders(message: unknown): void {
    try {
      const { request, response } = message as UndiciMessage;
      if (response === undefined) return;
      const span = takeSpan(request);
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

  function onError(message: unknown): void {
    try {
      const { request, error } = message as UndiciMessage;
      const span = takeSpan(request);
      if (span !== undefined) failClientSpan(span, error);
    } catch (error) {
      faults.warnOnce('instrument-undici-finish', `instrument() could not finish a fetch span: ${describeError(error)}`);
    }
  }

  diagnostics.subscribe(CREATE, onCreate);
  diagnostics.subscribe(HEADERS, onHeaders);
  diagnostics.subscribe(ERROR, onError);
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    diagnostics.unsubscribe(CREATE, onCreate);
    inFlight.stop();
  };
}
