import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Span } from '../span';
import type { Tracer } from '../tracer';
import { recordError } from '../record-error';
import { isThenable } from '../util/promises';
import { describeError } from '../util/describe';
import type { RequestHandler } from './http-shapes';
import { checkOptionalFunction, checkTracer, middlewareOptionError } from './option-checks';
import { requestSpan } from './request-span';
import { compileServerOptions, type ServerTracingOptions } from './server-options';
import { beginServerSpan } from './server-span';

/** `traceHttpHandler` options: the middleware's, plus what to do when the handler fails. */
export interface HttpHandlerTracingOptions extends ServerTracingOptions {
  /**
   * Called when the handler throws or its promise rejects, after the error is recorded
   * on the span. Default: a bare 500 if nothing was sent yet, else the response is
   * destroyed (a half-sent body must not look complete).
   *
   *     onError: (error, req, res) => { log.error(error); res.writeHead(500).end(); }
   */
  onError?: (error: unknown, req: IncomingMessage, res: ServerResponse) => void;
}

/**
 * Wraps a plain `node:http` request handler so that every request is traced the way
 * `tracingMiddleware` traces Express requests: upstream context continued, a
 * `span.kind=server` span active for the whole handling (across awaits and in
 * `req`/`res` listeners), finished when the response ends or the connection closes.
 * A throw or rejected promise from the handler is recorded on the span (`error: true`
 * and an error log) and answered by `onError` (default: 500), instead of crashing
 * the process as an unhandled error in a request listener would.
 *
 *     const server = http.createServer(traceHttpHandler(tracer, async (req, res) => {
 *       const user = await loadUser(req); // spans started here are children of the server span
 *       res.end(JSON.stringify(user));
 *     }, { pathTemplates: ['/users/:id'] }));
 *
 * Throws a TypeError naming the option when an option cannot work.
 */
export function traceHttpHandler(
  tracer: Tracer,
  handler: RequestHandler,
  options?: HttpHandlerTracingOptions,
): (req: IncomingMessage, res: ServerResponse) => void;
/** For handlers typed with subclasses of `IncomingMessage`/`ServerResponse` (`http.createServer({ IncomingMessage: MyRequest })`). */
export function traceHttpHandler<Req extends IncomingMessage, Res extends ServerResponse>(
  tracer: Tracer,
  handler: RequestHandler<Req, Res>,
  options?: HttpHandlerTracingOptions,
): (req: Req, res: Res) => void;
export function traceHttpHandler<Req extends IncomingMessage, Res extends ServerResponse>(
  tracer: Tracer,
  handler: RequestHandler<Req, Res>,
  options?: HttpHandlerTracingOptions,
): (req: Req, res: Res) => void {
  const owner = 'traceHttpHandler';
  const faults = checkTracer(owner, tracer);
  if (typeof handler !== 'function') {
    throw middlewareOptionError(owner, 'handler', 'a function (req, res) => ...', handler);
  }
  const settings = compileServerOptions(owner, options, ['onError']);
  checkOptionalFunction(owner, 'onError', options?.onError);
  const onError = options?.onError ?? respondWithServerError;
  const scopes = tracer.scopeManager();

  /** A throw or rejection from the handler: recorded on the request's span, answered by onError. */
  const fail = (error: unknown, req: Req, res: Res, span: Span | null): void => {
    const failed = span ?? requestSpan(req);
    if (failed !== null) recordError(failed, error);
    try {
      onError(error, req, res);
    } catch (onErrorFailure) {
      faults.warnOnce('handler-onError', `traceHttpHandler options.onError threw: ${describeError(onErrorFailure)}`);
      respondWithServerError(error, req, res);
    }
  };
  const run = (self: unknown, req: Req, res: Res, span: Span | null): void => {
    let result: unknown;
    try {
      result = handler.call(self, req, res);
    } catch (error) {
      fail(error, req, res, span);
      return;
    }
    // Only an async handler costs a closure.
    if (isThenable(result)) Promise.resolve(result).then(undefined, (error: unknown) => fail(error, req, res, span));
  };

  return function sextantTracedHandler(this: unknown, req: Req, res: Res): void {
    const span = beginServerSpan(owner, tracer, faults, settings, req, res);
    if (span === null) run(this, req, res, null);
    else scopes.activate(span, () => run(this, req, res, span), false);
  };
}

/** The default `onError`: a clean 500 when nothing was sent, else cut the connection. */
function respondWithServerError(_error: unknown, _req: IncomingMessage, res: ServerResponse): void {
  try {
    if (!res.headersSent) {
      // Headers the handler set for the answer it meant to give (length, cookies) do not fit a 500.
      for (const name of res.getHeaderNames()) res.removeHeader(name);
      res.statusCode = 500;
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.end('Internal Server Error');
    } else if (!res.writableEnded) {
      res.destroy();
    }
  } catch {
    res.destroy();
  }
}
