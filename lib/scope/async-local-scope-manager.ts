import { AsyncLocalStorage } from 'node:async_hooks';
import { EventEmitter } from 'node:events';
import type { Span } from '../span';
import { ActiveScope, innermostOpen } from './active-scope';
import type { Scope, ScopeManager } from './scope-manager';
import { failSpan, settleSpan } from './settle';
import { bindEmitter } from './bind-emitter';

/**
 * The default scope manager: the active span lives in an `AsyncLocalStorage`, so it
 * follows `await`, promises, timers, `process.nextTick`, `setImmediate` and callbacks,
 * and concurrent requests never see each other's span.
 *
 *     const tracer = new Tracer({ serviceName: 'api', scopeManager: new AsyncLocalScopeManager() });
 */
export class AsyncLocalScopeManager implements ScopeManager {
  private readonly storage = new AsyncLocalStorage<ActiveScope | undefined>();

  /** The innermost open scope, or null. */
  active(): Scope | null {
    const scope = innermostOpen(this.storage.getStore());
    // A context with values and no span (OpenTelemetry's) has no active span for OpenTracing.
    return scope === undefined || scope.activeSpan === null ? null : scope;
  }

  /**
   * Runs `fn` with `span` active. What `fn` throws is re-thrown (after tagging the span);
   * nothing else throws: without a function there is nothing to run, and undefined is
   * returned.
   *
   *     scopeManager.activate(span, async () => { await work(); }, true);
   */
  activate<T>(span: Span, fn: () => T, finishOnClose = false): T {
    if (typeof fn !== 'function') return undefined as T;
    return this.activateWith(span, fn, undefined, !!finishOnClose);
  }

  /** @internal `activate` passing one argument to `fn`, so callers need no closure. */
  activateWith<A, T>(span: Span, fn: (arg: A) => T, arg: A, finishOnClose: boolean): T {
    const scope = new ActiveScope(span, finishOnClose, innermostOpen(this.storage.getStore()));
    let result: T;
    try {
      result = this.storage.run(scope, fn, arg);
    } catch (error) {
      failSpan(span, error, finishOnClose);
      throw error;
    }
    return settleSpan(span, result, finishOnClose);
  }

  /**
   * Binds a function or an EventEmitter's listeners to a span (default: the active one).
   * Anything else is returned as it is; never throws.
   *
   *     setTimeout(scopeManager.bind(() => work()), 10);
   *     scopeManager.bind(req); // listeners added to req later see the span active now
   */
  bind<F extends (...args: never[]) => unknown>(fn: F, span?: Span | null): F;
  bind<E extends EventEmitter>(emitter: E, span?: Span | null): E;
  bind<T>(target: T, span?: Span | null): T {
    try {
      const scope = this.scopeFor(span);
      if (typeof target === 'function') return this.bindTo(target as (...args: unknown[]) => unknown, scope, true) as T;
      // instanceof runs a Proxy's getPrototypeOf trap; binding writes methods onto the emitter.
      if (target instanceof EventEmitter) return bindEmitter(target, (listener) => this.bindTo(listener, scope, false)) as T;
    } catch {
      // A hostile target (a Proxy that throws, a frozen emitter): left unbound.
    }
    return target;
  }

  /** @internal The innermost open frame (context values with or without a span), or undefined. */
  _current(): ActiveScope | undefined {
    return innermostOpen(this.storage.getStore());
  }

  /** @internal Runs `fn` on `thisArg` with `args` in `frame`: OpenTelemetry's `context.with`. */
  _runIn<T>(frame: ActiveScope, fn: (...args: never[]) => T, thisArg: unknown, args: unknown[]): T {
    if (thisArg === undefined) {
      if (args.length === 0) return this.storage.run(frame, fn as () => T);
      if (args.length === 1) return this.storage.run(frame, fn as (arg: unknown) => T, args[0]);
    }
    return this.storage.run(frame, Reflect.apply as (f: unknown, t: unknown, a: unknown[]) => T, fn, thisArg, args);
  }

  /**
   * @internal Makes `frame` the store of the current execution and what it starts
   * (`AsyncLocalStorage.enterWith`): OpenTelemetry's `context.attach`. Returns what puts
   * the previous store back.
   */
  _enter(frame: ActiveScope): () => void {
    const storage = this.storage;
    const previous = storage.getStore();
    storage.enterWith(frame);
    return () => storage.enterWith(previous);
  }

  /** @internal Binds a function or an emitter's listeners to `frame`: OpenTelemetry's `context.bind`. */
  _bindTo<T>(target: T, frame: ActiveScope): T {
    if (target instanceof EventEmitter) return bindEmitter(target, (listener) => this.bindTo(listener, frame, false)) as T;
    if (typeof target === 'function') return this.bindTo(target as (...args: unknown[]) => unknown, frame, true) as T;
    return target;
  }

  /**
   * @internal Zero-code tracing's one entry point here: makes `span` (null: no span) the
   * active one for the rest of the current synchronous execution and the async work it
   * starts (`AsyncLocalStorage#enterWith`). For a `diagnostics_channel` subscriber that
   * runs just before the code it traces (`http.server.request.start` is published right
   * before the server emits `'request'`) and has no callback to wrap. Node ends the
   * entry with the callback that published (AsyncContextFrame, Node >= 24) or at the next
   * entry on the same resource (async_hooks): every request enters its own, even ignored ones.
   */
  _enterSpan(span: Span | null): void {
    if (span !== null) this.storage.enterWith(new ActiveScope(span, false, undefined));
    else if (this.storage.getStore() !== undefined) this.storage.enterWith(undefined);
  }

  private scopeFor(span: Span | null | undefined): ActiveScope | undefined {
    const current = innermostOpen(this.storage.getStore());
    if (span === undefined) return current;
    if (span === null) return undefined;
    // The span is the one given; the other context values stay those of the moment of binding.
    return new ActiveScope(span, false, undefined, current === undefined ? null : current.values);
  }

  private bindTo<F extends (...args: unknown[]) => unknown>(fn: F, scope: ActiveScope | undefined, keepLength: boolean): F {
    const storage = this.storage;
    const bound = function (this: unknown, ...args: unknown[]): unknown {
      return storage.run(scope, Reflect.apply, fn, this, args);
    };
    // Callers may read a bound function's length; emitters never read a listener's, and
    // defineProperty on every request's listeners is measurable.
    if (keepLength) {
      let length = 0;
      try {
        length = fn.length;
      } catch {
        // A Proxy of a function whose get trap throws: its length stays 0.
      }
      Object.defineProperty(bound, 'length', { value: length, configurable: true });
    }
    return bound as unknown as F;
  }
}
