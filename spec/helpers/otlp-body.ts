import type { IncomingHttpHeaders } from 'node:http';

/*
 * OTLP request bodies as the tests read them: the proto3-JSON shape (ids as hex, int64
 * and fixed64 as decimal strings, enums as numbers, bytes as base64), whether the body
 * came as JSON or as protobuf. Protobuf is decoded by the decoders protobufjs generated
 * from opentelemetry-proto, as shipped by OpenTelemetry JS's otlp-transformer 0.216
 * (the dev dependency `otlp-transformer-protobufjs`): an implementation that is not
 * sextant's own.
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

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  droppedAttributesCount?: number;
  events: { timeUnixNano: string; name: string; attributes: OtlpKeyValue[]; droppedAttributesCount?: number }[];
  droppedEventsCount?: number;
  status: { code?: number; message?: string };
  links: { traceId: string; spanId: string; attributes: OtlpKeyValue[]; droppedAttributesCount?: number }[];
  droppedLinksCount?: number;
  flags?: number;
}

export interface OtlpExportTraceServiceRequest {
  resourceSpans: {
    resource: { attributes: OtlpKeyValue[]; droppedAttributesCount?: number };
    scopeSpans: { scope: { name: string; version?: string }; spans: OtlpSpan[] }[];
  }[];
}

interface ProtobufType {
  decode(bytes: Uint8Array): unknown;
  toObject(message: unknown, options: Record<string, unknown>): Record<string, unknown>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const root = require('otlp-transformer-protobufjs/build/src/generated/root') as {
  opentelemetry: { proto: { collector: { trace: { v1: { ExportTraceServiceRequest: ProtobufType } } } } };
};
const ExportTraceServiceRequest = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

const ID_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);
/** proto3 defaults of the non-oneof scalar fields: absent in protobuf, written in sextant's JSON. */
const DEFAULTS: Record<string, unknown[]> = {
  droppedAttributesCount: [0],
  droppedEventsCount: [0],
  droppedLinksCount: [0],
  kind: [0],
  code: [0],
  message: [''],
  traceState: [''],
  schemaUrl: [''],
  version: [''],
  flags: [0],
  parentSpanId: [''],
};

/**
 * The same request with every proto3 default and empty list left out (as protobuf leaves them out), and
 * ids turned from base64 (protobufjs) to hex (OTLP JSON). AnyValue members keep their
 * defaults: a oneof has presence.
 */
export function withoutDefaults(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => withoutDefaults(v));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (DEFAULTS[k]?.includes(v) || (Array.isArray(v) && v.length === 0)) continue;
      out[k] = withoutDefaults(v, k);
    }
    return out;
  }
  if (ID_FIELDS.has(key) && typeof value === 'string' && !/^[0-9a-f]*$/.test(value)) return Buffer.from(value, 'base64').toString('hex');
  // proto3 JSON spells non-finite doubles as strings; protobuf carries the numbers.
  if (key === 'doubleValue' && typeof value === 'string') return Number(value);
  return value;
}

/** A protobuf ExportTraceServiceRequest, decoded by the generated decoder, in the JSON shape without defaults. */
export function decodeOtlpProtobuf(body: Uint8Array): OtlpExportTraceServiceRequest {
  const message = ExportTraceServiceRequest.decode(body);
  const object = ExportTraceServiceRequest.toObject(message, {
    longs: String,
    enums: Number,
    bytes: String,
    arrays: true,
    defaults: false,
  });
  return withoutDefaults(object) as OtlpExportTraceServiceRequest;
}

/** A JSON ExportTraceServiceRequest, without defaults. */
export function parseOtlpJson(body: Uint8Array): OtlpExportTraceServiceRequest {
  return withoutDefaults(JSON.parse(Buffer.from(body).toString('utf8'))) as OtlpExportTraceServiceRequest;
}

/** A received OTLP request's body (already un-gzipped), by its Content-Type. */
export function otlpRequestOf(request: { headers: IncomingHttpHeaders; body: Uint8Array }): OtlpExportTraceServiceRequest {
  const type = request.headers['content-type'] ?? '';
  if (type === 'application/x-protobuf') return decodeOtlpProtobuf(request.body);
  if (type === 'application/json') return parseOtlpJson(request.body);
  throw new Error(`not an OTLP content type: ${type}`);
}

/** Every span of a received OTLP request. */
export function otlpSpansOf(request: { headers: IncomingHttpHeaders; body: Uint8Array }): OtlpSpan[] {
  return otlpRequestOf(request).resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
}

/** Attributes as a plain object of AnyValues. */
export function attributesOf(list: OtlpKeyValue[]): Record<string, OtlpAnyValue> {
  return Object.fromEntries(list.map((kv) => [kv.key, kv.value]));
}
