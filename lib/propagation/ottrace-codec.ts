import { SpanContext } from '../span-context';
import type { Baggage } from '../span-context';
import type { BaggageCarrying, BaggageMember } from './baggage-budget';
import { BaggageBuilder } from './baggage-text';
import { isHexId, normalizedId, shortestTraceId } from './hex';
import { trimOws } from './http-whitespace';
import type { CarrierReader, HeaderSetter, TextMapCodec } from './text-map-codec';

const TRACE_ID_HEADER = 'ot-tracer-traceid';
const SPAN_ID_HEADER = 'ot-tracer-spanid';
const SAMPLED_HEADER = 'ot-tracer-sampled';
const BAGGAGE_PREFIX = 'ot-baggage-';

/** RFC 9110 tchar: what a key needs to be part of a header name. */
const TOKEN_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  TOKEN_CHAR[c] = /[A-Za-z0-9]/.test(ch) || "!#$%&'*+-.^_`|~".includes(ch) ? 1 : 0;
}

function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TOKEN_CHAR[c] === 0) return false;
  }
  return true;
}

/** Printable ASCII without leading or trailing spaces, which HTTP would strip: a value sent as is. */
function isPlainHeaderValue(s: string): boolean {
  const n = s.length;
  if (n > 0 && (s.charCodeAt(0) === 0x20 || s.charCodeAt(n - 1) === 0x20)) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/** Whether the member can be written as `ot-baggage-{key}: {value}`: the format has no escaping. */
function isSendable(member: BaggageMember): boolean {
  return isToken(member.key) && isPlainHeaderValue(member.value);
}

/** `true`/`false` (any case, as the OpenTracing basic tracers write it), also `1`/`0`; undefined otherwise. */
function parseSampled(raw: string): boolean | undefined {
  const value = trimOws(raw);
  if (value === '1') return true;
  if (value === '0') return false;
  const lower = value.length === 4 || value.length === 5 ? value.toLowerCase() : '';
  return lower === 'true' ? true : lower === 'false' ? false : undefined;
}

/**
 * The OpenTracing basic tracers' format (`ottrace` in `OTEL_PROPAGATORS`), as OpenTelemetry's
 * OTTracePropagator speaks it: `ot-tracer-traceid` (hex, 16 or 32 digits; read with leading
 * zeros optional, as Go's basictracer writes them), `ot-tracer-spanid` (hex, up to 16),
 * `ot-tracer-sampled` (`true`/`false`, also `1`/`0` on read; absent means not sampled, as
 * OpenTelemetry reads it) and one `ot-baggage-{key}` header per baggage item.
 *
 * The trace id is written in 16 digits when its high half is zero, else in 32, so a 128-bit
 * trace keeps its id across the hop (OpenTelemetry's propagators read both). Baggage has no
 * escaping in this format: values are sent and read as they are; an item whose key is not
 * an HTTP token or whose value is not printable ASCII is not written in this format (W3C
 * `baggage` or jaeger carry it). HTTP lowercases header names, so keys arrive lowercase.
 */
export class OtTraceCodec implements TextMapCodec, BaggageCarrying {
  readonly name = 'ottrace' as const;

  inject(context: SpanContext, carrier: object, set: HeaderSetter, baggage: readonly BaggageMember[]): void {
    set(carrier, TRACE_ID_HEADER, shortestTraceId(context.traceId));
    set(carrier, SPAN_ID_HEADER, context.spanId);
    set(carrier, SAMPLED_HEADER, context.sampled || context.debug ? 'true' : 'false');
    for (let i = 0; i < baggage.length; i++) {
      const member = baggage[i];
      if (isSendable(member)) set(carrier, BAGGAGE_PREFIX + member.key, member.value);
    }
  }

  /** One `ot-baggage-{key}: {value}` header, its name and value; 0 for an item this format cannot carry. */
  baggageBytes(member: BaggageMember): number {
    return isSendable(member) ? BAGGAGE_PREFIX.length + member.key.length + member.value.length : 0;
  }

  extractContext(reader: CarrierReader): SpanContext | null {
    const rawTrace = reader.get(TRACE_ID_HEADER);
    const rawSpan = reader.get(SPAN_ID_HEADER);
    if (rawTrace === undefined || rawSpan === undefined) return null;
    const traceText = trimOws(rawTrace);
    const spanText = trimOws(rawSpan);
    if (!isHexId(traceText, 32) || !isHexId(spanText, 16)) return null;
    const traceId = normalizedId(traceText, 32);
    const spanId = normalizedId(spanText, 16);
    if (traceId === null || spanId === null) return null;
    const rawSampled = reader.get(SAMPLED_HEADER);
    const sampled = rawSampled === undefined ? false : parseSampled(rawSampled);
    if (sampled === undefined) return null;
    return new SpanContext({ traceId, spanId, sampled, remote: true });
  }

  extractBaggage(reader: CarrierReader): Baggage | null {
    const names = reader.names();
    let builder: BaggageBuilder | null = null;
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      if (name.length <= BAGGAGE_PREFIX.length || !hasBaggagePrefix(name)) continue;
      const raw = reader.get(name);
      if (raw === undefined) continue;
      const key = name.slice(BAGGAGE_PREFIX.length);
      builder ??= new BaggageBuilder();
      if (!builder.add(key, trimOws(raw), name.length + raw.length)) break;
    }
    return builder === null ? null : builder.result();
  }
}

/** Whether `name` starts with `ot-baggage-`, in any case. */
function hasBaggagePrefix(name: string): boolean {
  for (let i = 0; i < BAGGAGE_PREFIX.length; i++) {
    let c = name.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== BAGGAGE_PREFIX.charCodeAt(i)) return false;
  }
  return true;
}
