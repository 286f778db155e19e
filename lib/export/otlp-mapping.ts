import type { FinishedSpan, SpanLog } from '../recording/finished-span';
import { describeError } from '../util/describe';
import { isErrorTag, OTEL_STATUS_CODE_TAG, OTEL_STATUS_DESCRIPTION_TAG, SPAN_KIND_TAG } from '../util/semantic-tags';
import { MAX_ARRAY_VALUES, MAX_DEPTH } from './encoding-bounds';
import { F, OTLP_SPAN_KIND, OTLP_STATUS_CODE } from './otlp-fields';
import type { OtlpField } from './otlp-fields';
import { extraNanosOf, wholeMillisOf } from './otlp-time';
import type { OtlpWriter } from './otlp-writer';
import { remoteSpanKind } from './span-kind';
import { boundedJsonText, functionText } from './tag-text';

/*
 * The one mapping from a FinishedSpan to OTLP (trace/v1 Span), shared by the protobuf
 * and the JSON writer: span kind, status, logs as events, references as links, the
 * typing of tag values as AnyValue, and the dropped counts. It reads the span once and
 * tells an OtlpWriter what to write; it never catches: a value that throws fails the
 * span, and the exporter drops that span alone.
 */

/** W3C trace-flags "sampled": every span that reaches an exporter was sampled. */
const SAMPLED_FLAG = 1;
/** The instrumentation scope named on every span sextant exports. */
export const OTLP_SCOPE_NAME = 'sextant';
/** The link attribute OpenTelemetry's OpenTracing compatibility spec names. */
const REF_TYPE_KEY = 'opentracing.ref_type';
const UINT32_MAX = 0xffffffff;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Options of the OTLP mapping. */
export interface OtlpMappingOptions {
  /** export baggage items as `baggage.<key>` attributes; default false */
  includeBaggage?: boolean;
}

/**
 * The fields of an AnyValue for `value` (the message itself is the caller's): strings,
 * booleans, safe integers and int64 bigints (`intValue`), other numbers (`doubleValue`),
 * byte arrays, arrays (the first MAX_ARRAY_VALUES items) and plain objects (`kvlistValue`);
 * errors as `Name: message`, dates as ISO 8601, functions by name; below MAX_DEPTH,
 * bounded JSON text. Nothing (an empty AnyValue) for null and undefined.
 */
export function writeAnyValue(w: OtlpWriter, value: unknown, depth: number): void {
  switch (typeof value) {
    case 'string':
      w.string(F.ANY_STRING, value);
      return;
    case 'boolean':
      w.bool(F.ANY_BOOL, value);
      return;
    case 'number':
      if (Number.isSafeInteger(value)) w.int(F.ANY_INT, value);
      else w.double(F.ANY_DOUBLE, value);
      return;
    case 'bigint':
      if (value >= INT64_MIN && value <= INT64_MAX) w.int(F.ANY_INT, value);
      else w.string(F.ANY_STRING, value.toString());
      return;
    case 'symbol':
      w.string(F.ANY_STRING, value.toString());
      return;
    case 'function':
      w.string(F.ANY_STRING, functionText(value));
      return;
    case 'undefined':
      return;
  }
  if (value === null) return;
  const object = value as object;
  if (object instanceof Error) {
    w.string(F.ANY_STRING, describeError(object));
    return;
  }
  if (object instanceof Date) {
    w.string(F.ANY_STRING, Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString());
    return;
  }
  if (object instanceof Uint8Array || object instanceof DataView) {
    w.bytes(F.ANY_BYTES, object instanceof Uint8Array ? object : new Uint8Array(object.buffer, object.byteOffset, object.byteLength));
    return;
  }
  if (depth >= MAX_DEPTH) {
    w.string(F.ANY_STRING, boundedJsonText(object, w.remaining()));
    return;
  }
  if (Array.isArray(object) || ArrayBuffer.isView(object)) {
    const items = object as ArrayLike<unknown>;
    w.openMessage(F.ANY_ARRAY);
    w.openList(F.ARRAY_VALUES);
    // Indexed, never iterated: holes read as undefined, and only the first items are read.
    const n = Math.min(items.length, MAX_ARRAY_VALUES);
    for (let i = 0; i < n; i++) {
      w.openItem(F.ARRAY_VALUES);
      writeAnyValue(w, items[i], depth + 1);
      w.close();
    }
    w.closeList();
    w.close();
    return;
  }
  w.openMessage(F.ANY_KVLIST);
  w.openList(F.KVLIST_VALUES);
  const record = object as Record<string, unknown>;
  for (const key of Object.keys(record)) writeKeyValue(w, F.KVLIST_VALUES, key, record[key], depth + 1);
  w.closeList();
  w.close();
}

/** One KeyValue item of the open list `listField`; null and undefined values are left out. */
export function writeKeyValue(w: OtlpWriter, listField: OtlpField, key: string, value: unknown, depth: number): void {
  switch (typeof value) {
    case 'string':
      w.keyString(listField, key, value);
      return;
    case 'number':
      if (Number.isSafeInteger(value)) w.keyInt(listField, key, value);
      else w.keyDouble(listField, key, value);
      return;
    case 'boolean':
      w.keyBool(listField, key, value);
      return;
    case 'undefined':
      return;
  }
  if (value === null) return;
  w.openKeyValue(listField, key);
  writeAnyValue(w, value, depth);
  w.closeKeyValue();
}

/**
 * The fields of a Resource: `service.name`, then the process tags (a `service.name`
 * among them is left out: the tracer's name wins).
 */
export function writeOtlpResource(w: OtlpWriter, serviceName: string, tags: Readonly<Record<string, unknown>> | undefined): void {
  w.openList(F.RESOURCE_ATTRIBUTES);
  writeKeyValue(w, F.RESOURCE_ATTRIBUTES, 'service.name', String(serviceName), 0);
  if (tags !== undefined && tags !== null) {
    for (const key of Object.keys(tags)) if (key !== 'service.name') writeKeyValue(w, F.RESOURCE_ATTRIBUTES, key, tags[key], 0);
  }
  w.closeList();
  w.uint32(F.RESOURCE_DROPPED_ATTRIBUTES, 0);
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

/** A count from `span.dropped` as a uint32 (0 for anything that is not a count). */
function droppedCount(value: unknown): number {
  return typeof value === 'number' && value > 0 ? Math.min(Math.floor(value), UINT32_MAX) : 0;
}

function writeEvent(w: OtlpWriter, log: SpanLog): void {
  const fields = log.fields ?? {};
  const event = fields.event;
  const named = typeof event === 'string';
  w.openItem(F.SPAN_EVENTS);
  const timestamp = log.timestamp;
  w.time(F.EVENT_TIME, wholeMillisOf(timestamp), extraNanosOf(timestamp));
  w.string(F.EVENT_NAME, named ? event : 'log');
  w.openList(F.EVENT_ATTRIBUTES);
  for (const key of Object.keys(fields)) {
    if (named && key === 'event') continue;
    writeKeyValue(w, F.EVENT_ATTRIBUTES, key, fields[key], 0);
  }
  w.closeList();
  // Fields past TracerOptions.limits.maxLogFields, counted on the log.
  w.uint32(F.EVENT_DROPPED_ATTRIBUTES, droppedCount(log.droppedFields));
  w.close();
}

/**
 * Every reference except the parent becomes a link, tagged the way OpenTelemetry's
 * OpenTracing compatibility spec says (`opentracing.ref_type`). A follows_from
 * reference is a link even when it also supplied the parent.
 */
function writeLinks(w: OtlpWriter, span: FinishedSpan): void {
  w.openList(F.SPAN_LINKS);
  const references = span.references ?? [];
  for (let i = 0; i < references.length; i++) {
    const ref = references[i];
    if (ref.type === 'child_of' && ref.spanId === span.parentSpanId && ref.traceId === span.traceId) continue;
    w.openItem(F.SPAN_LINKS);
    w.id(F.LINK_TRACE_ID, ref.traceId, 16);
    w.id(F.LINK_SPAN_ID, ref.spanId, 8);
    w.openList(F.LINK_ATTRIBUTES);
    writeKeyValue(w, F.LINK_ATTRIBUTES, REF_TYPE_KEY, String(ref.type), 0);
    w.closeList();
    w.uint32(F.LINK_DROPPED_ATTRIBUTES, 0);
    w.close();
  }
  w.closeList();
}

/**
 * The fields of one OTLP Span, in field-number order.
 *
 *     const w = new JsonOtlpWriter(DEFAULT_MAX_REQUEST_BYTES);
 *     w.begin(); writeOtlpSpan(w, span); const text = w.end();
 */
export function writeOtlpSpan(w: OtlpWriter, span: FinishedSpan, options: OtlpMappingOptions = {}): void {
  const tags = span.tags ?? {};
  const kind = remoteSpanKind(tags[SPAN_KIND_TAG]);
  const errorTag = tags.error;
  const error = isErrorTag(errorTag);
  const errorIsFlag = typeof errorTag === 'boolean' || errorTag === 'true' || errorTag === 'false';
  // What OpenTelemetry's setStatus left (sextant/opentelemetry): OK is a status of its own,
  // and an error's description is the status message. Both become the status, not attributes.
  const ok = !error && tags[OTEL_STATUS_CODE_TAG] === 'OK';
  const statusDescription = error ? tags[OTEL_STATUS_DESCRIPTION_TAG] : undefined;
  const describedError = typeof statusDescription === 'string';

  w.id(F.SPAN_TRACE_ID, span.traceId, 16);
  w.id(F.SPAN_SPAN_ID, span.spanId, 8);
  if (span.parentSpanId !== undefined) w.id(F.SPAN_PARENT_SPAN_ID, span.parentSpanId, 8);
  w.string(F.SPAN_NAME, String(span.operationName));
  w.uint32(F.SPAN_KIND, kind === undefined ? OTLP_SPAN_KIND.internal : OTLP_SPAN_KIND[kind]);

  // The end is start + duration computed in integers, so end - start is the exact duration.
  const start = span.startTime;
  const duration = span.duration;
  const startWhole = wholeMillisOf(start);
  const startNanos = extraNanosOf(start);
  let endWhole = startWhole + wholeMillisOf(duration);
  let endNanos = startNanos + extraNanosOf(duration);
  if (endNanos >= 1e6) {
    endWhole += 1;
    endNanos -= 1e6;
  }
  w.time(F.SPAN_START_TIME, startWhole, startNanos);
  w.time(F.SPAN_END_TIME, endWhole, endNanos);

  w.openList(F.SPAN_ATTRIBUTES);
  const keys = Object.keys(tags);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if ((key === SPAN_KIND_TAG && kind !== undefined) || (key === 'error' && errorIsFlag)) continue;
    if ((key === OTEL_STATUS_CODE_TAG && (ok || error)) || (key === OTEL_STATUS_DESCRIPTION_TAG && describedError)) continue;
    writeKeyValue(w, F.SPAN_ATTRIBUTES, key, tags[key], 0);
  }
  if (options.includeBaggage === true && span.baggage !== undefined && span.baggage !== null) {
    for (const key of Object.keys(span.baggage)) writeKeyValue(w, F.SPAN_ATTRIBUTES, `baggage.${key}`, String(span.baggage[key]), 0);
  }
  w.closeList();
  const dropped = span.dropped;
  w.uint32(F.SPAN_DROPPED_ATTRIBUTES, dropped === undefined ? 0 : droppedCount(dropped.tags));

  const logs = span.logs ?? [];
  w.openList(F.SPAN_EVENTS);
  for (let i = 0; i < logs.length; i++) writeEvent(w, logs[i]);
  w.closeList();
  w.uint32(F.SPAN_DROPPED_EVENTS, dropped === undefined ? 0 : droppedCount(dropped.logs));

  writeLinks(w, span);
  w.uint32(F.SPAN_DROPPED_LINKS, dropped === undefined ? 0 : droppedCount(dropped.references));

  w.openMessage(F.SPAN_STATUS);
  if (error) {
    const message = describedError ? statusDescription : errorMessage(logs);
    if (message !== undefined) w.string(F.STATUS_MESSAGE, message);
  }
  w.uint32(F.STATUS_CODE, error ? OTLP_STATUS_CODE.error : ok ? OTLP_STATUS_CODE.ok : OTLP_STATUS_CODE.unset);
  w.close();

  w.fixed32(F.SPAN_FLAGS, SAMPLED_FLAG);
}
