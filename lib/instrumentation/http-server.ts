import * as diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Tracer } from '../tracer';
import type { FaultLogger } from '../util/fault-logger';
import { describeError } from '../util/describe';
import { serverRequestOf } from '../middleware/server-request';
import { bindRequest, endServerRequest, enterForRestOfCallback, startServerRequest } from '../middleware/server-span';
import type { ServerSettings } from '../middleware/server-options';
import { InFlight } from './in-flight';

/** Published by every node:http/https server (every Node sextant supports) right before it emits 'request'. */
const REQUEST_START = 'http.server.request.start';
/** Published when a response has been handed to the OS ('finish'). */
const RESPONSE_FINISH = 'http.server.response.finish';

interface ServerMessage {
  request: IncomingMessage;
  response: ServerResponse;
  server?: BinderCarrier;
}

/** The 'request' listener instrument() puts first on each server it sees (see onStart). */
const BINDER = Symbol('sextant.requestBinder');

interface BinderCarrier {
  [BINDER]?: unknown;
  prependListener?: (event: string, listener: (req: IncomingMessage, res: ServerResponse) => void) => unknown;
}

/**
 * Traces every request to every node:http/https server in the process, by the rules
 * of `traceHttpHandler` (the same code): a server span continuing the caller's
 * context, active for the request listener and everything it starts, bound to `req`
 * and `res`, ended at `http.server.response.finish` or when the connection closes.
 * Returns the function that stops it; requests in flight then still end their spans.
 */
export function traceHttpServers(tracer: Tracer, faults: FaultLogger, settings: ServerSettings): () => void {
  const scopes = tracer.scopeManager();
  const inFlight = new InFlight(() => diagnostics.unsubscribe(RESPONSE_FINISH, onFinish));
  // One closure per instrumentation, shared by every request.
  const onEnd = (): void => inFlight.ended();

  // req and res are bound to the span (listeners added to them run with it active) from
  // a 'request' listener that runs before the application's, not in onStart: Node adds
  // listeners of its own to them between publishing and emitting 'request' (resOnFinish),
  // which need no binding and would each cost a wrapper and a context switch per request.
  function bindOnRequest(req: IncomingMessage): void {
    const state = serverRequestOf(req);
    if (state !== undefined && state.onEnd === onEnd && !state.ended) bindRequest(scopes, state);
  }

  function onStart(message: unknown): void {
    try {
      const { request, response, server } = message as ServerMessage;
      // Another subscriber (a second copy of sextant) got there first.
      if (serverRequestOf(request) !== undefined) return;
      const state = startServerRequest(tracer, faults, settings, request, response, 'instrument');
      if (state !== null) {
        inFlight.started();
        state.onEnd = onEnd;
        if (server !== undefined && server[BINDER] !== bindOnRequest && typeof server.prependListener === 'function') {
          server[BINDER] = bindOnRequest;
          server.prependListener('request', bindOnRequest);
        }
      }
      // Ignored requests enter "no span" too: under async_hooks the previous request's
      // entry would otherwise still be in force on a keep-alive connection.
      if (!enterForRestOfCallback(scopes, state === null ? null : state.span) && state !== null) {
        faults.warnOnce(
          'instrument-scope-manager',
          'instrument(): the tracer has its own scope manager, which cannot make a server span active for the request listener; ' +
            'spans the handler starts will not be its children. Use the default AsyncLocalScopeManager, or traceHttpHandler.',
        );
      }
    } catch (error) {
      faults.warnOnce(
        'instrument-http-server',
        `instrument() could not trace a server request: ${describeError(error)}; request untraced.`,
      );
    }
  }

  function onFinish(message: unknown): void {
    try {
      const state = serverRequestOf((message as ServerMessage).request);
      if (state !== undefined) endServerRequest(state);
    } catch (error) {
      faults.warnOnce('instrument-http-server-finish', `instrument() could not finish a server span: ${describeError(error)}`);
    }
  }

  diagnostics.subscribe(REQUEST_START, onStart);
  diagnostics.subscribe(RESPONSE_FINISH, onFinish);
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    diagnostics.unsubscribe(REQUEST_START, onStart);
    inFlight.stop();
  };
}
