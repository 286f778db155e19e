import * as opentracing from 'opentracing';
import type { Span } from '../span';
import type { Tracer } from '../tracer';
import { recordError } from '../record-error';
import type { FaultLogger } from '../util/fault-logger';
import { describeError } from '../util/describe';
import { addPeerAddressTags, addPeerPortTag } from './peer-tags';

/** Names a client span; default `METHOD host[:port]`, e.g. `GET users.internal:8080`. */
export type ClientOperationName = (method: string, url: URL) => string;

/** What tracedFetch and tracedRequest share. */
export interface ClientSettings {
  readonly component: string;
  readonly operationName: ClientOperationName | null;
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/** The URL for the `http.url` tag: user name and password never go into a trace. */
function urlForTag(url: URL): string {
  if (url.username === '' && url.password === '') return url.href;
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}

function operationNameFor(faults: FaultLogger, settings: ClientSettings, method: string, url: URL): string {
  if (settings.operationName !== null) {
    try {
      const chosen = settings.operationName(method, url);
      if (typeof chosen === 'string' && chosen !== '') return chosen;
    } catch (error) {
      faults.warnOnce(`${settings.component}-operationName`, `options.operationName threw (${describeError(error)}); default name used.`);
    }
  }
  return `${method} ${url.host}`;
}

/**
 * Starts a `span.kind=client` span, child of the active span, for a call to `url`,
 * and returns the headers that carry its context downstream.
 */
export function startClientSpan(
  tracer: Tracer,
  faults: FaultLogger,
  settings: ClientSettings,
  method: string,
  url: URL,
): { span: Span; headers: Record<string, string> } {
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const tags: Record<string, unknown> = {
    [opentracing.Tags.SPAN_KIND]: opentracing.Tags.SPAN_KIND_RPC_CLIENT,
    [opentracing.Tags.COMPONENT]: settings.component,
    [opentracing.Tags.HTTP_METHOD]: method,
    [opentracing.Tags.HTTP_URL]: urlForTag(url),
    [opentracing.Tags.PEER_HOSTNAME]: hostname,
  };
  addPeerAddressTags(tags, hostname);
  addPeerPortTag(tags, url.port !== '' ? url.port : DEFAULT_PORTS[url.protocol]);
  const span = tracer.startSpan(operationNameFor(faults, settings, method, url), { tags });
  const headers: Record<string, string> = {};
  tracer.inject(span.context(), opentracing.FORMAT_HTTP_HEADERS, headers);
  return { span, headers };
}

/** Finishes a client span with the response's status; 5xx is an error. */
export function finishClientSpan(span: Span, statusCode: number): void {
  if (span.isFinished()) return;
  span.setTag(opentracing.Tags.HTTP_STATUS_CODE, statusCode);
  if (statusCode >= 500) span.setTag(opentracing.Tags.ERROR, true);
  span.finish();
}

/** Finishes a client span for a call that failed before any response. */
export function failClientSpan(span: Span, error: unknown): void {
  if (span.isFinished()) return;
  recordError(span, error);
  span.finish();
}
