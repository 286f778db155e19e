import * as opentracing from 'opentracing';

/** Baggage is shared between contexts and replaced, never modified, when it changes. */
export type Baggage = Readonly<Record<string, string>>;

export const EMPTY_BAGGAGE: Baggage = Object.freeze(Object.create(null) as Record<string, string>);

/** What a `SpanContext` is made of; everything but the ids and `sampled` is optional. */
export interface SpanContextFields {
  /** 32 lowercase hex characters */
  traceId: string;
  /** 16 lowercase hex characters */
  spanId: string;
  /** whether spans of this trace are recorded; travels on the wire */
  sampled: boolean;
  /** key/value pairs that travel with the trace; never mutated. Default none */
  baggage?: Baggage;
  /** the Jaeger/B3 debug flag: forces sampling and travels on the wire. Default false */
  debug?: boolean;
  /** the W3C `tracestate` value, passed on unchanged */
  traceState?: string;
  /** whether this context was extracted from a carrier (its span lives elsewhere). Default false */
  remote?: boolean;
  /** the W3C Level 2 random-trace-id flag received with the trace id; passed on unchanged. Default false */
  randomTraceId?: boolean;
  /**
   * the context carries only a sampling decision (a bare `b3: 0`, or `X-B3-Sampled` without
   * ids): its ids are made up, and a context with real ids from another format wins over it.
   * Default false
   */
  decisionOnly?: boolean;
}

/**
 * The part of a span that crosses process boundaries: ids, the sampling decision,
 * baggage, and the W3C `tracestate` received from upstream.
 *
 *     const ctx = span.context();
 *     ctx.toTraceId(); // '4bf92f3577b34da6a3ce929d0e0e4736'
 *
 * Built by name:
 *
 *     new SpanContext({ traceId, spanId, sampled: true, baggage: { tenant: 'acme' } });
 */
export class SpanContext extends opentracing.SpanContext {
  /** 32 lowercase hex characters */
  readonly traceId: string;
  /** 16 lowercase hex characters */
  readonly spanId: string;
  /** whether spans of this trace are recorded; `sampling.priority` may change it before the span finishes */
  sampled: boolean;
  /** replaced, never mutated, when an item is set: contexts made earlier keep theirs */
  baggage: Baggage;
  readonly debug: boolean;
  readonly traceState: string | undefined;
  readonly remote: boolean;
  readonly randomTraceId: boolean;
  readonly decisionOnly: boolean;

  constructor(fields: SpanContextFields);
  /** @deprecated positional form of sextant 0.1; pass a `SpanContextFields` object instead. */
  constructor(
    traceId: string,
    spanId: string,
    sampled?: boolean,
    baggage?: Baggage,
    debug?: boolean,
    traceState?: string,
    remote?: boolean,
    randomTraceId?: boolean,
  );
  constructor(fieldsOrTraceId: SpanContextFields | string, ...positional: unknown[]) {
    super();
    const f: SpanContextFields = typeof fieldsOrTraceId === 'string' ? fromPositional(fieldsOrTraceId, positional) : fieldsOrTraceId;
    this.traceId = f.traceId;
    this.spanId = f.spanId;
    this.sampled = f.sampled;
    this.baggage = f.baggage ?? EMPTY_BAGGAGE;
    this.debug = f.debug === true;
    this.traceState = f.traceState;
    this.remote = f.remote === true;
    this.randomTraceId = f.randomTraceId === true;
    this.decisionOnly = f.decisionOnly === true;
  }

  /**
   * The context of a span started in this process as a child of this one: same trace,
   * baggage, flags and `tracestate`, a new span id, not remote.
   *
   *     const child = parent.child({ spanId: randomSpanId() });
   *
   * @param sampled the child's decision; default the parent's
   */
  child(options: { spanId: string; sampled?: boolean }): SpanContext {
    return new SpanContext({
      traceId: this.traceId,
      spanId: options.spanId,
      sampled: options.sampled ?? this.sampled,
      baggage: this.baggage,
      debug: this.debug,
      traceState: this.traceState,
      randomTraceId: this.randomTraceId,
    });
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

function fromPositional(traceId: string, rest: unknown[]): SpanContextFields {
  const [spanId, sampled, baggage, debug, traceState, remote, randomTraceId] = rest;
  return {
    traceId,
    spanId: spanId as string,
    sampled: sampled === true,
    baggage: baggage as Baggage | undefined,
    debug: debug === true,
    traceState: traceState as string | undefined,
    remote: remote === true,
    randomTraceId: randomTraceId === true,
  };
}
