import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Tracer } from '../tracer';
import { recordError } from '../record-error';
import { describeError } from '../util/describe';
import { checkTracer } from './option-checks';
import { requestSpan } from './request-span';
import { setRequestRoute } from './request-route';
import { compileServerOptions, type ServerTracingOptions } from './server-options';
import { beginServerSpan } from './server-span';

/**
 * What `fastifyTracing` reads from a Fastify request and reply. Declared structurally
 * so that lib/ never loads Fastify (nor needs its types): Fastify 4 and 5 fit.
 */
export interface FastifyRequestLike {
  /** Node's request */
  raw: IncomingMessage;
  /** Fastify >= 4.10: the route that matched; `url` is its template, e.g. `/users/:id` */
  routeOptions?: { url?: unknown };
  /** Fastify < 4.10 (deprecated since, gone in 5): the same template */
  routerPath?: unknown;
}

/** What `fastifyTracing` reads from a Fastify reply. */
export interface FastifyReplyLike {
  /** Node's response */
  raw: ServerResponse;
}

/** The part of a Fastify instance `fastifyTracing` uses: two hooks. */
export interface FastifyInstanceLike {
  addHook(name: 'onRequest', hook: (request: FastifyRequestLike, reply: FastifyReplyLike, done: () => void) => void): unknown;
  addHook(name: 'onError', hook: (request: FastifyRequestLike, reply: FastifyReplyLike, error: unknown, done: () => void) => void): unknown;
}

/** A Fastify plugin: `fastify.register(plugin)`. */
export type FastifyTracingPlugin = (instance: FastifyInstanceLike, options: unknown, done: (error?: Error) => void) => void;

/**
 * The name Fastify shows for the plugin (in errors, `printPlugins()`) and that other
 * plugins can list in their `dependencies`.
 */
const PLUGIN_NAME = 'sextant-tracing';

/** The route template Fastify matched (null: none, e.g. a 404). */
function matchedRoute(request: FastifyRequestLike): string | null {
  // routeOptions first: reading routerPath on Fastify 4 prints a deprecation warning.
  const options = request.routeOptions;
  const route = options !== undefined && options !== null ? options.url : request.routerPath;
  return typeof route === 'string' && route !== '' ? route : null;
}

/**
 * A Fastify plugin that traces every request of the whole instance (it is not
 * encapsulated, as if wrapped by `fastify-plugin`): it continues the caller's trace from
 * the request headers, starts a `span.kind=server` span, and keeps it active for every
 * hook after its own `onRequest` (body parsing, `preValidation`, `preHandler`…), the
 * handler and the async work they start, so `tracer.activeSpan()` and
 * `tracer.startSpan()` there find it. The span is named `METHOD route` from
 * `request.routeOptions.url` (else a `pathTemplates` match, else the method; never the
 * raw URL), tagged as `tracingMiddleware` tags Express requests, and finishes when the
 * response ends. Errors that reach Fastify's `onError` hook are recorded on it
 * (`error: true`, message and stack). Register it before your routes and other plugins.
 *
 *     const app = Fastify();
 *     await app.register(fastifyTracing(tracer, { ignorePaths: ['/healthz'] }));
 *     app.get('/users/:id', async (request) => {
 *       const span = tracer.startSpan('load-user'); // child of 'GET /users/:id'
 *       ...
 *     });
 *
 * Options are `tracingMiddleware`'s; `operationName`, `tags` and `ignorePaths` see Node's
 * request (`request.raw`). Throws a TypeError naming the option when an option cannot work.
 */
export function fastifyTracing(tracer: Tracer, options?: ServerTracingOptions): FastifyTracingPlugin {
  const owner = 'fastifyTracing';
  const faults = checkTracer(owner, tracer);
  const settings = compileServerOptions(owner, options);
  const scopes = tracer.scopeManager();

  function onRequest(request: FastifyRequestLike, reply: FastifyReplyLike, done: () => void): void {
    const req = request.raw;
    // Started here, or adopted from whoever traced the request first (a traceHttpHandler
    // in a serverFactory, zero-code tracing): either way, one span per request.
    const span = beginServerSpan(owner, tracer, faults, settings, req, reply.raw) ?? requestSpan(req);
    if (span === null) {
      done();
      return;
    }
    try {
      // Fastify routes before onRequest, so the template is known already.
      const route = matchedRoute(request);
      if (route !== null) setRequestRoute(req, route);
    } catch (error) {
      faults.warnOnce('fastify-route', `fastifyTracing could not read the matched route: ${describeError(error)}`);
    }
    // Fastify runs the next hooks (and, through them, parsing and the handler) from
    // done(), so calling it inside the activation makes the span theirs; the request
    // stream is bound to the span too, so the body parser's listeners see it as well.
    scopes.activate(span, done);
  }

  function onError(request: FastifyRequestLike, _reply: FastifyReplyLike, error: unknown, done: () => void): void {
    const span = requestSpan(request.raw);
    if (span !== null) recordError(span, error);
    done();
  }

  const plugin: FastifyTracingPlugin = function sextantFastifyTracing(instance, _options, done) {
    instance.addHook('onRequest', onRequest);
    instance.addHook('onError', onError);
    done();
  };
  // What fastify-plugin would set, without depending on it: hooks apply to the instance
  // the plugin is registered on (not a child context), under a readable name.
  Object.defineProperty(plugin, Symbol.for('skip-override'), { value: true });
  Object.defineProperty(plugin, Symbol.for('fastify.display-name'), { value: PLUGIN_NAME });
  Object.defineProperty(plugin, Symbol.for('plugin-meta'), { value: { name: PLUGIN_NAME } });
  return plugin;
}
