import { isIPv4, isIPv6 } from 'node:net';
import type { FinishedSpan, SpanLog } from '../recording/finished-span';
import { isErrorTag, SPAN_KIND_TAG } from '../util/semantic-tags';
import { remoteSpanKind } from './span-kind';
import { InvalidSpanError, SpanTooLargeError } from './encoding-bounds';
import { boundedJsonText, tagText } from './tag-text';

/** An endpoint of the Zipkin v2 model. */
export interface ZipkinEndpoint {
  serviceName?: string;
  ipv4?: string;
  ipv6?: string;
  port?: number;
}

/** A span of the Zipkin v2 JSON model (zipkin2-api.yaml, definitions/Span). */
export interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name: string;
  kind?: 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER';
  /** epoch microseconds */
  timestamp: number;
  /** microseconds, at least 1 */
  duration: number;
  localEndpoint: ZipkinEndpoint;
  remoteEndpoint?: ZipkinEndpoint;
  annotations?: { timestamp: number; value: string }[];
  tags?: Record<string, string>;
}

const LOWER_HEX_16 = /^[0-9a-f]{16}$/;
const LOWER_HEX_32 = /^[0-9a-f]{32}$/;

/** An id as Zipkin takes it (lowercase hex of the right length), else InvalidSpanError. */
function checkedId(value: unknown, pattern: RegExp, what: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) throw new InvalidSpanError(`${what} is not lowercase hex of the right length`);
  return value;
}

const KIND: Record<string, ZipkinSpan['kind']> = { server: 'SERVER', client: 'CLIENT', producer: 'PRODUCER', consumer: 'CONSUMER' };

/**
 * Epoch ms (float) as integer epoch µs. Whole ms and the fraction are scaled apart:
 * `ms * 1000` would round twice at this magnitude and can be off by one.
 */
function micros(ms: number): number {
  if (!Number.isFinite(ms) || ms <= 0) return 0;
  const whole = Math.floor(ms);
  return whole * 1000 + Math.round((ms - whole) * 1000);
}

function ipv4Of(value: unknown): string | undefined {
  if (typeof value === 'string') return isIPv4(value) ? value : undefined;
  // OpenTracing allows peer.ipv4 as a 32-bit integer.
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff) {
    return [24, 16, 8, 0].map((shift) => (value >>> shift) & 0xff).join('.');
  }
  return undefined;
}

function portOf(value: unknown): number | undefined {
  const port = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof port === 'number' && Number.isInteger(port) && port > 0 && port <= 65535 ? port : undefined;
}

/** The remote endpoint the `peer.*` tags describe, and which of those tags it used. */
function remoteEndpointOf(tags: Record<string, unknown>): [ZipkinEndpoint | undefined, Set<string>] {
  const used = new Set<string>();
  const endpoint: ZipkinEndpoint = {};
  const service = tags['peer.service'];
  if (typeof service === 'string' && service !== '') {
    endpoint.serviceName = service;
    used.add('peer.service');
  }
  const ipv4 = ipv4Of(tags['peer.ipv4']);
  if (ipv4 !== undefined) {
    endpoint.ipv4 = ipv4;
    used.add('peer.ipv4');
  }
  const ipv6 = tags['peer.ipv6'];
  if (typeof ipv6 === 'string' && isIPv6(ipv6)) {
    endpoint.ipv6 = ipv6;
    used.add('peer.ipv6');
  }
  const port = portOf(tags['peer.port']);
  if (port !== undefined) {
    endpoint.port = port;
    used.add('peer.port');
  }
  return used.size === 0 ? [undefined, used] : [endpoint, used];
}

/**
 * A log as an annotation: a log that is only `{ event }` is that event's name; any
 * other log is the (bounded) JSON of its fields, so nothing it says is lost.
 */
function annotationValue(log: SpanLog, maxChars: number): string {
  const fields = log.fields ?? {};
  const keys = Object.keys(fields);
  if (keys.length === 1 && typeof fields.event === 'string') {
    if (fields.event.length > maxChars) throw new SpanTooLargeError();
    return fields.event;
  }
  return boundedJsonText(fields, maxChars);
}

/** Options of the Zipkin mapping. */
export interface ZipkinMappingOptions {
  /** export baggage items as `baggage.<key>` tags; default false */
  includeBaggage?: boolean;
  /**
   * the most characters the span's tag and annotation texts may add up to; past it the
   * span is too large (SpanTooLargeError). Default: no limit
   */
  maxChars?: number;
}

/** Counts the characters a span's texts use against its budget. */
class TextBudget {
  private left: number;

  constructor(maxChars: number) {
    this.left = maxChars;
  }

  get remaining(): number {
    return this.left;
  }

  spend(text: string): string {
    this.left -= text.length;
    if (this.left < 0) throw new SpanTooLargeError();
    return text;
  }
}

/**
 * One finished span as a Zipkin v2 span. `processTags` (already text) go first, so a
 * span tag of the same name wins.
 *
 *     toZipkinSpan(span, { 'service.version': '1.4.2' });
 */
export function toZipkinSpan(
  span: FinishedSpan,
  processTags?: Readonly<Record<string, string>>,
  options: ZipkinMappingOptions = {},
): ZipkinSpan {
  const budget = new TextBudget(options.maxChars ?? Infinity);
  const spanTags = span.tags ?? {};
  const kind = remoteSpanKind(spanTags[SPAN_KIND_TAG]);
  const [remoteEndpoint, usedPeerTags] = remoteEndpointOf(spanTags);
  // No prototype: a tag named `__proto__` must stay a tag.
  const tags: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, processTags);
  for (const key of Object.keys(spanTags)) {
    if (usedPeerTags.has(key) || (key === SPAN_KIND_TAG && kind !== undefined)) continue;
    const value = spanTags[key];
    if (key === 'error') {
      // Zipkin reads the mere presence of an `error` tag as a failure.
      if (isErrorTag(value)) tags.error = 'true';
      else if (value === false || value === 'false') delete tags.error;
      else {
        const text = tagText(value, budget.remaining);
        if (text !== undefined) tags.error = budget.spend(text);
      }
      continue;
    }
    budget.spend(key);
    const text = tagText(value, budget.remaining);
    if (text !== undefined) tags[key] = budget.spend(text);
    else delete tags[key];
  }
  if (options.includeBaggage === true && span.baggage !== undefined) {
    for (const key of Object.keys(span.baggage)) tags[`baggage.${key}`] = budget.spend(String(span.baggage[key]));
  }
  const out: ZipkinSpan = {
    traceId: checkedId(span.traceId, LOWER_HEX_32, 'traceId'),
    id: checkedId(span.spanId, LOWER_HEX_16, 'spanId'),
    name: budget.spend(String(span.operationName)),
    timestamp: micros(span.startTime),
    duration: Math.max(1, Math.round((Number.isFinite(span.duration) ? span.duration : 0) * 1000)),
    localEndpoint: { serviceName: span.serviceName },
  };
  if (span.parentSpanId !== undefined) out.parentId = checkedId(span.parentSpanId, LOWER_HEX_16, 'parentSpanId');
  if (kind !== undefined) out.kind = KIND[kind];
  if (remoteEndpoint !== undefined) out.remoteEndpoint = remoteEndpoint;
  const logs = span.logs ?? [];
  if (logs.length > 0) {
    const seen = new Set<string>();
    const annotations: { timestamp: number; value: string }[] = [];
    for (const log of logs) {
      const annotation = { timestamp: micros(log.timestamp), value: budget.spend(annotationValue(log, budget.remaining)) };
      // The schema wants unique annotations; two identical logs in the same µs say nothing more.
      const identity = `${annotation.timestamp} ${annotation.value}`;
      if (seen.has(identity)) continue;
      seen.add(identity);
      annotations.push(annotation);
    }
    out.annotations = annotations;
  }
  if (Object.keys(tags).length > 0) out.tags = tags;
  return out;
}

/**
 * Process tags as Zipkin tag text, computed once per tracer, their texts at most
 * `maxChars` characters in all (else SpanTooLargeError).
 */
export function zipkinProcessTags(
  tags: Readonly<Record<string, unknown>> | undefined,
  maxChars = Infinity,
): Readonly<Record<string, string>> | undefined {
  if (tags === undefined || tags === null) return undefined;
  const budget = new TextBudget(maxChars);
  const out = Object.create(null) as Record<string, string>;
  for (const key of Object.keys(tags)) {
    const text = tagText(tags[key], budget.remaining);
    if (text !== undefined) out[budget.spend(key)] = budget.spend(text);
  }
  return Object.keys(out).length === 0 ? undefined : Object.freeze(out);
}
