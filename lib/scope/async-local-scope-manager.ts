import { AsyncLocalStorage } from 'node:async_hooks';
import { EventEmitter } from 'node:events';
import type { Span } from '../span';
import type { Scope, ScopeManager } from './scope-manager';
import { failSpan, finishSpan, settleSpan } from './settle';
import { bindEmitter } from './bind-emitter';

/** One activation of a span; linked to the scope it was opened inside. */
class ActiveScope implements Scope {
  closed = false;

  constructor(
    private readonly activeSpan: Span,
    private readonly finishOnClose: boolean,
    /** the scope active when this one was opened, seen again once this one closes */
    readonly parent: ActiveScope | undefined,
  ) {}

  span(): Span {
    return this.activeSpan;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.finishOnClose) finishSpan(this.activeSpan);
  }
}

function innermostOpen(scope: ActiveScope | undefined): ActiveScope | undefined {
  while (scope !== undefined && scope.closed) scope = scope.parent;
  return scope;
}

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
    return innermostOpen(this.storage.getStore()) ?? null;
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

  private scopeFor(span: Span | null | undefined): ActiveScope | undefined {
    if (span === undefined) return innermostOpen(this.storage.getStore());
    if (span === null) return undefined;
    return new ActiveScope(span, false, undefined);
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
