import * as diagnostics from 'node:diagnostics_channel';
import { type IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import * as opentracing from 'opentracing';
import type { Span } from '../span';
import type { Tracer } from '../tracer';
import { AsyncLocalScopeManager } from '../scope/async-local-scope-manager';
import type { ScopeManager } from '../scope/scope-manager';
import type { FaultLogger } from '../util/fault-logger';
import { describeError } from '../util/describe';
import { captureHeaders } from './header-capture';
import type { RoutedRequest } from './http-shapes';
import { matchPathTemplate, pathOf } from './path-template';
import { addSocketPeerTags } from './peer-tags';
import { attachServerRequest, ServerRequest, type ServerRequestOrigin, serverRequestOf } from './server-request';
import { requestRoute } from './request-route';
import type { ServerSettings } from './server-options';
import { redactUrl } from './url-redaction';

/*
 * One implementation of server spans for every entry point: tracingMiddleware,
 * traceHttpHandler, the framework helpers (through beginServerSpan) and instrument()'s
 * `http.server.request.start` subscriber (through startServerRequest). They differ only
 * in who calls and what ends the span:
 * - `http.server.response.finish`, which every node:http/https response publishes: no
 *   listener per request (helpers share one subscriber for the process; instrument()
 *   has its own, which disable() removes); a response of another kind (http2's
 *   compatibility API, a test double) gets `finish` and `close` listeners instead;
 * - the connection's `close`. A pipelined request waiting behind another gets
 *   neither `finish` nor (before Node 22) `close` on its response when the client goes
 *   away, and its request may have closed long before (a body read to the end closes
 *   it): only the socket tells. One listener per connection, not per request.
 */

// Registered (see server-request.ts): whichever copy of sextant ends a request takes it off the list.
const OPEN_REQUESTS = Symbol.for('sextant.openServerRequests@1');

interface TrackedSocket {
  [OPEN_REQUESTS]?: ServerRequest[];
  on?: (event: string, listener: () => void) => unknown;
}

function onSocketClose(this: TrackedSocket): void {
  const open = this[OPEN_REQUESTS];
  if (open === undefined || open.length === 0) return;
  this[OPEN_REQUESTS] = [];
  for (const state of open) endServerRequest(state);
}

function track(state: ServerRequest, socket: TrackedSocket | null | undefined): void {
  if (socket === null || socket === undefined || typeof socket.on !== 'function') return;
  let open = socket[OPEN_REQUESTS];
  if (open === undefined) {
    socket[OPEN_REQUESTS] = open = [];
    socket.on('close', onSocketClose);
  }
  open.push(state);
  state.socket = socket;
}

function untrack(state: ServerRequest): void {
  const open = (state.socket as TrackedSocket | null)?.[OPEN_REQUESTS];
  if (open === undefined || open.length === 0) return;
  // Responses end in order on a connection: almost always the first one.
  if (open[0] === state) open.shift();
  else {
    const at = open.indexOf(state);
    if (at !== -1) open.splice(at, 1);
  }
}

/** A shared listener (no closure per request): the response knows its request's state. */
function onResponseDone(this: ServerResponse): void {
  const state = serverRequestOf(this);
  if (state !== undefined) endServerRequest(state);
}

const RESPONSE_FINISH = 'http.server.response.finish';
let helpersSubscribed = false;

/** The helpers' one subscriber, for the life of the process (helpers have no off switch). */
function onHelperResponseFinish(message: unknown): void {
  const state = serverRequestOf((message as { request?: unknown }).request);
  if (state === undefined || state.ended) return;
  try {
    endServerRequest(state);
  } catch {
    // endServerRequest reports its own faults; a subscriber must never throw (Node would rethrow it).
  }
}

/**
 * Ends the span of a helper's request when its response ends. Only a response a
 * node:http/https server made on a real connection publishes the channel: injected
 * requests (light-my-request behind fastify.inject(), with a ServerResponse subclass on a
 * mock socket) and http2's compatibility API get listeners.
 */
function endWithResponse(req: IncomingMessage, res: ServerResponse): void {
  const emitter: Pick<ServerResponse, 'on'> = res;
  if (res instanceof ServerResponse && req.socket instanceof Socket) {
    if (!helpersSubscribed) {
      helpersSubscribed = true;
      diagnostics.subscribe(RESPONSE_FINISH, onHelperResponseFinish);
    }
    return;
  }
  // Added before res is bound (see bindRequest), so these two are not wrapped for the scope.
  emitter.on('finish', onResponseDone);
  emitter.on('close', onResponseDone);
}

/**
 * Binds `req` and `res` to the request's span: listeners added to them from now on run
 * with it active (body parsers call the next middleware from req's 'end').
 * @internal
 */
export function bindRequest(scopes: ScopeManager, state: ServerRequest): void {
  scopes.bind(state.req, state.span);
  scopes.bind(state.res, state.span);
}

/**
 * Starts the server span for one request and leaves its state on `req` and `res`, or
 * returns null when the request is ignored. For a helper, `req` and `res` are bound to
 * the span (instrument() binds them itself, later: see http-server.ts); making the span
 * active for the handler is the caller's job. May throw; callers report.
 * @internal
 */
export function startServerRequest(
  tracer: Tracer,
  faults: FaultLogger,
  settings: ServerSettings,
  req: IncomingMessage,
  res: ServerResponse,
  origin: ServerRequestOrigin,
): ServerRequest | null {
  const url = requestTarget(req);
  if (settings.ignore !== null && isIgnored(faults, settings, pathOf(url), req)) return null;

  const method = req.method ?? 'GET';
  const template = settings.templates.length === 0 ? null : matchPathTemplate(settings.templates, pathOf(url));
  // Plain keys (opentracing.Tags' values): a literal V8 builds in one go.
  const tags: Record<string, unknown> = { 'span.kind': 'server', 'http.method': method, 'http.url': redactUrl(url, settings.redaction) };
  const socket = req.socket;
  if (socket !== undefined && socket !== null) addSocketPeerTags(tags, socket);
  if (settings.headers.request !== null) captureHeaders(tags, settings.headers.request, (name) => req.headers[name]);
  if (settings.tags !== null) addUserTags(faults, settings, req, tags);

  // No upstream context means a new trace, even when some span happens to be active
  // where the server emitted 'request' (servers and clients sharing one process).
  const upstream = tracer.extract(opentracing.FORMAT_HTTP_HEADERS, req.headers);
  const name = template === null ? method : `${method} ${template}`;
  const span = tracer.startSpan(name, { childOf: upstream ?? undefined, ignoreActiveSpan: true, tags });
  const state = new ServerRequest(span, req, res, method, url, settings, faults, origin);
  attachServerRequest(state);
  track(state, socket as TrackedSocket);
  if (origin === 'helper') {
    endWithResponse(req, res);
    bindRequest(tracer.scopeManager(), state);
  }
  return state;
}

/**
 * The server span for a request, for a helper (tracingMiddleware, traceHttpHandler,
 * koaTracing, fastifyTracing) to make active for the rest of the handling:
 * - a request nobody traces yet: a new span, with `req` and `res` bound to it;
 * - a request `instrument()` (zero-code tracing) traced: that span, adopted once — the
 *   helper's options name and tag it from now on; if the helper's `ignorePaths` refuses
 *   the request, the span is dropped unfinished (never recorded), no span is active for
 *   the rest of the handling, and null is returned;
 * - null when the request is ignored, another helper already traces it (a request
 *   passing through two helpers, or one mounted twice, is traced once), or the span
 *   could not be started (reported once; the request goes on untraced).
 */
export function beginServerSpan(
  owner: string,
  tracer: Tracer,
  faults: FaultLogger,
  settings: ServerSettings,
  req: IncomingMessage,
  res: ServerResponse,
): Span | null {
  const existing = serverRequestOf(req);
  if (existing !== undefined) return existing.adoptable ? adopt(owner, faults, existing, settings) : null;
  try {
    return startServerRequest(tracer, faults, settings, req, res, 'helper')?.span ?? null;
  } catch (error) {
    faults.warnOnce(`${owner}-start`, `${owner} could not start a span: ${describeError(error)}; request untraced.`);
    return null;
  }
}

/** A helper takes over an instrument() span: its options apply from now on. */
function adopt(owner: string, faults: FaultLogger, state: ServerRequest, settings: ServerSettings): Span | null {
  state.adoptable = false;
  const { req, span } = state;
  try {
    const url = requestTarget(req);
    if (settings.ignore !== null && isIgnored(faults, settings, pathOf(url), req)) {
      state.discarded = true;
      state.ended = true;
      untrack(state);
      state.onEnd?.();
      enterForRestOfCallback((span.tracer() as Tracer).scopeManager(), null);
      return null;
    }
    if (settings.templates.length > 0) {
      const template = matchPathTemplate(settings.templates, pathOf(url));
      if (template !== null) span.setOperationName(`${state.method} ${template}`);
    }
    const tags: Record<string, unknown> = {};
    if (settings.redaction !== state.settings.redaction) tags[opentracing.Tags.HTTP_URL] = redactUrl(state.url, settings.redaction);
    if (settings.headers.request !== null) captureHeaders(tags, settings.headers.request, (name) => req.headers[name]);
    if (settings.tags !== null) addUserTags(faults, settings, req, tags);
    span.addTags(tags);
    state.fallbackOperationName = state.settings.operationName ?? state.fallbackOperationName;
    state.settings = settings;
  } catch (error) {
    faults.warnOnce(`${owner}-adopt`, `${owner} could not apply its options to the request's span: ${describeError(error)}`);
  }
  return span;
}

/**
 * Makes `span` (null: no span) active for the rest of the current synchronous code and
 * the async work it starts, where there is no callback to wrap (a diagnostics_channel
 * subscriber runs just before the code it traces). Only the default scope manager can;
 * returns false for another.
 * @internal
 */
export function enterForRestOfCallback(scopes: ScopeManager, span: Span | null): boolean {
  if (!(scopes instanceof AsyncLocalScopeManager)) return false;
  scopes._enterSpan(span);
  return true;
}

/** The URL as received: Express's `originalUrl` survives sub-routers rewriting `req.url`. */
function requestTarget(req: IncomingMessage): string {
  return (req as RoutedRequest).originalUrl ?? req.url ?? '/';
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
 * `METHOD /mount/route` for a request Express routed (its route is only known once
 * routing happened, which is why this runs at the end), else null.
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

function chosenName(state: ServerRequest): string | null {
  const decide = state.settings.operationName ?? state.fallbackOperationName;
  if (decide === null) return null;
  try {
    const chosen = decide(state.req, state.res);
    if (typeof chosen === 'string' && chosen !== '') return chosen;
  } catch (error) {
    state.faults.warnOnce('middleware-operationName', `options.operationName threw (${describeError(error)}); default name used.`);
  }
  return null;
}

/**
 * Names, tags and finishes a request's span, once: at the response's end, or when the
 * response, the request's connection or (helpers) the response closed first.
 * @internal
 */
export function endServerRequest(state: ServerRequest): void {
  if (state.ended) return;
  state.ended = true;
  untrack(state);
  state.onEnd?.();
  const { span, req, res } = state;
  if (span.isFinished()) return;
  try {
    const name = chosenName(state) ?? routeName(req as RoutedRequest, state.method);
    if (name !== null) span.setOperationName(name);

    // Ended before the response was completely handed to the OS: the client went away,
    // or the server destroyed the socket. Not tagged error by itself: clients giving up
    // is routine; a 5xx that was being sent still is an error.
    if (res.headersSent) {
      span.setTag(opentracing.Tags.HTTP_STATUS_CODE, res.statusCode);
      if (res.statusCode >= 500) span.setTag(opentracing.Tags.ERROR, true);
    }
    if (!res.writableFinished) {
      span.setTag('http.aborted', true);
      span.log({ event: 'aborted', message: 'connection closed before the response was complete' });
    }
    const capture = state.settings.headers.response;
    if (capture !== null) {
      const tags: Record<string, unknown> = {};
      captureHeaders(tags, capture, (header) => res.getHeader(header));
      span.addTags(tags);
    }
  } catch (error) {
    state.faults.warnOnce('middleware-finish', `finishing the server span failed: ${describeError(error)}`);
  }
  span.finish();
}
