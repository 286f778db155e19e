import * as opentracing from 'opentracing';
import type { Span } from '../span';
import type { Tracer } from '../tracer';
import { recordError } from '../record-error';
import type { FaultLogger } from '../util/fault-logger';
import { describeError } from '../util/describe';
import { addPeerAddressTags, addPeerPortTag } from './peer-tags';
import { type QueryRedaction, redactUrl } from './url-redaction';

/** Names a client span; default `METHOD host[:port]`, e.g. `GET users.internal:8080`. */
export type ClientOperationName = (method: string, url: URL) => string;

/** What tracedFetch, tracedRequest and instrument()'s outbound tracing share. */
export interface ClientSettings {
  readonly component: string;
  readonly operationName: ClientOperationName | null;
  readonly redaction: QueryRedaction;
}

/**
 * Where a call goes: a `URL`, or the same fields taken from a request that is already
 * split into origin and path (instrumentation then needs no URL parse per call).
 */
export interface ClientTarget {
  readonly href: string;
  readonly protocol: string;
  /** host[:port] */
  readonly host: string;
  /** IPv6 literals in brackets, as URL gives them */
  readonly hostname: string;
  /** '' for the protocol's default */
  readonly port: string;
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

function operationNameFor(faults: FaultLogger, settings: ClientSettings, method: string, target: ClientTarget): string {
  if (settings.operationName !== null) {
    try {
      const chosen = settings.operationName(method, target instanceof URL ? target : new URL(target.href));
      if (typeof chosen === 'string' && chosen !== '') return chosen;
    } catch (error) {
      faults.warnOnce(`${settings.component}-operationName`, `options.operationName threw (${describeError(error)}); default name used.`);
    }
  }
  return `${method} ${target.host}`;
}

/**
 * Starts a `span.kind=client` span, child of the active span, for a call to `target`,
 * and returns the headers that carry its context downstream. `extraTags` (captured
 * headers) are added to the defaults.
 */
export function startClientSpan(
  tracer: Tracer,
  faults: FaultLogger,
  settings: ClientSettings,
  method: string,
  target: ClientTarget,
  extraTags?: Record<string, unknown>,
): { span: Span; headers: Record<string, string> } {
  const hostname = target.hostname.startsWith('[') ? target.hostname.slice(1, -1) : target.hostname;
  const tags: Record<string, unknown> = {
    [opentracing.Tags.SPAN_KIND]: opentracing.Tags.SPAN_KIND_RPC_CLIENT,
    [opentracing.Tags.COMPONENT]: settings.component,
    [opentracing.Tags.HTTP_METHOD]: method,
    // User name and password never go into a trace, nor credential-like query values.
    [opentracing.Tags.HTTP_URL]: redactUrl(target.href, settings.redaction),
    [opentracing.Tags.PEER_HOSTNAME]: hostname,
  };
  addPeerAddressTags(tags, hostname);
  addPeerPortTag(tags, target.port !== '' ? target.port : DEFAULT_PORTS[target.protocol]);
  if (extraTags !== undefined) Object.assign(tags, extraTags);
  const span = tracer.startSpan(operationNameFor(faults, settings, method, target), { tags });
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

/** Finishes a client span for a call that ended with neither a response nor an error (destroyed, aborted). */
export function abortClientSpan(span: Span): void {
  if (span.isFinished()) return;
  span.setTag('http.aborted', true);
  span.setTag(opentracing.Tags.ERROR, true);
  span.finish();
}
