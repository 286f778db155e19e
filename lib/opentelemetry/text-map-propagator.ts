import * as api from '@opentelemetry/api';
import { headerValue } from '../propagation/carrier-reader';
import { PROPAGATION_LIMITS } from '../propagation/limits';
import type { CarrierReader, HeaderSetter } from '../propagation/text-map-codec';
import { EMPTY_BAGGAGE, SpanContext } from '../span-context';
import type { Baggage } from '../span-context';
import type { TracerInternals } from '../tracer';
import { describeError } from '../util/describe';
import { BAGGAGE_KEY, SPAN_KEY, SUPPRESS_TRACING_KEY } from './context-keys';
import type { SextantContextManager } from './context-manager';
import { OtelSpan } from './otel-span';
import type { SpanBridge } from './span-bridge';

const { maxCarrierNames } = PROPAGATION_LIMITS;

/**
 * `@opentelemetry/api`'s TextMapPropagator speaking the tracer's configured formats
 * (`TracerOptions.propagation`) with the tracer's own codecs, so `propagation.inject` and
 * `tracer.inject` write the same headers. Baggage is one set of data for both APIs: inject
 * writes the span's baggage items merged with the context's OpenTelemetry baggage (which
 * wins a shared key); extract puts what it reads both in the remote parent's baggage items
 * and in the context's OpenTelemetry baggage. Never throws.
 *
 *     api.propagation.inject(api.context.active(), headers); // traceparent, baggage, ...
 */
export class SextantTextMapPropagator implements api.TextMapPropagator {
  private headerNames: string[] | null = null;

  constructor(
    private readonly internals: TracerInternals,
    private readonly bridge: SpanBridge,
    private readonly contextManager: SextantContextManager,
  ) {}

  inject(context: api.Context, carrier: unknown, setter: api.TextMapSetter = api.defaultTextMapSetter): void {
    try {
      const frame = this.contextManager.frameOf(context);
      // As OpenTelemetry's own propagators: nothing goes out while tracing is suppressed.
      if (frame.values !== null && frame.getValue(SUPPRESS_TRACING_KEY) === true) return;
      const set: HeaderSetter = (target, name, value) => setter.set(target, name, value);
      const span = frame.activeSpan;
      const spanContext = span === null ? null : span.context();
      const baggage = this.mergedBaggage(spanContext === null ? EMPTY_BAGGAGE : spanContext.baggage, frame.getValue(BAGGAGE_KEY));
      if (spanContext !== null) {
        const sent = baggage === spanContext.baggage ? spanContext : withBaggage(spanContext, baggage);
        this.internals.propagator.injectTextMap(sent, carrier, set);
      } else if (Object.keys(baggage).length > 0) {
        this.internals.propagator.injectBaggage(baggage, carrier as object, set);
      }
    } catch (error) {
      this.internals.faults.warnOnce(
        'otel-inject',
        `OpenTelemetry propagation.inject() failed: ${describeError(error)}; nothing injected.`,
      );
    }
  }

  extract(context: api.Context, carrier: unknown, getter: api.TextMapGetter = api.defaultTextMapGetter): api.Context {
    try {
      const reader = new TextMapGetterReader(carrier, getter);
      const propagator = this.internals.propagator;
      const extracted = propagator.extractTextMap(carrier, reader);
      let result = context;
      let baggage: Baggage | null;
      if (extracted !== null) {
        result = result.setValue(SPAN_KEY, new OtelSpan(this.bridge.standIn(extracted), false));
        baggage = extracted.baggage;
      } else {
        baggage = propagator.extractBaggage(reader);
      }
      if (baggage !== null && Object.keys(baggage).length > 0) result = result.setValue(BAGGAGE_KEY, toOtelBaggage(baggage));
      return result;
    } catch (error) {
      this.internals.faults.warnOnce(
        'otel-extract',
        `OpenTelemetry propagation.extract() failed: ${describeError(error)}; context unchanged.`,
      );
      return context;
    }
  }

  fields(): string[] {
    return (this.headerNames ??= this.probeHeaderNames());
  }

  /** The span's baggage items with the context's OpenTelemetry baggage over them; the span's own object when that adds nothing. */
  private mergedBaggage(items: Baggage, contextBaggage: unknown): Baggage {
    if (contextBaggage === undefined || contextBaggage === null) return items;
    const entries = (contextBaggage as api.Baggage).getAllEntries();
    if (entries.length === 0) return items;
    const merged = Object.assign(Object.create(null) as Record<string, string>, items);
    let changed = false;
    for (const [key, entry] of entries) {
      const value = entry?.value;
      if (typeof value !== 'string' || merged[key] === value) continue;
      merged[key] = value;
      changed = true;
    }
    return changed ? merged : items;
  }

  /** The header names the configured formats write, found by injecting a sample context both ways (debug and not). */
  private probeHeaderNames(): string[] {
    const names = new Set<string>();
    for (const debug of [false, true]) {
      const sample = new SpanContext({
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        spanId: '00f067aa0ba902b7',
        sampled: true,
        debug,
        traceState: 'sextant=probe',
        baggage: { probe: '1' },
      });
      const carrier: Record<string, string> = {};
      this.internals.propagator.injectTextMap(sample, carrier);
      // Prefixed baggage headers (uberctx-probe, ot-baggage-probe) are per key, not fixed names.
      for (const name of Object.keys(carrier)) if (!name.endsWith('-probe')) names.add(name);
    }
    return [...names];
  }
}

function withBaggage(context: SpanContext, baggage: Baggage): SpanContext {
  return new SpanContext({
    traceId: context.traceId,
    spanId: context.spanId,
    sampled: context.sampled,
    baggage,
    debug: context.debug,
    traceState: context.traceState,
    remote: context.remote,
    randomTraceId: context.randomTraceId,
    decisionOnly: context.decisionOnly,
  });
}

/** sextant baggage as OpenTelemetry's `Baggage`. */
export function toOtelBaggage(baggage: Baggage): api.Baggage {
  const entries = Object.create(null) as Record<string, api.BaggageEntry>;
  for (const key of Object.keys(baggage)) entries[key] = { value: baggage[key] };
  return api.propagation.createBaggage(entries);
}

/**
 * A carrier read through OpenTelemetry's `TextMapGetter`. A name is asked for in lowercase
 * first; on a miss, the getter's keys are searched case-insensitively, as sextant's own
 * readers do (at most `maxCarrierNames` of them).
 */
class TextMapGetterReader implements CarrierReader {
  private keys: readonly string[] | null = null;

  constructor(
    private readonly carrier: unknown,
    private readonly getter: api.TextMapGetter,
  ) {}

  get(name: string): string | undefined {
    const direct = headerValue(this.getter.get(this.carrier, name));
    if (direct !== undefined) return direct;
    const keys = this.names();
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      if (key !== name && key.length === name.length && key.toLowerCase() === name) return headerValue(this.getter.get(this.carrier, key));
    }
    return undefined;
  }

  names(): readonly string[] {
    if (this.keys === null) {
      const keys = this.getter.keys(this.carrier);
      const out: string[] = [];
      if (Array.isArray(keys)) {
        for (let i = 0; i < keys.length && out.length < maxCarrierNames; i++) if (typeof keys[i] === 'string') out.push(keys[i]);
      }
      this.keys = out;
    }
    return this.keys;
  }
}
