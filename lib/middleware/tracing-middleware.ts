import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Tracer } from '../tracer';
import { recordError } from '../record-error';
import type { ErrorMiddleware, Middleware, NextFunction } from './http-shapes';
import { checkTracer } from './option-checks';
import { requestSpan } from './request-span';
import { compileServerOptions, type ServerTracingOptions } from './server-options';
import { beginServerSpan } from './server-span';

/** What `tracingMiddleware` returns: the middleware, plus an error middleware to mount after the routes. */
export interface TracingMiddleware extends Middleware {
  /**
   * Records an error that reached Express's error path on the request's span
   * (`error: true` and an error log with message and stack), then passes it on.
   * Mount it after your routes and before your own error handlers.
   *
   *     app.use(tracing);
   *     app.get('/users/:id', loadUser);
   *     app.use(tracing.errorHandler);
   */
  errorHandler: ErrorMiddleware;
}

/**
 * Express/Connect middleware that traces every request: it continues the caller's
 * trace from the request headers, starts a `span.kind=server` span, and keeps it
 * active for the rest of the request's handling (across awaits, and in listeners
 * added to `req` and `res`), so `tracer.activeSpan()` and `tracer.startSpan()` in
 * handlers find it. The span is named `METHOD route` once routing is done (else the
 * method, or a `pathTemplates` match) and finishes when the response ends or the
 * connection closes. Mount it first.
 *
 *     const tracing = tracingMiddleware(tracer, { ignorePaths: ['/healthz'] });
 *     app.use(tracing);
 *     app.get('/users/:id', async (req, res) => {
 *       const span = tracer.startSpan('load-user'); // child of 'GET /users/:id'
 *       ...
 *     });
 *     app.use(tracing.errorHandler);
 *
 * Throws a TypeError naming the option when an option cannot work.
 */
export function tracingMiddleware(tracer: Tracer, options?: ServerTracingOptions): TracingMiddleware {
  const owner = 'tracingMiddleware';
  const faults = checkTracer(owner, tracer);
  const settings = compileServerOptions(owner, options);
  const scopes = tracer.scopeManager();

  const middleware = function sextantTracingMiddleware(req: IncomingMessage, res: ServerResponse, next: NextFunction): void {
    const span = beginServerSpan(owner, tracer, faults, settings, req, res);
    if (span === null) {
      next();
      return;
    }
    scopes.activate(span, next, false);
  };

  const errorHandler = function sextantTracingErrorHandler(
    error: unknown,
    req: IncomingMessage,
    _res: ServerResponse,
    next: NextFunction,
  ): void {
    const span = requestSpan(req);
    if (span !== null) recordError(span, error);
    next(error);
  };

  return Object.assign(middleware, { errorHandler });
}
