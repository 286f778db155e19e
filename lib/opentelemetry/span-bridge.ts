import * as api from '@opentelemetry/api';
import type { ContextBridge } from '../scope/active-scope';
import type { Span } from '../span';
import type { Baggage, SpanContext } from '../span-context';
import type { TracerInternals } from '../tracer';
import { BAGGAGE_KEY, SPAN_KEY } from './context-keys';
import { OtelSpan } from './otel-span';
import { fromOtelSpanContext } from './span-contexts';

/**
 * How sextant's async-local frames answer OpenTelemetry for their span and baggage: a
 * sextant span is presented as an `OtelSpan`; a span OpenTelemetry stores is taken as the
 * sextant span under an `OtelSpan`, or, for any other implementation (the API's
 * `NonRecordingSpan` from `trace.wrapSpanContext`, a remote parent), as a stand-in
 * sextant span with its context, which records nothing.
 *
 *     setContextBridge(new SpanBridge(tracer._internals()));
 */
export class SpanBridge implements ContextBridge {
  readonly spanKey = SPAN_KEY;
  readonly baggageKey = BAGGAGE_KEY;
  private readonly standIns = new WeakSet<Span>();
  /** baggage is replaced, never changed: one OpenTelemetry view per baggage object */
  private readonly baggageViews = new WeakMap<Baggage, api.Baggage>();

  constructor(private readonly internals: TracerInternals) {}

  present(span: Span): OtelSpan {
    return new OtelSpan(span, !this.standIns.has(span));
  }

  accept(value: unknown): Span | null {
    if (value instanceof OtelSpan) return value.span;
    if (value === null || typeof value !== 'object') return null;
    let spanContext: unknown;
    try {
      spanContext = (value as api.Span).spanContext();
    } catch {
      return null;
    }
    const context = fromOtelSpanContext(spanContext);
    return context === null ? null : this.standIn(context);
  }

  /** A span that stands for `context` (remote or foreign) in the active-span store and records nothing. */
  standIn(context: SpanContext): Span {
    const span = this.internals.standIn(context);
    this.standIns.add(span);
    return span;
  }

  baggageOf(span: Span): api.Baggage | undefined {
    const baggage = span.context().baggage;
    const keys = Object.keys(baggage);
    if (keys.length === 0) return undefined;
    let view = this.baggageViews.get(baggage);
    if (view === undefined) {
      const entries = Object.create(null) as Record<string, api.BaggageEntry>;
      for (const key of keys) entries[key] = { value: baggage[key] };
      view = api.propagation.createBaggage(entries);
      this.baggageViews.set(baggage, view);
    }
    return view;
  }
}
