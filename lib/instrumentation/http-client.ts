import type { ClientRequest, IncomingMessage } from 'node:http';
import { describeError } from '../util/describe';
import { isUntraced } from '../util/untraced';
import { abortClientSpan, type ClientTarget, finishClientSpan, startClientSpan } from '../middleware/client-span';
import { captureHeaders } from '../middleware/header-capture';
import { InFlight, InFlightSpans, subscribeUntilDrained, unsubscribeAll } from './in-flight';
import type { ClientInstrumentation } from './in-flight';

/*
 * Outbound node:http/https. Node publishes `http.client.request.created` while the
 * request is being built, before its head is written, only from 22.12 (and 23.2);
 * earlier Nodes publish nothing before the head is on the wire (`http.client.request.start`
 * comes after), so a span there could not reach the downstream service, whose spans
 * would start a trace of their own. Those Nodes get no outbound node:http spans at all.
 * `http.client.response.finish` is published when the response head arrives, right
 * before the 'response' event: the span ends there, as tracedRequest's does.
 */
const CREATED = 'http.client.request.created';
const RESPONSE = 'http.client.response.finish';
const ERROR = 'http.client.request.error';

interface ClientMessage {
  request: ClientRequest;
  response?: IncomingMessage;
  error?: unknown;
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };

/** Where the request goes, from what ClientRequest keeps: protocol, host, path, and the Host header it set. */
function targetOf(request: ClientRequest): ClientTarget {
  const protocol = typeof request.protocol === 'string' ? request.protocol : 'http:';
  let hostname = typeof request.host === 'string' ? request.host : 'localhost';
  if (hostname.includes(':') && !hostname.startsWith('[')) hostname = `[${hostname}]`;
  // The Host header has the port when it is not the protocol's default (absent with setHost: false).
  const hostHeader = request.getHeader('host');
  let port = '';
  if (typeof hostHeader === 'string') {
    const colon = hostHeader.lastIndexOf(':');
    if (colon > hostHeader.lastIndexOf(']')) port = hostHeader.slice(colon + 1);
  }
  if (port === DEFAULT_PORTS[protocol]) port = '';
  const host = port === '' ? hostname : `${hostname}:${port}`;
  const path = typeof request.path === 'string' ? request.path : '/';
  return { href: `${protocol}//${host}${path}`, protocol, host, hostname, port };
}

/**
 * Traces outbound node:http/https requests where Node publishes `http.client.request.created`:
 * a client span, child of the active span, its context set on the request's headers.
 * Requests sextant's exporters make, requests whose head is already fixed (headers given
 * as an array, `Expect`), and requests that already carry a trace context are left alone.
 * Returns the function that stops it.
 */
export function traceHttpClients({ tracer, faults, settings, capture, traceHeaders }: ClientInstrumentation): () => void {
  // The ending channels go once disable() was called and nothing is in flight.
  const spans = new InFlightSpans(new InFlight(() => unsubscribeAll(ends)));
  const onError = spans.failOnError(faults, 'instrument-http-client-finish', 'a client span');

  // Shared by every request (no closure each): destroyed or aborted with neither response nor error.
  function onClose(this: ClientRequest): void {
    const span = spans.take(this);
    if (span !== undefined) abortClientSpan(span);
  }

  function onCreated(message: unknown): void {
    try {
      const request = (message as ClientMessage).request;
      if (isUntraced() || request.headersSent) return;
      for (const name of traceHeaders) if (request.getHeader(name) !== undefined) return;
      let extra: Record<string, unknown> | undefined;
      if (capture.request !== null) captureHeaders((extra = {}), capture.request, (name) => request.getHeader(name));
      const method = typeof request.method === 'string' ? request.method : 'GET';
      const { span, headers } = startClientSpan(tracer, faults, settings, method, targetOf(request), extra);
      for (const name in headers) request.setHeader(name, headers[name]);
      spans.put(request, span);
      request.on('close', onClose);
    } catch (error) {
      faults.warnOnce(
        'instrument-http-client',
        `instrument() could not trace an outgoing request: ${describeError(error)}; sent untraced.`,
      );
    }
  }

  function onResponse(message: unknown): void {
    try {
      const { request, response } = message as ClientMessage;
      const span = spans.take(request);
      if (span === undefined || response === undefined) return;
      if (capture.response !== null) {
        const tags: Record<string, unknown> = {};
        captureHeaders(tags, capture.response, (name) => response.headers[name]);
        span.addTags(tags);
      }
      finishClientSpan(span, response.statusCode ?? 0);
    } catch (error) {
      faults.warnOnce('instrument-http-client-finish', `instrument() could not finish a client span: ${describeError(error)}`);
    }
  }

  const ends = [
    [RESPONSE, onResponse],
    [ERROR, onError],
  ] as const;
  return subscribeUntilDrained(spans.inFlight, [CREATED, onCreated], ends);
}
