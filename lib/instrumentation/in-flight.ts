import * as diagnostics from 'node:diagnostics_channel';
import { failClientSpan } from '../middleware/client-span';
import type { ClientSettings } from '../middleware/client-span';
import type { HeaderCapture } from '../middleware/header-capture';
import type { Tracer } from '../tracer';
import type { Span } from '../span';
import { describeError } from '../util/describe';
import type { FaultLogger } from '../util/fault-logger';

/**
 * `disable()` must not strand the spans of requests under way: the channels that end
 * spans stay subscribed until the last span started before `disable()` has ended, then
 * go too. Counts what is in flight; `stopEnds` unsubscribes the ending channels.
 */
export class InFlight {
  private count = 0;
  private stopped = false;
  private endsStopped = false;

  constructor(private readonly stopEnds: () => void) {}

  started(): void {
    this.count++;
  }

  ended(): void {
    this.count--;
    if (this.stopped && this.count <= 0) this.stopEndsOnce();
  }

  /** No new spans from now on; the ending channels go once nothing is in flight. */
  stop(): void {
    this.stopped = true;
    if (this.count <= 0) this.stopEndsOnce();
  }

  private stopEndsOnce(): void {
    if (this.endsStopped) return;
    this.endsStopped = true;
    this.stopEnds();
  }
}

type Listener = (message: unknown) => void;

/** What a client instrumentation (node:http, undici) is built from. */
export interface ClientInstrumentation {
  tracer: Tracer;
  faults: FaultLogger;
  settings: ClientSettings;
  /** the request and response headers to record */
  capture: HeaderCapture;
  /** the header names the tracer injects: a request already carrying one is left alone */
  traceHeaders: ReadonlySet<string>;
}

/**
 * Subscribes a start channel and the channels that end what it starts, and returns what
 * `disable()` calls: the start channel goes at once, the ending ones once `inFlight` says
 * nothing started before is still open.
 *
 *     const stop = subscribeUntilDrained(inFlight, [CREATE, onCreate], [[HEADERS, onHeaders], [ERROR, onError]]);
 */
export function subscribeUntilDrained(
  inFlight: InFlight,
  start: readonly [string, Listener],
  ends: readonly (readonly [string, Listener])[],
): () => void {
  diagnostics.subscribe(start[0], start[1]);
  for (const [name, listener] of ends) diagnostics.subscribe(name, listener);
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    diagnostics.unsubscribe(start[0], start[1]);
    inFlight.stop();
  };
}

/** Unsubscribes `ends`: what an `InFlight` of `subscribeUntilDrained` does when drained. */
export function unsubscribeAll(ends: readonly (readonly [string, Listener])[]): void {
  for (const [name, listener] of ends) diagnostics.unsubscribe(name, listener);
}

/**
 * The client span a request carries while in flight, under a symbol: put once when the
 * request is created, taken once by whatever ends it (response, error or close), so a late
 * error after the response never ends it twice.
 */
export class InFlightSpans {
  private readonly key = Symbol('sextant.clientSpan');

  constructor(readonly inFlight: InFlight) {}

  put(request: object, span: Span): void {
    (request as Record<symbol, Span | undefined>)[this.key] = span;
    this.inFlight.started();
  }

  take(request: object): Span | undefined {
    const holder = request as Record<symbol, Span | undefined>;
    const span = holder[this.key];
    if (span === undefined) return undefined;
    holder[this.key] = undefined;
    this.inFlight.ended();
    return span;
  }

  /** An ending-channel listener for `{ request, error }` messages: fails the request's span. */
  failOnError(faults: FaultLogger, kind: string, what: string): Listener {
    return (message) => {
      try {
        const { request, error } = message as { request: object; error: unknown };
        const span = this.take(request);
        if (span !== undefined) failClientSpan(span, error);
      } catch (error) {
        faults.warnOnce(kind, `instrument() could not finish ${what}: ${describeError(error)}`);
      }
    };
  }
}
