import { SpanContext } from '../span-context';
import { randomSpanId, randomTraceId } from '../util/ids';
import { normalizedId, shortestTraceId } from './hex';
import type { CarrierReader, HeaderSetter, TextMapCodec } from './text-map-codec';

const TRACE_ID = /^(?:[0-9a-fA-F]{16}){1,2}$/;
const SPAN_ID = /^[0-9a-fA-F]{16}$/;
/**
 * trace-id "-" span-id ["-" sampling ["-" parent-span-id]]: hex runs of fixed lengths
 * between separators that are not hex, so matching is linear.
 */
const SINGLE_HEADER = /^((?:[0-9a-fA-F]{16}){1,2})-([0-9a-fA-F]{16})(?:-([01d])(?:-[0-9a-fA-F]{16})?)?$/;
/** the longest single header: 32 + 16 + 16 hex, a state, three dashes */
const MAX_SINGLE_HEADER = 128;

/** A B3 trace id: 16 or 32 hex, stored as 32. */
function b3TraceId(s: string): string | null {
  return TRACE_ID.test(s) ? normalizedId(s, 32) : null;
}

/** A B3 span id: exactly 16 hex. */
function b3SpanId(s: string): string | null {
  return SPAN_ID.test(s) ? normalizedId(s, 16) : null;
}

function remoteContext(traceId: string, spanId: string, sampled: boolean, debug: boolean): SpanContext {
  return new SpanContext({ traceId, spanId, sampled: sampled || debug, debug, remote: true });
}

/**
 * A sampling decision that came without ids (`b3: 0`, `X-B3-Sampled: 0` alone): a context
 * with fresh ids that carries only the decision. Any context with real ids wins over it.
 */
function decisionOnly(sampled: boolean, debug: boolean): SpanContext {
  return new SpanContext({
    traceId: randomTraceId(),
    spanId: randomSpanId(),
    sampled: sampled || debug,
    debug,
    remote: true,
    decisionOnly: true,
  });
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

  extractContext(reader: CarrierReader): SpanContext | null {
    const sampledText = reader.get('x-b3-sampled')?.trim();
    const debug = reader.get('x-b3-flags')?.trim() === '1';
    const sampled = sampledText === '1' || sampledText === 'true';
    if (sampledText !== undefined && !sampled && sampledText !== '0' && sampledText !== 'false') return null;
    const rawTrace = reader.get('x-b3-traceid');
    const rawSpan = reader.get('x-b3-spanid');
    if (rawTrace === undefined && rawSpan === undefined) {
      return sampledText !== undefined || debug ? decisionOnly(sampled, debug) : null;
    }
    if (rawTrace === undefined || rawSpan === undefined) return null;
    const traceId = b3TraceId(rawTrace.trim());
    const spanId = b3SpanId(rawSpan.trim());
    if (traceId === null || spanId === null) return null;
    const rawParent = reader.get('x-b3-parentspanid');
    if (rawParent !== undefined && !SPAN_ID.test(rawParent.trim())) return null;
    return remoteContext(traceId, spanId, sampled, debug);
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

  extractContext(reader: CarrierReader): SpanContext | null {
    const raw = reader.get('b3');
    if (raw === undefined || raw.length > MAX_SINGLE_HEADER) return null;
    const value = raw.trim();
    if (value.length === 1) {
      if (value === '0') return decisionOnly(false, false);
      if (value === '1') return decisionOnly(true, false);
      if (value === 'd') return decisionOnly(true, true);
      return null;
    }
    const match = SINGLE_HEADER.exec(value);
    if (match === null) return null;
    const traceId = normalizedId(match[1], 32);
    const spanId = normalizedId(match[2], 16);
    if (traceId === null || spanId === null) return null;
    const state = match[3];
    return remoteContext(traceId, spanId, state === '1', state === 'd');
  }
}
