import type { Span } from '../span';
import type { Tracer } from '../tracer';
import { describeError } from '../util/describe';
import { type ClientOperationName, type ClientSettings, failClientSpan, finishClientSpan, startClientSpan } from './client-span';
import { checkOptionalFunction, checkOptionsObject, checkTracer } from './option-checks';
import { compileQueryRedaction } from './url-redaction';

/** A function called like the global `fetch`. */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** `tracedFetch` options. */
export interface TracedFetchOptions {
  /** the fetch to wrap; default the global `fetch`, looked up at each call */
  fetch?: FetchFunction;
  /**
   * Names the client spans; default `METHOD host[:port]`. Avoid putting ids in names.
   *
   *     operationName: (method, url) => `${method} users-service`
   */
  operationName?: ClientOperationName;
  /**
   * Query parameters whose values `http.url` shows as `REDACTED` (case-insensitive);
   * default `DEFAULT_REDACTED_QUERY_PARAMETERS`, which this list replaces.
   *
   *     redactQueryParameters: [...DEFAULT_REDACTED_QUERY_PARAMETERS, 'session_id']
   */
  redactQueryParameters?: readonly string[];
}

interface RequestLike {
  url: string;
  method: string;
  headers: unknown;
}

/** A `Request` from the global fetch or from another fetch implementation (undici, node-fetch). */
function isRequestLike(input: unknown): input is RequestLike {
  if (input === null || typeof input !== 'object' || input instanceof URL) return false;
  const candidate = input as Partial<RequestLike>;
  return typeof candidate.url === 'string' && typeof candidate.method === 'string' && typeof candidate.headers === 'object';
}

/** Every RequestInit member fetch reads (undici's `dispatcher` included). */
const REQUEST_INIT_KEYS = [
  'body',
  'cache',
  'credentials',
  'dispatcher',
  'duplex',
  'integrity',
  'keepalive',
  'method',
  'mode',
  'priority',
  'redirect',
  'referrer',
  'referrerPolicy',
  'signal',
  'window',
] as const;

/**
 * A new init with our headers. A plain object is copied whole; anything else (fetch
 * reads init members through getters, so a Request works as an init) member by member.
 */
function copyInit(init: RequestInit | undefined, headers: Headers): RequestInit {
  if (init === undefined || init === null) return { headers };
  const proto: unknown = Object.getPrototypeOf(init);
  if (proto === Object.prototype || proto === null) return { ...init, headers };
  const copy: Record<string, unknown> = {};
  const source = init as Record<string, unknown>;
  for (const key of REQUEST_INIT_KEYS) if (source[key] !== undefined) copy[key] = source[key];
  copy.headers = headers;
  return copy as RequestInit;
}

/**
 * Returns a `fetch` that traces each call: a `span.kind=client` span, child of the
 * active span, whose context is injected into the outgoing headers. Tags
 * `http.method`, `http.url`, `peer.hostname`, `peer.port`, `http.status_code`;
 * `error: true` on a 5xx or a failed call. The span finishes when the response
 * headers arrive (reading the body is not part of it) or the call fails. Takes the
 * same `(input, init)` as fetch and never modifies the caller's `init` or headers.
 *
 *     const fetch = tracedFetch(tracer);
 *     const res = await fetch('http://users.internal/users/42', { headers: { accept: 'application/json' } });
 *
 * Throws a TypeError naming the option when an option cannot work.
 */
export function tracedFetch(tracer: Tracer, options?: TracedFetchOptions): FetchFunction {
  const owner = 'tracedFetch';
  const faults = checkTracer(owner, tracer);
  const o = checkOptionsObject(owner, options, ['fetch', 'operationName', 'redactQueryParameters']);
  checkOptionalFunction(owner, 'fetch', o.fetch);
  checkOptionalFunction(owner, 'operationName', o.operationName);
  const wrapped = (o.fetch as FetchFunction | undefined) ?? null;
  const settings: ClientSettings = {
    component: 'fetch',
    operationName: (o.operationName as ClientOperationName | undefined) ?? null,
    redaction: compileQueryRedaction(owner, o.redactQueryParameters),
  };

  return function sextantTracedFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const fetchImpl = wrapped ?? globalThis.fetch;
    let span: Span;
    let tracedInit: RequestInit;
    try {
      const request = isRequestLike(input) ? input : null;
      const url = new URL(request !== null ? request.url : String(input));
      const method = String(init?.method ?? request?.method ?? 'GET').toUpperCase();
      // fetch semantics: init.headers, when given, replace the Request's headers.
      const headers = new Headers((init?.headers ?? request?.headers ?? undefined) as ConstructorParameters<typeof Headers>[0]);
      const started = startClientSpan(tracer, faults, settings, method, url);
      span = started.span;
      for (const name of Object.keys(started.headers)) headers.set(name, started.headers[name]);
      tracedInit = copyInit(init, headers);
    } catch (error) {
      // A URL or headers fetch itself will refuse: let fetch report it, untraced.
      faults.warnOnce('fetch-untraced', `tracedFetch could not trace a call (${describeError(error)}); sent untraced.`);
      return fetchImpl(input, init);
    }
    let pending: Promise<Response>;
    try {
      pending = fetchImpl(input, tracedInit);
    } catch (error) {
      failClientSpan(span, error);
      throw error;
    }
    return Promise.resolve(pending).then(
      (response) => {
        finishClientSpan(span, response.status);
        return response;
      },
      (error: unknown) => {
        failClientSpan(span, error);
        throw error;
      },
    );
  };
}
