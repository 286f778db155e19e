import type { EventEmitter } from 'node:events';
import type { Span } from '../span';

/**
 * A span made active for one callback and everything that callback starts
 * asynchronously. Scopes stay within the async context they were activated in.
 */
export interface Scope {
  /** The active span. */
  span(): Span;
  /**
   * Finishes the span if the scope was opened with `finishOnClose`, and deactivates it:
   * from then on, code running in that callback and its continuations sees the
   * previously active span again.
   */
  close(): void;
}

/**
 * Request-local storage for the active span.
 *
 *     tracer.scopeManager().activate(span, () => handle(req), true);
 */
export interface ScopeManager {
  /** The innermost open scope, or null when no span is active. */
  active(): Scope | null;
  /**
   * Runs `fn` with `span` active; its awaits, promises, timers and callbacks keep it.
   * With `finishOnClose`, the span is finished when `fn` returns or, if `fn` returns a
   * promise, when it settles. A throw or rejection is tagged on the span and re-thrown.
   */
  activate<T>(span: Span, fn: () => T, finishOnClose?: boolean): T;
  /**
   * Binds a function to a span (default: the span active now; null: no span), so it
   * runs with that span active wherever it is called from.
   */
  bind<F extends (...args: never[]) => unknown>(fn: F, span?: Span | null): F;
  /** Binds every listener later added to an EventEmitter, as `bind(fn)` does. */
  bind<E extends EventEmitter>(emitter: E, span?: Span | null): E;
}
