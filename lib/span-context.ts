import * as opentracing from 'opentracing';
import { randomSpanId } from './util/ids';
import { optionError } from './util/option-error';

/** Baggage as a context hands it out: never modified after that (setting an item copies it first). */
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
  /**
   * Copy on write: `_baggage` is changed in place only while nobody else can see it.
   * Whoever reads `baggage` (a child context, a finished span, an inject, user code) may
   * keep the object, so reading marks it shared and the next `_setBaggageItem` copies it
   * first. Setting n items in a row costs O(n); a copy is paid once per share.
   */
  private _baggage: Baggage;
  private _baggageShared: boolean;
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
  constructor(
    fieldsOrTraceId: SpanContextFields | string,
    // The deprecated positional form's other arguments, named rather than a rest array:
    // a rest parameter allocates an array on every construction, on the hot path.
    spanId?: string,
    sampled?: boolean,
    positionalBaggage?: Baggage,
    debug?: boolean,
    traceState?: string,
    remote?: boolean,
    randomTraceId?: boolean,
  ) {
    super();
    let given: SpanContextFields;
    let baggage: Baggage | undefined;
    try {
      given =
        typeof fieldsOrTraceId === 'string'
          ? {
              traceId: fieldsOrTraceId,
              spanId: spanId as string,
              sampled: sampled === true,
              baggage: positionalBaggage,
              debug: debug === true,
              traceState,
              remote: remote === true,
              randomTraceId: randomTraceId === true,
            }
          : fieldsOrTraceId;
      // Each field read once, here: a getter or Proxy trap that throws is a wrong argument.
      this.traceId = given.traceId;
      this.spanId = given.spanId;
      this.sampled = given.sampled;
      baggage = given.baggage;
      this.debug = given.debug === true;
      this.traceState = given.traceState;
      this.remote = given.remote === true;
      this.randomTraceId = given.randomTraceId === true;
      this.decisionOnly = given.decisionOnly === true;
    } catch {
      throw optionError('SpanContextFields', 'an object whose properties can be read', fieldsOrTraceId);
    }
    // Given baggage belongs to the caller: shared from the start.
    this._baggage = baggage ?? EMPTY_BAGGAGE;
    this._baggageShared = true;
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
    let spanId: string;
    let sampled: boolean | undefined;
    try {
      spanId = options.spanId;
      sampled = options.sampled;
    } catch {
      spanId = randomSpanId();
      sampled = undefined;
    }
    this._baggageShared = true;
    return new SpanContext({
      traceId: this.traceId,
      spanId,
      sampled: typeof sampled === 'boolean' ? sampled : this.sampled,
      baggage: this._baggage,
      debug: this.debug,
      traceState: this.traceState,
      randomTraceId: this.randomTraceId,
    });
  }

  /**
   * The baggage: key/value pairs that travel with the trace. Never changed after it is
   * read: setting an item later gives this context a new object.
   *
   *     span.context().baggage.tenant; // 'acme'
   */
  get baggage(): Baggage {
    this._baggageShared = true;
    return this._baggage;
  }

  /** Replaces the baggage; the object given is treated as the caller's and never changed. */
  set baggage(baggage: Baggage) {
    this._baggage = baggage;
    this._baggageShared = true;
  }

  /** @internal the baggage item for `key`, without sharing the object */
  _baggageItem(key: string): string | undefined {
    const baggage = this._baggage;
    return Object.prototype.hasOwnProperty.call(baggage, key) ? baggage[key] : undefined;
  }

  /** @internal the baggage object as it stands, for tests of the copy-on-write rule; does not share it */
  _peekBaggage(): Baggage {
    return this._baggage;
  }

  /**
   * @internal sets one baggage item: in place when the baggage object is this context's
   * own and unseen, else on a copy (amortised O(1) per call).
   */
  _setBaggageItem(key: string, value: string): void {
    let own = this._baggage as Record<string, string>;
    if (this._baggageShared) {
      own = Object.assign(Object.create(null) as Record<string, string>, own);
      this._baggage = own;
      this._baggageShared = false;
    }
    // A null-prototype object: `__proto__` is an ordinary key here.
    own[key] = value;
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
