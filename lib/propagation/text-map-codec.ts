import type { PropagationName } from '../options';
import type { Baggage, SpanContext } from '../span-context';

/** Reads header-like carriers. Names are looked up case-insensitively. */
export interface CarrierReader {
  /**
   * The value of header `name` (given in lowercase). Repeated values (a `string[]`)
   * arrive joined with `,`, as HTTP combines repeated fields. Undefined when absent.
   */
  get(name: string): string | undefined;
  /** Every header name in the carrier, as the carrier spells it; at most `maxCarrierNames` of them. */
  names(): readonly string[];
}

/** Writes one header into a carrier (a plain object, a `Map`, a fetch `Headers`...). */
export type HeaderSetter = (carrier: object, name: string, value: string) => void;

/** What a codec found in a carrier: a context, baggage, or both. */
export interface ExtractedParts {
  /** a context with `remote` set, or null */
  readonly context: SpanContext | null;
  /** baggage this format carries, or null; merged by the propagator into the chosen context */
  readonly baggage: Baggage | null;
  /**
   * The context only carries a sampling decision (a bare `b3: 0`, or `X-B3-Sampled`
   * without ids): its ids are fresh, and any context with real ids wins over it.
   */
  readonly decisionOnly?: boolean;
}

/** Returned by codecs that found nothing; shared, so a miss allocates nothing. */
export const NOTHING_EXTRACTED: ExtractedParts = Object.freeze({ context: null, baggage: null });

/**
 * One text wire format (W3C traceparent, b3, uber-trace-id, baggage...).
 * `extract` never throws: invalid input yields `NOTHING_EXTRACTED`. `inject` writes only
 * characters legal in an HTTP header value.
 */
export interface TextMapCodec {
  readonly name: PropagationName;
  inject(context: SpanContext, carrier: object, set: HeaderSetter): void;
  extract(reader: CarrierReader): ExtractedParts;
}
