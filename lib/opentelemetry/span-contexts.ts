import type * as api from '@opentelemetry/api';
import { normalizeTraceState } from '../propagation/trace-state';
import { SpanContext } from '../span-context';
import { isValidSpanId, isValidTraceId } from '../util/ids';
import { W3CTraceState } from './trace-state';

/** OpenTelemetry's `TraceFlags.SAMPLED`, the only flag it defines. */
const SAMPLED_FLAG = 1;

/**
 * A sextant span context as OpenTelemetry's `SpanContext`: same ids, the sampled flag,
 * the `tracestate`, and `isRemote` for a context extracted from a carrier.
 *
 *     toOtelSpanContext(span.context()); // { traceId, spanId, traceFlags: 1, isRemote: false }
 */
export function toOtelSpanContext(context: SpanContext): api.SpanContext {
  const result: api.SpanContext = {
    traceId: context.traceId,
    spanId: context.spanId,
    traceFlags: context.sampled ? SAMPLED_FLAG : 0,
    isRemote: context.remote,
  };
  if (context.traceState !== undefined) result.traceState = new W3CTraceState(context.traceState);
  return result;
}

/**
 * An OpenTelemetry `SpanContext` (of any implementation) as sextant's, or null when its
 * ids are not valid. Never throws, whatever the object does.
 *
 *     fromOtelSpanContext(trace.getSpanContext(ctx)); // SpanContext { remote: true, ... } or null
 */
export function fromOtelSpanContext(value: unknown): SpanContext | null {
  try {
    if (value === null || typeof value !== 'object') return null;
    const candidate = value as Partial<api.SpanContext>;
    const traceId = typeof candidate.traceId === 'string' ? candidate.traceId.toLowerCase() : '';
    const spanId = typeof candidate.spanId === 'string' ? candidate.spanId.toLowerCase() : '';
    if (!isValidTraceId(traceId) || !isValidSpanId(spanId)) return null;
    const flags = candidate.traceFlags;
    const serialized = candidate.traceState?.serialize();
    return new SpanContext({
      traceId,
      spanId,
      sampled: typeof flags === 'number' && (flags & SAMPLED_FLAG) === SAMPLED_FLAG,
      traceState: typeof serialized === 'string' && serialized.length > 0 ? normalizeTraceState(serialized) : undefined,
      remote: candidate.isRemote === true,
    });
  } catch {
    return null;
  }
}
