import type { FinishedSpan, SpanLog, SpanReference } from '../recording/finished-span';
import { isErrorTag, SPAN_KIND_TAG } from '../util/semantic-tags';
import { remoteSpanKind } from './span-kind';
import { describeError } from '../util/describe';
import { jsonText } from './tag-text';

/*
 * The OTLP/JSON encoding of ExportTraceServiceRequest (opentelemetry-proto, trace/v1):
 * proto3 JSON with lowerCamelCase keys, hex trace/span ids, enums as integers, and
 * 64-bit integers (times, intValue) as decimal strings.
 */

/** opentelemetry.proto.common.v1.AnyValue; exactly one field is set (none for an empty value). */
export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number | 'NaN' | 'Infinity' | '-Infinity';
  arrayValue?: { values: OtlpAnyValue[] };
  kvlistValue?: { values: OtlpKeyValue[] };
  bytesValue?: string;
}

export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

export interface OtlpResource {
  attributes: OtlpKeyValue[];
  droppedAttributesCount: number;
}

export interface OtlpEvent {
  timeUnixNano: string;
  name: string;
  attributes: OtlpKeyValue[];
  droppedAttributesCount: number;
}

export interface OtlpLink {
  traceId: string;
  spanId: string;
  attributes: OtlpKeyValue[];
  droppedAttributesCount: number;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  droppedAttributesCount: number;
  events: OtlpEvent[];
  droppedEventsCount: number;
  status: { code: number; message?: string };
  links: OtlpLink[];
  droppedLinksCount: number;
  flags: number;
}

export interface OtlpExportTraceServiceRequest {
  resourceSpans: {
    resource: OtlpResource;
    scopeSpans: { scope: { name: string }; spans: OtlpSpan[] }[];
  }[];
}

/** opentelemetry.proto.trace.v1.Span.SpanKind */
const OTLP_SPAN_KIND = Object.freeze({ unspecified: 0, internal: 1, server: 2, client: 3, producer: 4, consumer: 5 });
/** opentelemetry.proto.trace.v1.Status.StatusCode */
const OTLP_STATUS_CODE = Object.freeze({ unset: 0, ok: 1, error: 2 });
/** W3C trace-flags "sampled": every span that reaches an exporter was sampled. */
const SAMPLED_FLAG = 1;
/** The instrumentation scope named on every span sextant exports. */
const OTLP_SCOPE = Object.freeze({ name: 'sextant' });

/** Deeper structures than this are sent as JSON text, which also stops cycles. */
const MAX_DEPTH = 4;

/**
 * Epoch ms (a float with sub-ms precision) split into whole ms and the nanoseconds
 * beyond, so that times become exact integer-nanosecond strings with no float noise.
 */
function splitMillis(ms: number): [number, number] {
  if (!Number.isFinite(ms) || ms <= 0) return [0, 0];
  let whole = Math.floor(ms);
  let nanos = Math.round((ms - whole) * 1e6);
  if (nanos >= 1e6) {
    whole += 1;
    nanos -= 1e6;
  }
  return [whole, nanos];
}

function nanosText(wholeMillis: number, nanos: number): string {
  if (wholeMillis === 0) return String(nanos);
  return `${wholeMillis}${String(nanos).padStart(6, '0')}`;
}

/**
 * Epoch ms as a decimal string of integer nanoseconds (`fixed64` in proto3 JSON).
 *
 *     millisToUnixNanos(1700000000123.25); // '1700000000123250000'
 */
export function millisToUnixNanos(ms: number): string {
  const [whole, nanos] = splitMillis(ms);
  return nanosText(whole, nanos);
}

/** Start and end as nanosecond strings; the end is start + duration computed in integers. */
function spanTimes(startMillis: number, durationMillis: number): [string, string] {
  const [startWhole, startNanos] = splitMillis(startMillis);
  const [durationWhole, durationNanos] = splitMillis(durationMillis);
  let endWhole = startWhole + durationWhole;
  let endNanos = startNanos + durationNanos;
  if (endNanos >= 1e6) {
    endWhole += 1;
    endNanos -= 1e6;
  }
  return [nanosText(startWhole, startNanos), nanosText(endWhole, endNanos)];
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Any tag or log value as a typed OTLP AnyValue: strings, booleans, safe integers
 * (`intValue`, a decimal string), other numbers (`doubleValue`), arrays, byte arrays,
 * and plain objects (`kvlistValue`). Errors become `Name: message` text. Undefined for
 * null and undefined, which are left out.
 */
export function toAnyValue(value: unknown, depth = 0): OtlpAnyValue | undefined {
  switch (typeof value) {
    case 'string':
      return { stringValue: value };
    case 'boolean':
      return { boolValue: value };
    case 'number':
      if (Number.isSafeInteger(value)) return { intValue: String(value) };
      if (Number.isNaN(value)) return { doubleValue: 'NaN' };
      if (value === Infinity) return { doubleValue: 'Infinity' };
      if (value === -Infinity) return { doubleValue: '-Infinity' };
      return { doubleValue: value };
    case 'bigint':
      return value >= INT64_MIN && value <= INT64_MAX ? { intValue: value.toString() } : { stringValue: value.toString() };
    case 'undefined':
      return undefined;
    case 'symbol':
    case 'function':
      return { stringValue: jsonText(value) };
  }
  if (value === null) return undefined;
  if (value instanceof Error) return { stringValue: describeError(value) };
  if (value instanceof Date) return { stringValue: Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString() };
  if (value instanceof Uint8Array) return { bytesValue: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (depth >= MAX_DEPTH) return { stringValue: jsonText(value) };
  if (Array.isArray(value)) {
    const values = new Array<OtlpAnyValue>(value.length);
    for (let i = 0; i < value.length; i++) values[i] = toAnyValue(value[i], depth + 1) ?? {};
    return { arrayValue: { values } };
  }
  return { kvlistValue: { values: toKeyValues(value as Record<string, unknown>, undefined, depth + 1) } };
}

/** The entries of an object as OTLP KeyValues, leaving out `skip` and null/undefined values. */
function toKeyValues(record: Record<string, unknown>, skip?: (key: string) => boolean, depth = 0): OtlpKeyValue[] {
  const out: OtlpKeyValue[] = [];
  let keys: string[];
  try {
    keys = Object.keys(record);
  } catch {
    return out;
  }
  for (const key of keys) {
    if (skip !== undefined && skip(key)) continue;
    let value: OtlpAnyValue | undefined;
    try {
      value = toAnyValue(record[key], depth);
    } catch {
      value = { stringValue: '[unreadable]' };
    }
    if (value !== undefined) out.push({ key, value });
  }
  return out;
}

/** The resource for one service: `service.name`, then the tracer's process tags. */
export function toOtlpResource(serviceName: string, processTags: Readonly<Record<string, unknown>> | undefined): OtlpResource {
  const attributes: OtlpKeyValue[] = [{ key: 'service.name', value: { stringValue: serviceName } }];
  if (processTags !== undefined) attributes.push(...toKeyValues(processTags as Record<string, unknown>, (key) => key === 'service.name'));
  return { attributes, droppedAttributesCount: 0 };
}

function toEvent(log: SpanLog): OtlpEvent {
  const fields = log.fields ?? {};
  const event = fields.event;
  const named = typeof event === 'string';
  return {
    timeUnixNano: millisToUnixNanos(log.timestamp),
    name: named ? event : 'log',
    attributes: toKeyValues(fields, named ? (key) => key === 'event' : undefined),
    droppedAttributesCount: 0,
  };
}

/**
 * Every reference except the parent becomes a link, tagged the way OpenTelemetry's
 * OpenTracing compatibility spec says (`opentracing.ref_type`). A follows_from
 * reference is a link even when it also supplied the parent.
 */
function toLinks(span: FinishedSpan): OtlpLink[] {
  const references: SpanReference[] = span.references ?? [];
  if (references.length === 0) return [];
  const links: OtlpLink[] = [];
  for (const ref of references) {
    if (ref.type === 'child_of' && ref.spanId === span.parentSpanId && ref.traceId === span.traceId) continue;
    links.push({
      traceId: ref.traceId,
      spanId: ref.spanId,
      attributes: [{ key: 'opentracing.ref_type', value: { stringValue: ref.type } }],
      droppedAttributesCount: 0,
    });
  }
  return links;
}

/** The message of the span's first `error` log, for the status message. */
function errorMessage(logs: SpanLog[]): string | undefined {
  for (const log of logs) {
    const fields = log.fields;
    if (fields?.event !== 'error') continue;
    if (typeof fields.message === 'string') return fields.message;
    if (fields['error.object'] instanceof Error) return describeError(fields['error.object']);
  }
  return undefined;
}

/** Options of the OTLP mapping. */
export interface OtlpMappingOptions {
  /** export baggage items as `baggage.<key>` attributes; default false */
  includeBaggage?: boolean;
}

/** One finished span as an OTLP Span. */
export function toOtlpSpan(span: FinishedSpan, options: OtlpMappingOptions = {}): OtlpSpan {
  const tags = span.tags ?? {};
  const kind = remoteSpanKind(tags[SPAN_KIND_TAG]);
  const error = isErrorTag(tags.error);
  const errorIsFlag = typeof tags.error === 'boolean' || tags.error === 'true' || tags.error === 'false';
  const attributes = toKeyValues(tags, (key) => (key === SPAN_KIND_TAG && kind !== undefined) || (key === 'error' && errorIsFlag));
  if (options.includeBaggage === true && span.baggage !== undefined) {
    for (const key of Object.keys(span.baggage)) {
      attributes.push({ key: `baggage.${key}`, value: { stringValue: String(span.baggage[key]) } });
    }
  }
  const logs = span.logs ?? [];
  const status: OtlpSpan['status'] = { code: error ? OTLP_STATUS_CODE.error : OTLP_STATUS_CODE.unset };
  if (error) {
    const message = errorMessage(logs);
    if (message !== undefined) status.message = message;
  }
  const [startTimeUnixNano, endTimeUnixNano] = spanTimes(span.startTime, span.duration);
  const out: OtlpSpan = {
    traceId: span.traceId,
    spanId: span.spanId,
    name: span.operationName,
    kind: kind === undefined ? OTLP_SPAN_KIND.internal : OTLP_SPAN_KIND[kind],
    startTimeUnixNano,
    endTimeUnixNano,
    attributes,
    droppedAttributesCount: 0,
    events: logs.map(toEvent),
    droppedEventsCount: 0,
    status,
    links: toLinks(span),
    droppedLinksCount: 0,
    flags: SAMPLED_FLAG,
  };
  if (span.parentSpanId !== undefined) out.parentSpanId = span.parentSpanId;
  return out;
}

/**
 * An ExportTraceServiceRequest for a batch: one ResourceSpans per service, in order of
 * first appearance, each with the resource `resourceFor` gives that service.
 *
 *     const body = JSON.stringify(toOtlpRequest(spans, (name) => toOtlpResource(name, undefined)));
 */
export function toOtlpRequest(
  spans: FinishedSpan[],
  resourceFor: (serviceName: string) => OtlpResource,
  options: OtlpMappingOptions = {},
): OtlpExportTraceServiceRequest {
  const byService = new Map<string, OtlpSpan[]>();
  for (const span of spans) {
    const otlp = toOtlpSpan(span, options);
    const list = byService.get(span.serviceName);
    if (list === undefined) byService.set(span.serviceName, [otlp]);
    else list.push(otlp);
  }
  const resourceSpans: OtlpExportTraceServiceRequest['resourceSpans'] = [];
  for (const [serviceName, otlpSpans] of byService) {
    resourceSpans.push({ resource: resourceFor(serviceName), scopeSpans: [{ scope: OTLP_SCOPE, spans: otlpSpans }] });
  }
  return { resourceSpans };
}
