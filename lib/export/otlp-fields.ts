/*
 * The fields of ExportTraceServiceRequest that sextant writes (opentelemetry-proto,
 * collector/trace/v1, trace/v1, resource/v1, common/v1): each with its protobuf tag
 * (field number and wire type) and its proto3-JSON name, so one mapping can drive
 * both the protobuf and the JSON writer.
 */

/** A field of an OTLP message, as both writers need it. */
export interface OtlpField {
  /** the proto3-JSON (lowerCamelCase) name */
  readonly json: string;
  /** `"name":` as ASCII bytes, ready to copy */
  readonly jsonKey: Uint8Array;
  /** (field number << 3) | wire type */
  readonly tag: number;
}

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

function field(json: string, fieldNumber: number, wireType: number): OtlpField {
  return Object.freeze({
    json,
    jsonKey: Uint8Array.from(Buffer.from(`${JSON.stringify(json)}:`, 'latin1')),
    tag: (fieldNumber << 3) | wireType,
  });
}

/** Every field sextant writes, by message. */
export const F = Object.freeze({
  // ExportTraceServiceRequest
  REQUEST_RESOURCE_SPANS: field('resourceSpans', 1, LEN),
  // ResourceSpans
  RESOURCE_SPANS_RESOURCE: field('resource', 1, LEN),
  RESOURCE_SPANS_SCOPE_SPANS: field('scopeSpans', 2, LEN),
  // Resource
  RESOURCE_ATTRIBUTES: field('attributes', 1, LEN),
  RESOURCE_DROPPED_ATTRIBUTES: field('droppedAttributesCount', 2, VARINT),
  // ScopeSpans
  SCOPE_SPANS_SCOPE: field('scope', 1, LEN),
  SCOPE_SPANS_SPANS: field('spans', 2, LEN),
  // InstrumentationScope
  SCOPE_NAME: field('name', 1, LEN),
  SCOPE_VERSION: field('version', 2, LEN),
  // Span
  SPAN_TRACE_ID: field('traceId', 1, LEN),
  SPAN_SPAN_ID: field('spanId', 2, LEN),
  SPAN_PARENT_SPAN_ID: field('parentSpanId', 4, LEN),
  SPAN_NAME: field('name', 5, LEN),
  SPAN_KIND: field('kind', 6, VARINT),
  SPAN_START_TIME: field('startTimeUnixNano', 7, I64),
  SPAN_END_TIME: field('endTimeUnixNano', 8, I64),
  SPAN_ATTRIBUTES: field('attributes', 9, LEN),
  SPAN_DROPPED_ATTRIBUTES: field('droppedAttributesCount', 10, VARINT),
  SPAN_EVENTS: field('events', 11, LEN),
  SPAN_DROPPED_EVENTS: field('droppedEventsCount', 12, VARINT),
  SPAN_LINKS: field('links', 13, LEN),
  SPAN_DROPPED_LINKS: field('droppedLinksCount', 14, VARINT),
  SPAN_STATUS: field('status', 15, LEN),
  SPAN_FLAGS: field('flags', 16, I32),
  // Span.Event
  EVENT_TIME: field('timeUnixNano', 1, I64),
  EVENT_NAME: field('name', 2, LEN),
  EVENT_ATTRIBUTES: field('attributes', 3, LEN),
  EVENT_DROPPED_ATTRIBUTES: field('droppedAttributesCount', 4, VARINT),
  // Span.Link
  LINK_TRACE_ID: field('traceId', 1, LEN),
  LINK_SPAN_ID: field('spanId', 2, LEN),
  LINK_ATTRIBUTES: field('attributes', 4, LEN),
  LINK_DROPPED_ATTRIBUTES: field('droppedAttributesCount', 5, VARINT),
  // Status
  STATUS_MESSAGE: field('message', 2, LEN),
  STATUS_CODE: field('code', 3, VARINT),
  // KeyValue
  KEY_VALUE_KEY: field('key', 1, LEN),
  KEY_VALUE_VALUE: field('value', 2, LEN),
  // AnyValue (a oneof: exactly one is written, or none for an empty value)
  ANY_STRING: field('stringValue', 1, LEN),
  ANY_BOOL: field('boolValue', 2, VARINT),
  ANY_INT: field('intValue', 3, VARINT),
  ANY_DOUBLE: field('doubleValue', 4, I64),
  ANY_ARRAY: field('arrayValue', 5, LEN),
  ANY_KVLIST: field('kvlistValue', 6, LEN),
  ANY_BYTES: field('bytesValue', 7, LEN),
  // ArrayValue and KeyValueList
  ARRAY_VALUES: field('values', 1, LEN),
  KVLIST_VALUES: field('values', 1, LEN),
});

/** opentelemetry.proto.trace.v1.Span.SpanKind */
export const OTLP_SPAN_KIND = Object.freeze({ unspecified: 0, internal: 1, server: 2, client: 3, producer: 4, consumer: 5 });
/** opentelemetry.proto.trace.v1.Status.StatusCode */
export const OTLP_STATUS_CODE = Object.freeze({ unset: 0, ok: 1, error: 2 });
