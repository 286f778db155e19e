import type { Span } from '../span';
import type { Scope } from './scope-manager';
import { finishSpan } from './settle';

/**
 * Context values other than the span, keyed by symbol (OpenTelemetry's context keys:
 * baggage, suppressTracing, instrumentation keys). Shared between frames and copied on
 * write, so a frame never changes once made.
 */
type ContextValues = ReadonlyMap<symbol, unknown>;

/** Under this key, `values` holds a context of another implementation to read unknown keys from. */
const FALLBACK = Symbol('sextant.fallbackContext');
/** Under this key, `values` holds the frame `over` made for that context: frames derived from it share the map, not the identity. */
const WRAPPER = Symbol('sextant.wrapperFrame');

/**
 * How another context API (OpenTelemetry's) names and represents the span of a context.
 * Installed by `sextant/opentelemetry` while it is registered; null otherwise, and then
 * frames are plain OpenTracing scopes that also hold values.
 */
export interface ContextBridge {
  /** the key under which that API stores a context's span */
  readonly spanKey: symbol;
  /** the key under which that API stores a context's baggage */
  readonly baggageKey: symbol;
  /** what that API sees as the span of a frame whose span is `span` */
  present(span: Span): unknown;
  /** the sextant span standing for a value that API stored as its span; null for none or an invalid one */
  accept(value: unknown): Span | null;
  /** that API's view of `span`'s baggage items, or undefined when it has none */
  baggageOf(span: Span): unknown;
}

let bridge: ContextBridge | null = null;

/**
 * Installs (or, with null, removes) the bridge every frame consults for its span and
 * baggage keys. One per process, like the OpenTelemetry API's own globals.
 */
export function setContextBridge(next: ContextBridge | null): void {
  bridge = next;
}

/**
 * One frame of the async-local store: the active span for OpenTracing (a `Scope`) and,
 * the same object, an OpenTelemetry `Context` (`getValue`/`setValue`/`deleteValue`).
 * OpenTracing activations make a frame that shares its parent's values; OpenTelemetry's
 * `setValue` makes a new frame that shares the span. Either way there is one store and one
 * active span for both APIs.
 *
 *     const frame = new ActiveScope(span, true, innermostOpen(storage.getStore()));
 */
export class ActiveScope implements Scope {
  closed = false;

  constructor(
    /** the span active in this frame; null in a context that has none (a root, or values only) */
    readonly activeSpan: Span | null,
    readonly finishOnClose: boolean,
    /** the scope active when this one was opened, seen again once this one closes */
    readonly parent: ActiveScope | undefined,
    /** the other context values: the parent's, unless a context API set some */
    readonly values: ContextValues | null = parent === undefined ? null : parent.values,
    /**
     * what the bridged API stored as this frame's span (or presented for `activeSpan`, once
     * asked); undefined until then. A foreign span without a usable context is kept here
     * while `activeSpan` is null.
     */
    private bridgedSpan: unknown = undefined,
  ) {}

  /** A frame over a context of another implementation: its span taken once, its other keys read through. */
  static over(context: { getValue(key: symbol): unknown }, span: Span | null, bridgedSpan: unknown): ActiveScope {
    const values = new Map<symbol, unknown>([[FALLBACK, context]]);
    const frame = new ActiveScope(span, false, undefined, values, bridgedSpan);
    values.set(WRAPPER, frame);
    return frame;
  }

  /**
   * The context of another implementation this frame was made over (`over`), when the frame
   * is that context unchanged: what the API should hand back as the active context. Frames
   * derived from it (other values, another span, OpenTracing activations) are their own.
   */
  foreignContext(): unknown {
    const values = this.values;
    return values !== null && values.get(WRAPPER) === this ? values.get(FALLBACK) : undefined;
  }

  span(): Span {
    return this.activeSpan as Span;
  }

  close(): void {
    if (this.closed || this.activeSpan === null) return;
    this.closed = true;
    if (this.finishOnClose) finishSpan(this.activeSpan);
  }

  /** The value under `key`, as OpenTelemetry's `Context.getValue` reads it. */
  getValue(key: symbol): unknown {
    const current = bridge;
    if (current !== null && key === current.spanKey) {
      if (this.bridgedSpan === undefined && this.activeSpan !== null) this.bridgedSpan = current.present(this.activeSpan);
      return this.bridgedSpan;
    }
    const values = this.values;
    if (values !== null) {
      if (values.has(key)) return values.get(key);
      const fallback = values.get(FALLBACK) as { getValue(key: symbol): unknown } | undefined;
      if (fallback !== undefined) {
        const value = readThrough(fallback, key);
        if (value !== undefined) return value;
      }
    }
    if (current !== null && key === current.baggageKey && this.activeSpan !== null) return current.baggageOf(this.activeSpan);
    return undefined;
  }

  /** A new frame: this one with `key` set to `value` (the span, when `key` is the bridged span key). */
  setValue(key: symbol, value: unknown): ActiveScope {
    const current = bridge;
    if (current !== null && key === current.spanKey) {
      return new ActiveScope(value === undefined ? null : current.accept(value), false, undefined, this.values, value);
    }
    const values = new Map(this.values ?? undefined);
    values.delete(WRAPPER);
    values.set(key, value);
    return new ActiveScope(this.activeSpan, false, undefined, values, this.bridgedSpan);
  }

  /** A new frame: this one without `key`. */
  deleteValue(key: symbol): ActiveScope {
    const current = bridge;
    if (current !== null && key === current.spanKey) return new ActiveScope(null, false, undefined, this.values, undefined);
    if (this.values === null) return this;
    const values = new Map(this.values);
    values.delete(WRAPPER);
    // Over a foreign context, absent would read through to it: shadow the key instead.
    if (values.has(FALLBACK)) values.set(key, undefined);
    else values.delete(key);
    return new ActiveScope(this.activeSpan, false, undefined, values.size === 0 ? null : values, this.bridgedSpan);
  }
}

/** A foreign context's value; one that throws reads as absent. */
function readThrough(context: { getValue(key: symbol): unknown }, key: symbol): unknown {
  try {
    return context.getValue(key);
  } catch {
    return undefined;
  }
}

/** The empty context: no span, no values. What OpenTelemetry sees when nothing is active. */
export const EMPTY_SCOPE = new ActiveScope(null, false, undefined, null);

/** The innermost frame not closed by `Scope.close()`, starting at `scope`. */
export function innermostOpen(scope: ActiveScope | undefined): ActiveScope | undefined {
  while (scope !== undefined && scope.closed) scope = scope.parent;
  return scope;
}
