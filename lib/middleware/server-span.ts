import type { IncomingMessage, ServerResponse } from 'node:http';
import * as opentracing from 'opentracing';
import type { Span } from '../span';
import type { Tracer } from '../tracer';
import type { FaultLogger } from '../util/fault-logger';
import { describeError } from '../util/describe';
import type { RoutedRequest } from './http-shapes';
import { matchPathTemplate, pathOf } from './path-template';
import { addPeerAddressTags, addPeerPortTag } from './peer-tags';
import { rememberRequestSpan, requestSpan } from './request-span';
import { requestRoute } from './request-route';
import type { ServerSettings } from './server-options';

/**
 * Starts the server span for one request, or returns null when the request is
 * ignored. The span finishes by itself on the response's `finish` or `close`.
 * The caller makes it active (and binds `req`/`res`) for the rest of the handling.
 */
function startServerSpan(
  tracer: Tracer,
  faults: FaultLogger,
  settings: ServerSettings,
  req: IncomingMessage,
  res: ServerResponse,
): Span | null {
  const url = (req as RoutedRequest).originalUrl ?? req.url ?? '/';
  const path = pathOf(url);
  if (settings.ignore !== null && isIgnored(faults, settings, path, req)) return null;

  const method = req.method ?? 'GET';
  const template = settings.templates.length === 0 ? null : matchPathTemplate(settings.templates, path);
  const tags: Record<string, unknown> = {
    [opentracing.Tags.SPAN_KIND]: opentracing.Tags.SPAN_KIND_RPC_SERVER,
    [opentracing.Tags.HTTP_METHOD]: method,
    [opentracing.Tags.HTTP_URL]: url,
  };
  const socket = req.socket;
  if (socket !== undefined && socket !== null) {
    addPeerAddressTags(tags, socket.remoteAddress);
    addPeerPortTag(tags, socket.remotePort);
  }
  if (settings.tags !== null) addUserTags(faults, settings, req, tags);

  // No upstream context means a new trace, even when some span happens to be active
  // where the server emitted 'request' (servers and clients sharing one process).
  const upstream = tracer.extract(opentracing.FORMAT_HTTP_HEADERS, req.headers);
  const name = template === null ? method : `${method} ${template}`;
  const span = tracer.startSpan(name, { childOf: upstream ?? undefined, ignoreActiveSpan: true, tags });
  rememberRequestSpan(req, span);

  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    res.removeListener('finish', end);
    res.removeListener('close', end);
    endServerSpan(faults, settings, span, req, res, method);
  };
  res.on('finish', end);
  res.on('close', end);
  return span;
}

/**
 * The server span for a request that has none yet (a request passes through both
 * wrappers, or one mounted twice, only once): started, with `req` and `res` bound to it so
 * listeners added to them later see it. Null when the request is ignored, already has a
 * span, or the span could not be started (reported once; the request goes on untraced).
 */
export function beginServerSpan(
  owner: string,
  tracer: Tracer,
  faults: FaultLogger,
  settings: ServerSettings,
  req: IncomingMessage,
  res: ServerResponse,
): Span | null {
  if (requestSpan(req) !== null) return null;
  try {
    const span = startServerSpan(tracer, faults, settings, req, res);
    if (span !== null) {
      const scopes = tracer.scopeManager();
      scopes.bind(req, span);
      scopes.bind(res, span);
    }
    return span;
  } catch (error) {
    faults.warnOnce(`${owner}-start`, `${owner} could not start a span: ${describeError(error)}; request untraced.`);
    return null;
  }
}

function isIgnored(faults: FaultLogger, settings: ServerSettings, path: string, req: IncomingMessage): boolean {
  try {
    return settings.ignore!(path, req) === true;
  } catch (error) {
    faults.warnOnce('middleware-ignorePaths', `options.ignorePaths threw (${describeError(error)}); request traced.`);
    return false;
  }
}

function addUserTags(faults: FaultLogger, settings: ServerSettings, req: IncomingMessage, tags: Record<string, unknown>): void {
  try {
    const extra = settings.tags!(req);
    if (extra !== null && typeof extra === 'object') {
      for (const key of Object.keys(extra)) {
        // A header that was not sent comes back undefined: no tag rather than an empty one.
        if (key !== '__proto__' && extra[key] !== undefined) tags[key] = extra[key];
      }
    }
  } catch (error) {
    faults.warnOnce('middleware-tags', `options.tags threw (${describeError(error)}); extra tags skipped.`);
  }
}

/**
 * `METHOD /mount/route` for a request a framework helper or Express routed (the route
 * is only known once routing happened, which is why this runs at the end), else null.
 */
function routeName(req: RoutedRequest, method: string): string | null {
  // A framework helper (koaTracing, fastifyTracing) said which route matched.
  const declared = requestRoute(req);
  if (declared !== null) return `${method} ${declared}`;
  const route = req.route;
  if (route === null || typeof route !== 'object' || typeof route.path !== 'string') return null;
  const base = typeof req.baseUrl === 'string' ? req.baseUrl : '';
  const path = base !== '' && route.path === '/' ? '' : route.path;
  return `${method} ${base}${path}`;
}

function endServerSpan(
  faults: FaultLogger,
  settings: ServerSettings,
  span: Span,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
): void {
  if (span.isFinished()) return;
  try {
    let name: string | null = null;
    if (settings.operationName !== null) {
      try {
        const chosen = settings.operationName(req, res);
        if (typeof chosen === 'string' && chosen !== '') name = chosen;
      } catch (error) {
        faults.warnOnce('middleware-operationName', `options.operationName threw (${describeError(error)}); default name used.`);
      }
    }
    if (name === null) name = routeName(req as RoutedRequest, method);
    if (name !== null) span.setOperationName(name);

    // 'close' before the response was completely handed to the OS: the client went away,
    // or the server destroyed the socket. Not tagged error by itself: clients giving up
    // is routine; a 5xx that was being sent still is an error.
    const aborted = !res.writableFinished;
    if (res.headersSent) {
      span.setTag(opentracing.Tags.HTTP_STATUS_CODE, res.statusCode);
      if (res.statusCode >= 500) span.setTag(opentracing.Tags.ERROR, true);
    }
    if (aborted) {
      span.setTag('http.aborted', true);
      span.log({ event: 'aborted', message: 'connection closed before the response was complete' });
    }
  } catch (error) {
    faults.warnOnce('middleware-finish', `finishing the server span failed: ${describeError(error)}`);
  }
  span.finish();
}
