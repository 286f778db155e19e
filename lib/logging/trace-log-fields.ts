import type { Tracer } from '../tracer';
import { describeError } from '../util/describe';
import { FaultLogger, isFaultLogger } from '../util/fault-logger';

/**
 * The active span's ids under OpenTelemetry's log-correlation field names, so a log
 * line leads to its trace (and backends that link logs to traces find them).
 */
export interface TraceLogFields {
  /** 32 lowercase hex characters */
  trace_id: string;
  /** 16 lowercase hex characters */
  span_id: string;
  /** W3C trace flags as two hex digits: '01' sampled (recorded), '00' not */
  trace_flags: '01' | '00';
}

/** Where faults go when traceLogFields is given something that is not a sextant Tracer. */
let fallbackFaults: FaultLogger | undefined;

function faultsOf(tracer: unknown): FaultLogger {
  try {
    const own = tracer !== null && typeof tracer === 'object' ? (tracer as Partial<Tracer>)._faults : undefined;
    if (isFaultLogger(own)) return own;
  } catch {
    // A revoked proxy or a throwing getter: not a tracer, so not its logger either.
  }
  return (fallbackFaults ??= new FaultLogger(console));
}

/**
 * `{ trace_id, span_id, trace_flags }` of the span active where it is called, `{}` when
 * none is; for log lines, so each can be joined with its trace. It runs on every log
 * line, so it only reads the active span (no allocation beyond the result) and never
 * throws: a fault is reported once through the tracer's logger and gives `{}`.
 *
 * As a pino mixin, and as a winston format:
 *
 *     const log = pino({ mixin: () => traceLogFields(tracer) });
 *     const log = winston.createLogger({
 *       format: winston.format.combine(winston.format((info) => Object.assign(info, traceLogFields(tracer)))(), winston.format.json()),
 *       transports: [new winston.transports.Console()],
 *     });
 *     log.info('charged'); // {"msg":"charged","trace_id":"4bf9…","span_id":"00f0…","trace_flags":"01",…}
 */
export function traceLogFields(tracer: Tracer): TraceLogFields | Record<string, never> {
  try {
    const span = tracer.activeSpan();
    if (span === null || span === undefined) return {};
    const context = span.context();
    const traceId = context.traceId;
    const spanId = context.spanId;
    // A span of another tracer (a scope manager shared with one) has no ids to give.
    if (typeof traceId !== 'string' || typeof spanId !== 'string') return {};
    return { trace_id: traceId, span_id: spanId, trace_flags: context.sampled === true ? '01' : '00' };
  } catch (error) {
    faultsOf(tracer).warnOnce(
      'traceLogFields',
      `traceLogFields could not read the active span (${describeError(error)}); log lines carry no trace ids. It needs the sextant Tracer instance (opentracing.globalTracer() has no active span).`,
    );
    return {};
  }
}
