import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Tracer } from '../tracer';
import type { Span } from '../span';
import { recordError } from '../record-error';
import { describeError } from '../util/describe';
import { checkTracer } from './option-checks';
import { requestSpan } from './request-span';
import { setRequestRoute } from './request-route';
import { compileServerOptions, type ServerTracingOptions } from './server-options';
import { beginServerSpan } from './server-span';

/**
 * What `koaTracing` reads from a Koa context. Declared structurally so that lib/ never
 * loads Koa (nor needs its types): Koa 2 and 3 contexts both fit.
 */
export interface KoaContextLike {
  /** Node's request and response, which Koa wraps */
  req: IncomingMessage;
  res: ServerResponse;
  /** @koa/router: the path template of the route that matched, e.g. `/users/:id` */
  _matchedRoute?: unknown;
  /** @koa/router (and koa-router): the same template, under its older name */
  routerPath?: unknown;
}

/** A Koa middleware: `app.use(middleware)`. */
export type KoaMiddleware = (ctx: KoaContextLike, next: () => Promise<unknown>) => Promise<unknown>;

/** The route template the router matched, at the end of the request (null: no route matched). */
function matchedRoute(ctx: KoaContextLike): string | null {
  const route = ctx._matchedRoute ?? ctx.routerPath;
  return typeof route === 'string' && route !== '' ? route : null;
}

/**
 * Koa middleware that traces every request: it continues the caller's trace from the
 * request headers, starts a `span.kind=server` span, and keeps it active for every
 * middleware after it (across awaits), so `tracer.activeSpan()` and `tracer.startSpan()`
 * in them find it. The span is named `METHOD route` from the route @koa/router matched
 * (else a `pathTemplates` match, else the method; never the raw URL), tagged as
 * `tracingMiddleware` tags Express requests, and finishes when the response ends. An
 * error thrown downstream is recorded on the span (`error: true`, message and stack)
 * and re-thrown, so Koa still answers it. Use it first, before the router.
 *
 *     const app = new Koa();
 *     app.use(koaTracing(tracer, { ignorePaths: ['/healthz'] }));
 *     router.get('/users/:id', async (ctx) => {
 *       const span = tracer.startSpan('load-user'); // child of 'GET /users/:id'
 *       ...
 *     });
 *     app.use(router.routes());
 *
 * Options are `tracingMiddleware`'s; `operationName`, `tags` and `ignorePaths` see Node's
 * request (`ctx.req`). Throws a TypeError naming the option when an option cannot work.
 */
export function koaTracing(tracer: Tracer, options?: ServerTracingOptions): KoaMiddleware {
  const owner = 'koaTracing';
  const faults = checkTracer(owner, tracer);
  const settings = compileServerOptions(owner, options);
  const scopes = tracer.scopeManager();

  /** Runs the rest of the chain; records what it throws and the route it matched. */
  async function traceDownstream(ctx: KoaContextLike, next: () => Promise<unknown>, span: Span): Promise<unknown> {
    try {
      return await next();
    } catch (error) {
      recordError(span, error);
      throw error;
    } finally {
      try {
        const route = matchedRoute(ctx);
        if (route !== null) setRequestRoute(ctx.req, route);
      } catch (error) {
        faults.warnOnce('koa-route', `koaTracing could not read the matched route: ${describeError(error)}`);
      }
    }
  }

  return function sextantKoaTracing(ctx: KoaContextLike, next: () => Promise<unknown>): Promise<unknown> {
    const req = ctx.req;
    // Started here, or adopted from whoever traced the request first (an outer
    // traceHttpHandler, zero-code tracing): either way, one span per request.
    const span = beginServerSpan(owner, tracer, faults, settings, req, ctx.res) ?? requestSpan(req);
    if (span === null) return next();
    // The promise is returned, not handed to activate(), so the scope manager does not
    // record a rejection a second time; the chain still runs (and awaits) inside the span.
    let downstream: Promise<unknown> | undefined;
    scopes.activate(span, () => {
      downstream = traceDownstream(ctx, next, span);
    });
    // A scope manager of the user's own that never ran the callback must not stall the request.
    return downstream ?? traceDownstream(ctx, next, span);
  };
}
