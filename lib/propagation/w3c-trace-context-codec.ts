import { SpanContext } from '../span-context';
import { isAllZeroHex } from '../util/ids';
import { isOws, trimOws } from './http-whitespace';
import { lowerHexDigit } from './hex';
import { PROPAGATION_LIMITS } from './limits';
import { isPrintableAscii, normalizeTraceState } from './trace-state';
import { setProperty } from './carrier-writer';
import type { CarrierReader, HeaderSetter, TextMapCodec } from './text-map-codec';

/** The headers this format writes, as properties of a plain-object carrier. */
interface W3CHeaders {
  traceparent?: string;
  tracestate?: string;
}

const { maxTraceparentLength, maxTracestateLength } = PROPAGATION_LIMITS;
const SAMPLED = 1;
const RANDOM = 2;
/** `-{trace-flags}` for each combination of the sampled and random bits */
const FLAGS_SUFFIX = ['-00', '-01', '-02', '-03'];
/** version-format of version 00: "-" trace-id "-" parent-id "-" trace-flags */
const VERSION_00_LENGTH = 55;
/**
 * version, trace-id, parent-id and trace-flags, then the end or a dash (a higher version may
 * add fields). Fixed widths and no nested repetition: matching is linear. Measured against a
 * char-table loop, the compiled pattern is as fast or faster (the value is usually a
 * concatenation that any reader must flatten first, and the regex engine does that natively).
 */
const FIRST_FOUR_FIELDS = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}(?:-|$)/;

/**
 * W3C Trace Context (Level 1, plus Level 2's random-trace-id flag): the `traceparent`
 * and `tracestate` headers.
 *
 * - version `ff`, uppercase hex, all-zero ids, or a second `traceparent` make it invalid;
 * - version `00` must have exactly four fields; a higher version is read by its first four;
 * - `tracestate` is kept and re-sent with every child context, unless any member is
 *   invalid or there are more than 32, in which case it is dropped whole.
 */
export class W3CTraceContextCodec implements TextMapCodec {
  readonly name = 'tracecontext' as const;

  inject(context: SpanContext, carrier: object, set: HeaderSetter): void {
    const flags = (context.sampled || context.debug ? SAMPLED : 0) | (context.randomTraceId ? RANDOM : 0);
    const traceparent = `00-${context.traceId}-${context.spanId}${FLAGS_SUFFIX[flags]}`;
    if (set === setProperty) (carrier as W3CHeaders).traceparent = traceparent;
    else set(carrier, 'traceparent', traceparent);
    const state = context.traceState;
    if (typeof state === 'string' && state.length > 0 && isPrintableAscii(state, maxTracestateLength)) {
      if (set === setProperty) (carrier as W3CHeaders).tracestate = state;
      else set(carrier, 'tracestate', state);
    }
  }

  extractContext(reader: CarrierReader): SpanContext | null {
    const header = reader.get('traceparent');
    if (header === undefined || header.length > maxTraceparentLength) return null;
    // Optional whitespace is rare: only then is a trimmed copy made.
    let value = header;
    const first = header.charCodeAt(0);
    const last = header.charCodeAt(header.length - 1);
    if (isOws(first) || isOws(last)) value = trimOws(header);
    // One anchored, fixed-width pattern (no backtracking) checks every field's characters.
    if (!FIRST_FOUR_FIELDS.test(value)) return null;
    // version ff is invalid; version 00 has exactly four fields
    const c0 = value.charCodeAt(0);
    const c1 = value.charCodeAt(1);
    if (c0 === 102 && c1 === 102) return null;
    if (c0 === 48 && c1 === 48 && value.length !== VERSION_00_LENGTH) return null;
    // all-zero ids are invalid (looked at only when an id starts with 0)
    if (value.charCodeAt(3) === 48 && isAllZeroHex(value, 3, 35)) return null;
    if (value.charCodeAt(36) === 48 && isAllZeroHex(value, 36, 52)) return null;
    const flags = lowerHexDigit(value.charCodeAt(53)) * 16 + lowerHexDigit(value.charCodeAt(54));
    const rawState = reader.get('tracestate');
    const traceState = rawState === undefined ? undefined : normalizeTraceState(rawState);
    return new SpanContext({
      traceId: value.slice(3, 35),
      spanId: value.slice(36, 52),
      sampled: (flags & SAMPLED) === SAMPLED,
      traceState,
      remote: true,
      randomTraceId: (flags & RANDOM) === RANDOM,
    });
  }
}
