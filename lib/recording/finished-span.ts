/** One log record of a span: when, and what. */
export interface SpanLog {
  /** ms since the Unix epoch */
  timestamp: number;
  fields: Record<string, unknown>;
}

/** A causal link recorded on a span (OpenTracing references). */
export interface SpanReference {
  type: 'child_of' | 'follows_from';
  traceId: string;
  spanId: string;
}

/**
 * A finished, sampled span as handed to a `Recorder`: plain data, no methods.
 * The recorder owns it from then on; the tracer never changes it again.
 */
export interface FinishedSpan {
  /** 32 lowercase hex */
  traceId: string;
  /** 16 lowercase hex */
  spanId: string;
  /** 16 lowercase hex, absent on a root span */
  parentSpanId?: string;
  operationName: string;
  serviceName: string;
  /** ms since the Unix epoch, sub-millisecond precision */
  startTime: number;
  /** ms */
  duration: number;
  tags: Record<string, unknown>;
  logs: SpanLog[];
  references: SpanReference[];
  baggage: Record<string, string>;
}
