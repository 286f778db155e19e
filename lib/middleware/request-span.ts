import type { IncomingMessage } from 'node:http';
import type { Span } from '../span';

/**
 * Where a traced request keeps its server span. A property on the request (not a
 * WeakMap, which costs an ephemeron per request): the span goes when the request does.
 */
const REQUEST_SPAN = Symbol('sextant.requestSpan');

interface TracedRequest {
  [REQUEST_SPAN]?: Span;
}

/** @internal */
export function rememberRequestSpan(req: IncomingMessage, span: Span): void {
  (req as TracedRequest)[REQUEST_SPAN] = span;
}

/**
 * The server span that `tracingMiddleware` or `traceHttpHandler` started for a
 * request, or null (untraced, or ignored). Handy where the active span is not the
 * request's, e.g. in code that runs after the response ended.
 *
 *     app.get('/users/:id', (req, res) => {
 *       requestSpan(req)?.setTag('user.id', req.params.id);
 *     });
 */
export function requestSpan(req: IncomingMessage): Span | null {
  return (req !== null && typeof req === 'object' && (req as TracedRequest)[REQUEST_SPAN]) || null;
}
