import { SpanContext } from '../span-context';
import { isValidSpanId, isValidTraceId } from '../util/ids';
import type { CarrierReader, ExtractedParts, TextMapCodec } from './text-map-codec';

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** W3C Trace Context: `traceparent` and `tracestate`. */
export class W3CTraceContextCodec implements TextMapCodec {
  readonly name = 'tracecontext';

  inject(context: SpanContext, carrier: Record<string, unknown>): void {
    carrier.traceparent = `00-${context.traceId}-${context.spanId}-${context.sampled ? '01' : '00'}`;
    if (context.traceState) carrier.tracestate = context.traceState;
  }

  extract(reader: CarrierReader): ExtractedParts {
    const values = reader.getAll('traceparent');
    if (values.length !== 1) return { context: null, baggage: null };
    const m = TRACEPARENT.exec(values[0].trim());
    if (m === null || m[1] === 'ff' || (m[1] === '00' && m[5] !== undefined)) return { context: null, baggage: null };
    if (!isValidTraceId(m[2]) || !isValidSpanId(m[3])) return { context: null, baggage: null };
    const sampled = (parseInt(m[4], 16) & 1) === 1;
    const state = reader.getAll('tracestate').join(',');
    return { context: new SpanContext(m[2], m[3], sampled, undefined, false, state || undefined, true), baggage: null };
  }
}
