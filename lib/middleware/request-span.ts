import type { IncomingMessage } from 'node:http';
import type { Span } from '../span';

/** The server span of each traced request; weak, so a request's span goes when the request does. */
const spansByRequest = new WeakMap<object, Span>();

/** @internal */
export function rememberRequestSpan(req: IncomingMessage, span: Span): void {
  spansByRequest.set(req, span);
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
  return (req !== null && typeof req === 'object' && spansByRequest.get(req)) || null;
}
