import { SpanContext } from '../span-context';
import { isAllZeroHex } from '../util/ids';
import { isHexRun } from './hex';
import { isOws } from './http-whitespace';
import type { CarrierReader, HeaderSetter, TextMapCodec } from './text-map-codec';

const HEADER = 'x-amzn-trace-id';
/** `1-{8 hex}-{24 hex}`: version 1, the epoch seconds part, the random part */
const ROOT_LENGTH = 35;
const SPAN_ID_LENGTH = 16;
/**
 * A longer header is ignored. AWS appends fields of its own (`Self`, `Lineage`) to the
 * three this format needs (about 90 characters); this leaves them ample room.
 */
const MAX_HEADER_LENGTH = 1024;
/** `;Sampled=…` for a sampled and an unsampled context */
const SAMPLED_SUFFIX = ';Sampled=1';
const UNSAMPLED_SUFFIX = ';Sampled=0';

/**
 * The 32 lowercase hex digits of the trace id in a Root value, `1-{8 hex}-{24 hex}`, found
 * at `header[start, end)`; null when it is malformed or all zero. Digits of either case.
 */
function traceIdOfRoot(header: string, start: number, end: number): string | null {
  if (end - start !== ROOT_LENGTH) return null;
  if (header.charCodeAt(start) !== 49 || header.charCodeAt(start + 1) !== 45 || header.charCodeAt(start + 10) !== 45) return null;
  if (!isHexRun(header, start + 2, start + 10) || !isHexRun(header, start + 11, end)) return null;
  const traceId = (header.slice(start + 2, start + 10) + header.slice(start + 11, end)).toLowerCase();
  return isAllZeroHex(traceId) ? null : traceId;
}

/**
 * AWS X-Ray's `X-Amzn-Trace-Id: Root=1-{8 hex}-{24 hex};Parent={16 hex};Sampled={0|1}`.
 * sextant's 128-bit trace id is the Root's two hex parts joined (the first 8 digits are
 * the part X-Ray fills with the epoch seconds), as OpenTelemetry's AWSXRayPropagator maps it.
 *
 * Reading: fields in any order, separated by `;` with optional whitespace; field names
 * as AWS spells them (`Root`, `Parent`, `Sampled`: case-sensitive, as AWS's SDKs match
 * them); hex digits in any case; other fields (`Self`, `Lineage`...) are ignored. A header
 * without a valid Root, Parent and a `Sampled` of `0` or `1` carries no context (as
 * OpenTelemetry reads it: `Sampled=?` defers the decision, which a context cannot express).
 * When a field repeats, the last one counts. X-Ray carries no baggage.
 */
export class XRayCodec implements TextMapCodec {
  readonly name = 'xray' as const;

  inject(context: SpanContext, carrier: object, set: HeaderSetter): void {
    const t = context.traceId;
    const sampled = context.sampled || context.debug ? SAMPLED_SUFFIX : UNSAMPLED_SUFFIX;
    set(carrier, HEADER, `Root=1-${t.slice(0, 8)}-${t.slice(8)};Parent=${context.spanId}${sampled}`);
  }

  extractContext(reader: CarrierReader): SpanContext | null {
    const header = reader.get(HEADER);
    if (header === undefined || header.length > MAX_HEADER_LENGTH) return null;
    let traceId: string | null = null;
    let spanId: string | null = null;
    let sampled: boolean | null = null;
    const n = header.length;
    // The next '=' is found once and reused until passed: the scan stays linear.
    let nextEquals = -1;
    let start = 0;
    while (start < n) {
      let end = header.indexOf(';', start);
      if (end === -1) end = n;
      let a = start;
      let b = end;
      while (a < b && isOws(header.charCodeAt(a))) a++;
      while (b > a && isOws(header.charCodeAt(b - 1))) b--;
      if (nextEquals < a) {
        nextEquals = header.indexOf('=', a);
        if (nextEquals === -1) nextEquals = n; // none left: past every field
      }
      const eq = nextEquals;
      if (eq < b) {
        const nameLength = eq - a;
        if (nameLength === 4 && header.startsWith('Root', a)) {
          traceId = traceIdOfRoot(header, eq + 1, b);
        } else if (nameLength === 6 && header.startsWith('Parent', a)) {
          spanId = b - eq - 1 === SPAN_ID_LENGTH && isHexRun(header, eq + 1, b) ? header.slice(eq + 1, b).toLowerCase() : null;
          if (spanId !== null && isAllZeroHex(spanId)) spanId = null;
        } else if (nameLength === 7 && header.startsWith('Sampled', a)) {
          const flag = b - eq === 2 ? header.charCodeAt(eq + 1) : -1;
          sampled = flag === 49 ? true : flag === 48 ? false : null;
        }
      }
      start = end + 1;
    }
    if (traceId === null || spanId === null || sampled === null) return null;
    return new SpanContext({ traceId, spanId, sampled, remote: true });
  }
}
