import type { BaggageCarrying, BaggageMember } from './baggage-budget';
import type { PropagationName } from './propagation-name';
import type { Baggage, SpanContext } from '../span-context';

/** Reads header-like carriers. Names are looked up case-insensitively. */
export interface CarrierReader {
  /**
   * The value of header `name`, given in lowercase or exactly as `names()` spelled it.
   * Repeated values (a `string[]`) arrive joined with `,`, as HTTP combines repeated
   * fields. Undefined when absent.
   */
  get(name: string): string | undefined;
  /** Every header name in the carrier, as the carrier spells it; at most `maxCarrierNames` of them. */
  names(): readonly string[];
}

/** Writes one header into a carrier (a plain object, a `Map`, a fetch `Headers`...). */
export type HeaderSetter = (carrier: object, name: string, value: string) => void;

/**
 * One text wire format (W3C traceparent, b3, uber-trace-id, baggage...). A format carries
 * a context, baggage, or both. Extraction never throws: invalid input yields null.
 * `inject` writes only characters legal in HTTP header names and values.
 */
export interface TextMapCodec extends Partial<BaggageCarrying> {
  readonly name: PropagationName;
  /**
   * Writes `context` into `carrier`. A format that carries baggage writes `baggage`: the
   * members chosen for every such format together within the shared budget (`planBaggage`).
   */
  inject(context: SpanContext, carrier: object, set: HeaderSetter, baggage: readonly BaggageMember[]): void;
  /** The context this format carries, with `remote` set, or null. */
  extractContext?(reader: CarrierReader): SpanContext | null;
  /** The baggage this format carries, or null; merged into whichever context is chosen. */
  extractBaggage?(reader: CarrierReader): Baggage | null;
}
