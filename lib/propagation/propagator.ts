import type { PropagationName } from './propagation-name';
import { SpanContext } from '../span-context';
import { isAllZeroHex } from '../util/ids';
import type { Baggage } from '../span-context';
import { B3MultiCodec, B3SingleCodec } from './b3-codecs';
import { decodeBinaryContext, encodeBinaryContext } from './binary-codec';
import { readerFor } from './carrier-reader';
import { setterFor } from './carrier-writer';
import { planBaggage } from './baggage-budget';
import type { BaggageCarrying } from './baggage-budget';
import { newBaggageRecord } from './baggage-text';
import { isLowerHexRun } from './hex';
import { JaegerCodec } from './jaeger-codec';
import { OtTraceCodec } from './ottrace-codec';
import type { CarrierReader, HeaderSetter, TextMapCodec } from './text-map-codec';
import { W3CBaggageCodec } from './w3c-baggage-codec';
import { W3CTraceContextCodec } from './w3c-trace-context-codec';
import { XRayCodec } from './xray-codec';

const CODECS: Record<PropagationName, () => TextMapCodec> = {
  tracecontext: () => new W3CTraceContextCodec(),
  baggage: () => new W3CBaggageCodec(),
  jaeger: () => new JaegerCodec(),
  b3multi: () => new B3MultiCodec(),
  b3: () => new B3SingleCodec(),
  ottrace: () => new OtTraceCodec(),
  xray: () => new XRayCodec(),
};

const NO_TRACE_ID = '0'.repeat(32);
const NO_SPAN_ID = '0'.repeat(16);

/** Baggage from several formats in one object; the format listed first wins a shared key. */
function mergeBaggage(first: Baggage, later: Baggage): Baggage {
  const merged = Object.assign(newBaggageRecord(), later);
  for (const key of Object.keys(first)) merged[key] = first[key];
  return merged;
}

/**
 * The formats a tracer speaks, in order. `injectTextMap` writes every one, the baggage
 * within one budget shared by every format that carries it (`planBaggage`);
 * `extractTextMap` takes the first valid context and merges into it the baggage of every
 * format that carries some. The binary format is always the same one.
 *
 *     const propagator = new Propagator(['tracecontext', 'baggage', 'b3multi']);
 *     propagator.injectTextMap(span.context(), headers);
 */
export class Propagator {
  private readonly codecs: readonly TextMapCodec[];
  /** the codecs that write baggage: they share one budget */
  private readonly baggageFormats: readonly BaggageCarrying[];

  constructor(names: readonly PropagationName[]) {
    const codecs: TextMapCodec[] = [];
    const seen = new Set<PropagationName>();
    for (const name of names) {
      const make = CODECS[name];
      if (make === undefined || seen.has(name)) continue;
      seen.add(name);
      codecs.push(make());
    }
    this.codecs = codecs;
    this.baggageFormats = codecs.filter((codec): codec is TextMapCodec & BaggageCarrying => codec.baggageBytes !== undefined);
  }

  /**
   * Writes `context` into a header carrier in every configured format (through `set` when
   * given: OpenTelemetry's `TextMapSetter`). Throws on misuse
   * (a carrier that is not an object, invalid ids); the tracer catches and reports it.
   *
   *     const headers = {};
   *     propagator.injectTextMap(span.context(), headers); // { traceparent: '00-…-01', … }
   */
  injectTextMap(context: SpanContext, carrier: unknown, set: HeaderSetter | null = setterFor(carrier)): void {
    if (set === null) throw new TypeError(`carrier must be an object, got ${carrier === null ? 'null' : typeof carrier}`);
    checkIds(context);
    const baggage = planBaggage(context.baggage, this.baggageFormats);
    const codecs = this.codecs;
    for (let i = 0; i < codecs.length; i++) codecs[i].inject(context, carrier as object, set, baggage);
  }

  /**
   * The context in a header carrier, or null. Never throws, whatever the carrier holds.
   * `reader` reads the carrier instead of the default one (OpenTelemetry's `TextMapGetter`).
   *
   *     const parent = propagator.extractTextMap(req.headers); // SpanContext with remote = true
   */
  extractTextMap(carrier: unknown, reader: CarrierReader | null = null): SpanContext | null {
    try {
      reader ??= readerFor(carrier);
      return reader === null ? null : this.extractFrom(reader);
    } catch {
      return null;
    }
  }

  private extractFrom(reader: CarrierReader): SpanContext | null {
    let context: SpanContext | null = null;
    let decision: SpanContext | null = null;
    let baggage: Baggage | null = null;
    const codecs = this.codecs;
    for (let i = 0; i < codecs.length; i++) {
      const codec = codecs[i];
      // Once a context with real ids is found, later formats only contribute baggage.
      if (context === null && codec.extractContext !== undefined) {
        const found = codec.extractContext(reader);
        if (found !== null) {
          if (!found.decisionOnly) context = found;
          else decision ??= found;
        }
      }
      if (codec.extractBaggage !== undefined) {
        const found = codec.extractBaggage(reader);
        if (found !== null) baggage = baggage === null ? found : mergeBaggage(baggage, found);
      }
    }
    const chosen = context ?? decision;
    if (chosen !== null && baggage !== null) chosen.baggage = baggage;
    return chosen;
  }

  /**
   * The baggage in a header carrier when it carries no context (W3C `baggage` alone), or
   * null. Never throws.
   *
   *     propagator.extractBaggage(readerFor(headers)); // { tenant: 'acme' }
   */
  extractBaggage(reader: CarrierReader): Baggage | null {
    try {
      let baggage: Baggage | null = null;
      for (const codec of this.codecs) {
        if (codec.extractBaggage === undefined) continue;
        const found = codec.extractBaggage(reader);
        if (found !== null) baggage = baggage === null ? found : mergeBaggage(baggage, found);
      }
      return baggage;
    } catch {
      return null;
    }
  }

  /**
   * Writes baggage that travels without a span context: through the formats that carry
   * baggage alone (W3C `baggage`); the others need ids. Throws on misuse.
   *
   *     propagator.injectBaggage({ tenant: 'acme' }, headers, setterFor(headers));
   */
  injectBaggage(baggage: Baggage, carrier: object, set: HeaderSetter): void {
    const context = new SpanContext({ traceId: NO_TRACE_ID, spanId: NO_SPAN_ID, sampled: false, baggage });
    const planned = planBaggage(baggage, this.baggageFormats);
    for (const codec of this.codecs) if (codec.name === 'baggage') codec.inject(context, carrier, set, planned);
  }

  /** The configured formats, in order, without repeats. */
  formatNames(): PropagationName[] {
    return this.codecs.map((codec) => codec.name);
  }

  /**
   * Sets `carrier.buffer` to the binary encoding of `context`. Throws on misuse; the tracer
   * catches and reports it.
   *
   *     const carrier = new opentracing.BinaryCarrier([]);
   *     propagator.injectBinary(span.context(), carrier); // carrier.buffer: Buffer
   */
  injectBinary(context: SpanContext, carrier: unknown): void {
    if (carrier === null || typeof carrier !== 'object') {
      throw new TypeError(`binary carrier must be an object with a buffer field, got ${carrier === null ? 'null' : typeof carrier}`);
    }
    checkIds(context);
    (carrier as { buffer: unknown }).buffer = encodeBinaryContext(context);
  }

  /**
   * The context in `carrier.buffer`, or null. Never throws.
   *
   *     const parent = propagator.extractBinary({ buffer: message.traceBytes });
   */
  extractBinary(carrier: unknown): SpanContext | null {
    try {
      if (carrier === null || typeof carrier !== 'object') return null;
      return decodeBinaryContext((carrier as { buffer?: unknown }).buffer);
    } catch {
      return null;
    }
  }
}

/** The ids checked last: a trace injects many times with one trace id, so most checks are one comparison. */
let lastTraceId = '';
let lastSpanId = '';

/** `id` is `length` lowercase hex digits, not all zero. */
function isValidId(id: unknown, length: number): boolean {
  return typeof id === 'string' && id.length === length && isLowerHexRun(id, 0, length) && !isAllZeroHex(id);
}

/** A context built by hand may hold anything: only valid ids reach the wire. */
function checkIds(context: SpanContext): void {
  const { traceId, spanId } = context;
  if (traceId !== lastTraceId) {
    if (!isValidId(traceId, 32)) throw new TypeError('span context has an invalid trace or span id; nothing injected');
    lastTraceId = traceId;
  }
  if (spanId !== lastSpanId) {
    if (!isValidId(spanId, 16)) throw new TypeError('span context has an invalid trace or span id; nothing injected');
    lastSpanId = spanId;
  }
}
