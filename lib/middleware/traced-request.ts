import * as http from 'node:http';
import * as https from 'node:https';
import type { Span } from '../span';
import type { Tracer } from '../tracer';
import { describeError } from '../util/describe';
import {
  abortClientSpan,
  type ClientOperationName,
  type ClientSettings,
  failClientSpan,
  finishClientSpan,
  startClientSpan,
} from './client-span';
import { checkOptionalFunction, checkOptionsObject, checkTracer } from './option-checks';
import { compileQueryRedaction } from './url-redaction';

type ResponseCallback = (res: http.IncomingMessage) => void;

/** Called like `http.request` / `https.request`; picks the module from the URL's protocol. */
export interface RequestFunction {
  (url: string | URL, callback?: ResponseCallback): http.ClientRequest;
  (url: string | URL, options: https.RequestOptions, callback?: ResponseCallback): http.ClientRequest;
  (options: https.RequestOptions, callback?: ResponseCallback): http.ClientRequest;
}

/** `tracedRequest` options. */
export interface TracedRequestOptions {
  /**
   * Names the client spans; default `METHOD host[:port]`. Avoid putting ids in names.
   *
   *     operationName: (method, url) => `${method} payments`
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

interface Call {
  url: URL | null;
  options: https.RequestOptions;
  callback: ResponseCallback | undefined;
}

function parseArguments(args: unknown[]): Call {
  const [first, second, third] = args;
  if (typeof first === 'string' || first instanceof URL) {
    const url = new URL(String(first));
    if (typeof second === 'function') return { url, options: {}, callback: second as ResponseCallback };
    return { url, options: (second ?? {}) as https.RequestOptions, callback: third as ResponseCallback | undefined };
  }
  return { url: null, options: (first ?? {}) as https.RequestOptions, callback: second as ResponseCallback | undefined };
}

/** The URL the request goes to, as Node will resolve it (options override the URL's parts). */
function targetOf(call: Call): URL {
  const { url, options } = call;
  const protocol = options.protocol ?? url?.protocol ?? 'http:';
  let hostname = options.hostname ?? undefined;
  if (hostname === undefined && typeof options.host === 'string') hostname = options.host;
  if (hostname === undefined) hostname = url !== null ? url.hostname : 'localhost';
  if (hostname.includes(':') && !hostname.startsWith('[')) hostname = `[${hostname}]`;
  const port = options.port ?? (url !== null && url.port !== '' ? url.port : options.defaultPort);
  const path = options.path ?? (url !== null ? `${url.pathname}${url.search}` : '/');
  return new URL(`${protocol}//${hostname}${port === undefined || port === null ? '' : `:${port}`}${path}`);
}

/** A copy of the caller's headers with the trace context headers set (replacing any of the same name). */
function withTraceHeaders(original: unknown, injected: Record<string, string>): http.OutgoingHttpHeaders | string[] {
  const names = new Set(Object.keys(injected).map((n) => n.toLowerCase()));
  if (Array.isArray(original)) {
    // Node's raw form: [name, value, name, value, ...]
    const out: string[] = [];
    for (let i = 0; i + 1 < original.length; i += 2) {
      if (!names.has(String(original[i]).toLowerCase())) out.push(original[i], original[i + 1]);
    }
    for (const name of Object.keys(injected)) out.push(name, injected[name]);
    return out;
  }
  const out: http.OutgoingHttpHeaders = {};
  if (original !== null && typeof original === 'object') {
    const record = original as http.OutgoingHttpHeaders;
    for (const name of Object.keys(record)) if (!names.has(name.toLowerCase())) out[name] = record[name];
  }
  return Object.assign(out, injected);
}

/**
 * Returns a function called like `http.request` (and `https.request`: the URL's or
 * options' protocol picks the module) that traces each request: a `span.kind=client`
 * span, child of the active span, whose context goes into the outgoing headers. Tags
 * `http.method`, `http.url`, `peer.hostname`, `peer.port`, `http.status_code`;
 * `error: true` on a 5xx or a request error. The span finishes when the response
 * headers arrive or the request fails. The caller's options and headers are not
 * modified, and Node's behaviour is kept: an unanswered `'error'` still throws, and a
 * response nobody listens for is still drained.
 *
 *     const request = tracedRequest(tracer);
 *     request('http://users.internal/users/42', (res) => res.pipe(process.stdout)).end();
 *
 * Throws a TypeError naming the option when an option cannot work.
 */
export function tracedRequest(tracer: Tracer, options?: TracedRequestOptions): RequestFunction {
  const owner = 'tracedRequest';
  const faults = checkTracer(owner, tracer);
  const o = checkOptionsObject(owner, options, ['operationName', 'redactQueryParameters']);
  checkOptionalFunction(owner, 'operationName', o.operationName);
  const settings: ClientSettings = {
    component: 'node:http',
    operationName: (o.operationName as ClientOperationName | undefined) ?? null,
    redaction: compileQueryRedaction(owner, o.redactQueryParameters),
  };

  return function sextantTracedRequest(...args: unknown[]): http.ClientRequest {
    let call: Call;
    let target: URL;
    let span: Span;
    let headers: http.OutgoingHttpHeaders | string[];
    try {
      call = parseArguments(args);
      target = targetOf(call);
      const method = String(call.options.method ?? 'GET').toUpperCase();
      const started = startClientSpan(tracer, faults, settings, method, target);
      span = started.span;
      headers = withTraceHeaders(call.options.headers, started.headers);
    } catch (error) {
      // Arguments Node itself will refuse: let it say so, untraced.
      faults.warnOnce('request-untraced', `tracedRequest could not trace a request (${describeError(error)}); sent untraced.`);
      return (http.request as (...a: unknown[]) => http.ClientRequest)(...args);
    }
    const requestFn = target.protocol === 'https:' ? https.request : http.request;
    const tracedOptions = { ...call.options, headers } as https.RequestOptions;
    let req: http.ClientRequest;
    try {
      req = call.url !== null ? requestFn(call.url, tracedOptions, call.callback) : requestFn(tracedOptions, call.callback);
    } catch (error) {
      failClientSpan(span, error);
      throw error;
    }
    observe(req, span);
    return req;
  };
}

function observe(req: http.ClientRequest, span: Span): void {
  const onResponse = (res: http.IncomingMessage): void => {
    finishClientSpan(span, res.statusCode ?? 0);
    // Node drains a response when no one listens for it; our listener must not change that.
    if (req.listenerCount('response') === 1) res.resume();
  };
  const onError = (error: unknown): void => {
    failClientSpan(span, error);
    // Without listeners an 'error' event throws; with only ours it must still do so.
    if (req.listenerCount('error') === 1) throw error;
  };
  const onClose = (): void => abortClientSpan(span);
  req.on('response', onResponse);
  req.on('error', onError);
  req.once('close', onClose);
}
