import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Span } from '../span';
import type { FaultLogger } from '../util/fault-logger';
import type { ServerSettings } from './server-options';

/**
 * Where a traced request keeps its state: a property on the request and on its
 * response (not a WeakMap, which costs an ephemeron per request), gone with them.
 */
/**
 * Registered, so that two installed copies of sextant in one process (an app bundling
 * its own, plus `--require sextant/register`) find each other's requests: one span per
 * request, the helper of one adopting the zero-code span of the other. The suffix is the
 * version of ServerRequest's shape (also of the route and open-requests keys, see
 * request-route.ts and server-span.ts): change all three when a field changes, so that
 * copies of different shapes ignore each other (two spans) rather than misread one.
 */
const SERVER_REQUEST = Symbol.for('sextant.serverRequest@1');

interface Carrier {
  [SERVER_REQUEST]?: ServerRequest;
}

/** Who started a request's span: `instrument()` (a helper adopts it once) or a helper. */
export type ServerRequestOrigin = 'instrument' | 'helper';

/** One traced request: its span and what naming and finishing it need. */
export class ServerRequest {
  /** finished, or given up: later ends do nothing */
  ended = false;
  /** a helper's `ignorePaths` refused a span instrument() started: never finished, never recorded */
  discarded = false;
  /** an instrument() span no helper has adopted yet */
  adoptable: boolean;
  /** the `operationName` option of the settings an adoption replaced, used when the adopter has none */
  fallbackOperationName: ServerSettings['operationName'] = null;
  /** the connection, whose close ends the span if nothing else did (see server-span.ts) */
  socket: object | null = null;
  /** called once when the span ends or is dropped (instrument() counts what is in flight) */
  onEnd: (() => void) | null = null;

  constructor(
    readonly span: Span,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly method: string,
    /** the request target as received (before redaction) */
    readonly url: string,
    public settings: ServerSettings,
    readonly faults: FaultLogger,
    origin: ServerRequestOrigin,
  ) {
    this.adoptable = origin === 'instrument';
  }
}

/** Leaves `state` on its request and response. */
export function attachServerRequest(state: ServerRequest): void {
  (state.req as Carrier)[SERVER_REQUEST] = state;
  (state.res as Carrier)[SERVER_REQUEST] = state;
}

/** The state of a traced request (from the request or its response), or undefined. */
export function serverRequestOf(target: unknown): ServerRequest | undefined {
  return target !== null && typeof target === 'object' ? (target as Carrier)[SERVER_REQUEST] : undefined;
}
