import type { IncomingMessage } from 'node:http';

/**
 * Where a framework helper leaves the route template its router matched (Koa's
 * `ctx._matchedRoute`, Fastify's `routeOptions.url`), for the server span to take its
 * name from when the response ends — whoever started that span: the helper itself, an
 * outer `traceHttpHandler`, or zero-code tracing. A property on the request, like the
 * request's span (see request-span.ts), so nothing outlives the request.
 */
// Registered (see server-request.ts): the helper of one copy of sextant names the span of another.
const REQUEST_ROUTE = Symbol.for('sextant.requestRoute@1');

interface RoutedByFramework {
  [REQUEST_ROUTE]?: string;
}

/** Sets (or, with a later call, replaces) the matched route template of `req`. */
export function setRequestRoute(req: IncomingMessage, route: string): void {
  (req as RoutedByFramework)[REQUEST_ROUTE] = route;
}

/** The route template a framework helper set for `req`, or null. */
export function requestRoute(req: IncomingMessage): string | null {
  return (req as RoutedByFramework)[REQUEST_ROUTE] ?? null;
}
