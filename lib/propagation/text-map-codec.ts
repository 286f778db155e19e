import type { SpanContext } from '../span-context';

/** Reads header-like carriers: name lookup is case-insensitive; `string[]` values arrive joined or whole. */
export interface CarrierReader {
  /** All values of `name` (case-insensitive), or an empty array. */
  getAll(name: string): string[];
}

/** What a codec found in a carrier: a context, baggage, or both. */
export interface ExtractedParts {
  context: SpanContext | null;
  baggage: Record<string, string> | null;
}

/**
 * One text wire format (W3C traceparent, b3, uber-trace-id, baggage...).
 * Implementations never throw: invalid input yields null parts.
 */
export interface TextMapCodec {
  readonly name: string;
  inject(context: SpanContext, carrier: Record<string, unknown>): void;
  extract(reader: CarrierReader): ExtractedParts;
}
