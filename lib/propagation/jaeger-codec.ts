import { SpanContext } from '../span-context';
import type { Baggage } from '../span-context';
import type { BaggageCarrying, BaggageMember } from './baggage-budget';
import { BaggageBuilder, decodeBaggageText } from './baggage-text';
import { normalizedId, shortestTraceId } from './hex';
import { PROPAGATION_LIMITS } from './limits';
import type { CarrierReader, HeaderSetter, TextMapCodec } from './text-map-codec';

const { maxBaggageBytes } = PROPAGATION_LIMITS;
const CONTEXT_HEADER = 'uber-trace-id';
const BAGGAGE_PREFIX = 'uberctx-';
const BAGGAGE_NAME = /^uberctx-/i;
/** jaeger-client's header for ad-hoc baggage: `k1=v1, k2=v2` */
const BAGGAGE_HEADER = 'jaeger-baggage';
const SAMPLED = 1;
const DEBUG = 2;
/** longest uber-trace-id: 32 + 16 + 16 hex, a flags byte, three colons; with room for URL-encoded colons */
const MAX_CONTEXT_LENGTH = 128;

/**
 * trace-id:span-id:parent-span-id:flags, hex in any case, leading zeros optional. The
 * separator is not a hex digit and every count is bounded, so matching is linear.
 */
const UBER_TRACE_ID = /^([0-9a-fA-F]{1,32}):([0-9a-fA-F]{1,16}):[0-9a-fA-F]{1,16}:([0-9a-fA-F]{1,2})$/;

/** Reads `trace:span:parent:flags` into a context; null when any field is malformed. */
function parseUberTraceId(value: string): SpanContext | null {
  const match = UBER_TRACE_ID.exec(value);
  if (match === null) return null;
  const traceId = normalizedId(match[1], 32);
  const spanId = normalizedId(match[2], 16);
  if (traceId === null || spanId === null) return null;
  const flags = parseInt(match[3], 16);
  const debug = (flags & DEBUG) === DEBUG;
  return new SpanContext({ traceId, spanId, sampled: debug || (flags & SAMPLED) === SAMPLED, debug, remote: true });
}

/**
 * Jaeger's native format: `uber-trace-id: {trace-id}:{span-id}:{parent-span-id}:{flags}`
 * (64- or 128-bit trace ids, leading zeros optional, URL-encoded form accepted; flags bit 1
 * sampled, bit 2 debug) and one `uberctx-{key}` header per baggage item, values
 * URL-encoded, within the budget every baggage format shares. Also reads jaeger-client's `jaeger-baggage: k1=v1, k2=v2` header.
 *
 * HTTP lowercases header names, so over HTTP baggage keys arrive lowercase, as with
 * jaeger-client; a TEXT_MAP carrier keeps their case.
 */
export class JaegerCodec implements TextMapCodec, BaggageCarrying {
  readonly name = 'jaeger' as const;

  inject(context: SpanContext, carrier: object, set: HeaderSetter, baggage: readonly BaggageMember[]): void {
    const flags = (context.sampled || context.debug ? SAMPLED : 0) | (context.debug ? DEBUG : 0);
    set(carrier, CONTEXT_HEADER, `${shortestTraceId(context.traceId)}:${context.spanId}:0:${flags}`);
    for (let i = 0; i < baggage.length; i++) set(carrier, BAGGAGE_PREFIX + baggage[i].encodedKey, baggage[i].encodedValue);
  }

  /** One `uberctx-{key}: {value}` header: its name and value. */
  baggageBytes(member: BaggageMember): number {
    return BAGGAGE_PREFIX.length + member.encodedKey.length + member.encodedValue.length;
  }

  extractContext(reader: CarrierReader): SpanContext | null {
    const raw = reader.get(CONTEXT_HEADER);
    if (raw === undefined || raw.length > MAX_CONTEXT_LENGTH) return null;
    const value = raw.trim();
    const decoded = value.indexOf('%') === -1 ? value : decodeBaggageText(value);
    return decoded === null ? null : parseUberTraceId(decoded);
  }

  extractBaggage(reader: CarrierReader): Baggage | null {
    const builder = new BaggageBuilder();
    const names = reader.names();
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      if (name.length <= BAGGAGE_PREFIX.length || !BAGGAGE_NAME.test(name)) continue;
      const raw = reader.get(name);
      if (raw === undefined) continue;
      const key = decodeBaggageText(name.slice(BAGGAGE_PREFIX.length)) ?? name.slice(BAGGAGE_PREFIX.length);
      const value = decodeBaggageText(raw) ?? raw;
      if (!builder.add(key, value, name.length + raw.length)) break;
    }
    const adHoc = reader.get(BAGGAGE_HEADER);
    if (adHoc !== undefined) {
      const text = adHoc.length <= maxBaggageBytes ? adHoc : adHoc.slice(0, Math.max(0, adHoc.lastIndexOf(',', maxBaggageBytes)));
      for (const member of text.split(',')) {
        const eq = member.indexOf('=');
        if (eq <= 0) continue;
        const key = member.slice(0, eq).trim();
        if (key.length > 0 && !builder.add(key, member.slice(eq + 1).trim(), member.length)) break;
      }
    }
    return builder.result();
  }
}
