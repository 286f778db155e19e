import * as api from '@opentelemetry/api';
import { ActiveScope, EMPTY_SCOPE } from '../scope/active-scope';
import type { AsyncLocalScopeManager } from '../scope/async-local-scope-manager';
import type { FaultLogger } from '../util/fault-logger';
import { describeError } from '../util/describe';
import { SPAN_KEY } from './context-keys';
import type { SpanBridge } from './span-bridge';

/**
 * `@opentelemetry/api`'s ContextManager over the tracer's own async-local store: a
 * context is a frame of that store, the same object OpenTracing's scope manager keeps, so
 * both APIs see one active span and one set of context values across `await`, timers and
 * bound emitters. `enable()` and `disable()` do nothing: the store belongs to the tracer,
 * which keeps using it after OpenTelemetry lets go.
 *
 *     api.context.setGlobalContextManager(new SextantContextManager(scopes, bridge, faults, null));
 */
export class SextantContextManager implements api.ContextManager {
  constructor(
    private readonly scopes: AsyncLocalScopeManager,
    private readonly bridge: SpanBridge,
    private readonly faults: FaultLogger,
    /** the context outside any OpenTelemetry one: given when the tracer's scope manager is not this store */
    private readonly outside: (() => api.Context) | null,
  ) {}

  /**
   * The active context: `ROOT_CONTEXT` when there is none, the very context given to `with`
   * or `bind` (ours or another implementation's), or the frame an OpenTracing activation made.
   */
  active(): api.Context {
    const current = this.scopes._current();
    if (current === undefined || current === EMPTY_SCOPE) return this.outside === null ? api.ROOT_CONTEXT : this.outside();
    if (current.values === null) return current;
    return (current.foreignContext() as api.Context | undefined) ?? current;
  }

  /** The active context as a frame of the store, without wrapping anything anew. */
  activeFrame(): ActiveScope {
    const current = this.scopes._current();
    if (current !== undefined) return current;
    return this.outside === null ? EMPTY_SCOPE : this.frameOf(this.outside());
  }

  /**
   * Makes `context` active for the rest of the current synchronous execution and the async
   * work it starts, until the token is disposed (`@opentelemetry/api` 1.10's experimental
   * `context.attach`). Prefer `with`.
   */
  attach(context: api.Context): { dispose(): void } {
    const restore = this.scopes._enter(this.frameOf(context));
    let disposed = false;
    return {
      dispose: () => {
        if (disposed) return;
        disposed = true;
        restore();
      },
    };
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: api.Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.scopes._runIn(this.frameOf(context), fn as unknown as (...args: never[]) => ReturnType<F>, thisArg, args);
  }

  bind<T>(context: api.Context, target: T): T {
    return this.scopes._bindTo(target, this.frameOf(context));
  }

  enable(): this {
    return this;
  }

  disable(): this {
    return this;
  }

  /**
   * A context as a frame of the store. Ours are frames already; `ROOT_CONTEXT` is the empty
   * one; any other implementation's is wrapped, its span taken now and its other values
   * read through it.
   */
  frameOf(context: api.Context): ActiveScope {
    if (context instanceof ActiveScope) return context;
    if (context === api.ROOT_CONTEXT || context === null || typeof context !== 'object') return EMPTY_SCOPE;
    // The active context handed out by `active()`: its frame is the one in the store already.
    const current = this.scopes._current();
    if (current !== undefined && current.values !== null && current.foreignContext() === context) return current;
    try {
      const value = context.getValue(SPAN_KEY);
      return ActiveScope.over(context, value === undefined ? null : this.bridge.accept(value), value);
    } catch (error) {
      this.faults.warnOnce(
        'otel-foreign-context',
        `an OpenTelemetry context could not be read (${describeError(error)}); used an empty one.`,
      );
      return EMPTY_SCOPE;
    }
  }
}
