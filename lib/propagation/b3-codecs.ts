import { EMPTY_BAGGAGE, SpanContext } from '../span-context';
import { randomSpanId, randomTraceId } from '../util/ids';
import { isHex, paddedLowerHex, shortestTraceId } from './hex';
import { NOTHING_EXTRACTED } from './text-map-codec';
import type { CarrierReader, ExtractedParts, HeaderSetter, TextMapCodec } from './text-map-codec';

/** A B3 trace id: 16 or 32 hex, stored as 32. */
function b3TraceId(s: string): string | null {
  return s.length === 16 || s.length === 32 ? paddedLowerHex(s, 0, s.length, 32) : null;
}

/** A B3 span id: exactly 16 hex. */
function b3SpanId(s: string): string | null {
  return s.length === 16 ? paddedLowerHex(s, 0, 16, 16) : null;
}

function remoteContext(traceId: string, spanId: string, sampled: boolean, debug: boolean): SpanContext {
  return new SpanContext(traceId, spanId, sampled || debug, EMPTY_BAGGAGE, debug, undefined, true);
}

/**
 * A sampling decision that came without ids (`b3: 0`, `X-B3-Sampled: 0` alone): a context
 * with fresh ids that carries only the decision. Any context with real ids wins over it.
 */
function decisionOnly(sampled: boolean, debug: boolean): ExtractedParts {
  return { context: remoteContext(randomTraceId(), randomSpanId(), sampled, debug), baggage: null, decisionOnly: true };
}

/**
 * Zipkin B3, one header per field: `X-B3-TraceId` (16 or 32 hex), `X-B3-SpanId`,
 * `X-B3-ParentSpanId`, `X-B3-Sampled` (`1`/`0`, also `true`/`false`) and `X-B3-Flags: 1`
 * for debug. Without `X-B3-Sampled` the context counts as not sampled, as OpenTelemetry reads it.
 * Written in lowercase, as HTTP/2 requires; read in any case.
 */
export class B3MultiCodec implements TextMapCodec {
  readonly name = 'b3multi' as const;

  inject(context: SpanContext, carrier: object, set: HeaderSetter): void {
    set(carrier, 'x-b3-traceid', shortestTraceId(context.traceId));
    set(carrier, 'x-b3-spanid', context.spanId);
    // Debug implies sampled, so B3 sends only the flag.
    if (context.debug) set(carrier, 'x-b3-flags', '1');
    else set(carrier, 'x-b3-sampled', context.sampled ? '1' : '0');
  }

  extract(reader: CarrierReader): ExtractedParts {
    const rawSampled = reader.get('x-b3-sampled');
    const debug = reader.get('x-b3-flags')?.trim() === '1';
    const sampledText = rawSampled?.trim();
    const sampled = sampledText === '1' || sampledText === 'true';
    if (sampledText !== undefined && !sampled && sampledText !== '0' && sampledText !== 'false') return NOTHING_EXTRACTED;
    const rawTrace = reader.get('x-b3-traceid');
    const rawSpan = reader.get('x-b3-spanid');
    if (rawTrace === undefined && rawSpan === undefined) {
      return sampledText !== undefined || debug ? decisionOnly(sampled, debug) : NOTHING_EXTRACTED;
    }
    if (rawTrace === undefined || rawSpan === undefined) return NOTHING_EXTRACTED;
    const traceId = b3TraceId(rawTrace.trim());
    const spanId = b3SpanId(rawSpan.trim());
    if (traceId === null || spanId === null) return NOTHING_EXTRACTED;
    const rawParent = reader.get('x-b3-parentspanid');
    if (rawParent !== undefined && b3SpanId(rawParent.trim()) === null) return NOTHING_EXTRACTED;
    return { context: remoteContext(traceId, spanId, sampled, debug), baggage: null };
  }
}

/**
 * Zipkin B3, single header: `b3: {trace-id}-{span-id}[-{sampling}[-{parent-span-id}]]`
 * with sampling `1`, `0` or `d` (debug), or only the sampling state (`b3: 0`), which
 * yields a decision-only context.
 */
export class B3SingleCodec implements TextMapCodec {
  readonly name = 'b3' as const;

  inject(context: SpanContext, carrier: object, set: HeaderSetter): void {
    const state = context.debug ? 'd' : context.sampled ? '1' : '0';
    set(carrier, 'b3', `${shortestTraceId(context.traceId)}-${context.spanId}-${state}`);
  }

  extract(reader: CarrierReader): ExtractedParts {
    const raw = reader.get('b3');
    if (raw === undefined || raw.length > 128) return NOTHING_EXTRACTED;
    const value = raw.trim();
    if (value.length === 1) {
      if (value === '0') return decisionOnly(false, false);
      if (value === '1') return decisionOnly(true, false);
      if (value === 'd') return decisionOnly(true, true);
      return NOTHING_EXTRACTED;
    }
    const d1 = value.indexOf('-');
    const d2 = d1 === -1 ? -1 : value.indexOf('-', d1 + 1);
    const d3 = d2 === -1 ? -1 : value.indexOf('-', d2 + 1);
    if (d1 === -1 || (d3 !== -1 && value.indexOf('-', d3 + 1) !== -1)) return NOTHING_EXTRACTED;
    const traceId = b3TraceId(value.slice(0, d1));
    const spanId = b3SpanId(value.slice(d1 + 1, d2 === -1 ? value.length : d2));
    if (traceId === null || spanId === null) return NOTHING_EXTRACTED;
    let sampled = false;
    let debug = false;
    if (d2 !== -1) {
      const state = value.slice(d2 + 1, d3 === -1 ? value.length : d3);
      if (state === 'd') debug = true;
      else if (state === '1') sampled = true;
      else if (state !== '0') return NOTHING_EXTRACTED;
      if (d3 !== -1 && (value.length - d3 - 1 !== 16 || !isHex(value, d3 + 1, value.length))) return NOTHING_EXTRACTED;
    }
    return { context: remoteContext(traceId, spanId, sampled, debug), baggage: null };
  }
}
