import type { IncomingMessage } from 'node:http';
import type { Span } from '../span';
import { serverRequestOf } from './server-request';

/**
 * The server span that `tracingMiddleware`, `traceHttpHandler` or zero-code tracing
 * (`instrument()`, `sextant/register`) started for a request, or null (untraced, or
 * ignored). Handy where the active span is not the request's, e.g. in code that runs
 * after the response ended.
 *
 *     app.get('/users/:id', (req, res) => {
 *       requestSpan(req)?.setTag('user.id', req.params.id);
 *     });
 */
export function requestSpan(req: IncomingMessage): Span | null {
  try {
    const state = serverRequestOf(req);
    return state === undefined || state.discarded ? null : state.span;
  } catch {
    // A hostile object (a Proxy whose get trap throws) is no request.
    return null;
  }
}
