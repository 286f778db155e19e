import * as opentracing from 'opentracing';

/** Baggage is shared between contexts and replaced, never modified, when it changes. */
export type Baggage = Readonly<Record<string, string>>;

export const EMPTY_BAGGAGE: Baggage = Object.freeze(Object.create(null) as Record<string, string>);

/**
 * The part of a span that crosses process boundaries: ids, the sampling decision,
 * baggage, and the W3C `tracestate` received from upstream.
 *
 *     const ctx = span.context();
 *     ctx.toTraceId(); // '4bf92f3577b34da6a3ce929d0e0e4736'
 */
export class SpanContext extends opentracing.SpanContext {
  /**
   * @param traceId 32 lowercase hex characters.
   * @param spanId 16 lowercase hex characters.
   * @param sampled whether spans of this trace are recorded; travels on the wire.
   * @param baggage key/value pairs that travel with the trace; never mutated.
   * @param debug the Jaeger/B3 debug flag: forces sampling and travels on the wire.
   * @param traceState the W3C `tracestate` value, passed on unchanged.
   * @param remote whether this context was extracted from a carrier.
   * @param randomTraceId the W3C Level 2 random-trace-id flag received with the trace id; passed on unchanged.
   */
  constructor(
    readonly traceId: string,
    readonly spanId: string,
    public sampled: boolean,
    public baggage: Baggage = EMPTY_BAGGAGE,
    readonly debug: boolean = false,
    readonly traceState: string | undefined = undefined,
    readonly remote: boolean = false,
    readonly randomTraceId: boolean = false,
  ) {
    super();
  }

  /** The trace id as 32 lowercase hex characters. */
  toTraceId(): string {
    return this.traceId;
  }

  /** The span id as 16 lowercase hex characters. */
  toSpanId(): string {
    return this.spanId;
  }
}
