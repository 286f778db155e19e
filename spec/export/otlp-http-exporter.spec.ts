import * as api from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import * as fc from 'fast-check';
import { BatchRecorder, OtlpHttpExporter, Tracer } from '../../lib';
import { OtlpJsonBody, encodeJsonResource, encodeJsonScope } from '../../lib/export/otlp-json-body';
import { scopeEncoder } from '../../lib/export/otlp-scope';
import type { OtlpMappingOptions } from '../../lib/export/otlp-mapping';
import { millisToUnixNanos } from '../../lib/export/otlp-time';
import type { FinishedSpan } from '../../lib/recording/finished-span';
import { Collector } from '../helpers/export-collector';
import { finishedSpan } from '../helpers/export-spans';
import { otlpRequestOf } from '../helpers/otlp-body';
import type { OtlpAnyValue, OtlpExportTraceServiceRequest, OtlpKeyValue, OtlpSpan } from '../helpers/otlp-body';

const MAX_BYTES = 4 * 1024 * 1024;

/** The OTLP/JSON request sextant sends for `spans`, exactly as on the wire (zero fields included). */
function jsonRequest(
  spans: FinishedSpan[],
  processTags: Record<string, unknown> = {},
  options: OtlpMappingOptions = {},
): OtlpExportTraceServiceRequest {
  const resources = new Map<string, Buffer>();
  const body = new OtlpJsonBody(
    (span) => {
      let resource = resources.get(span.serviceName);
      if (resource === undefined)
        resources.set(span.serviceName, (resource = encodeJsonResource(span.serviceName, processTags, MAX_BYTES)));
      return resource;
    },
    scopeEncoder(encodeJsonScope),
    { ...options, maxSpanBytes: MAX_BYTES },
  );
  for (const span of spans) body.add(span);
  return JSON.parse(body.take().toString('utf8')) as OtlpExportTraceServiceRequest;
}

/** One span as sextant's OTLP/JSON spells it. */
function toOtlpSpan(span: FinishedSpan, options: OtlpMappingOptions = {}): OtlpSpan {
  return jsonRequest([span], {}, options).resourceSpans[0].scopeSpans[0].spans[0];
}

/** One tag value as sextant's OTLP/JSON types it. */
function toAnyValue(value: unknown): OtlpAnyValue {
  return toOtlpSpan(finishedSpan({ tags: { value } })).attributes[0].value;
}

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const PARENT_ID = 'b7ad6b7169203331';
const SPAN_ID = '00f067aa0ba902b7';
const LINKED_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const LINKED_SPAN = '53995c3f42cd8ad8';

/** What OpenTelemetry's own SDK and serializer send for the span `equivalentFinishedSpan` describes. */
function openTelemetryBody(): OtlpExportTraceServiceRequest {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'service.version': '1.2.3', 'deployment.environment.name': 'test' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    idGenerator: { generateTraceId: () => TRACE_ID, generateSpanId: () => SPAN_ID },
  });
  const tracer = provider.getTracer('sextant');
  const parent = api.trace.setSpanContext(api.ROOT_CONTEXT, { traceId: TRACE_ID, spanId: PARENT_ID, traceFlags: 1 });
  const span = tracer.startSpan(
    'GET /cart',
    {
      kind: api.SpanKind.SERVER,
      startTime: 1_700_000_000_123.25,
      attributes: { 'http.method': 'GET', cached: false, 'http.status_code': 503, ratio: 0.75, hosts: ['a', 'b'], ports: [80, 443] },
      links: [
        { context: { traceId: LINKED_TRACE, spanId: LINKED_SPAN, traceFlags: 1 }, attributes: { 'opentracing.ref_type': 'follows_from' } },
      ],
    },
    parent,
  );
  span.addEvent('cache-miss', { key: 'cart:42', attempt: 2 }, 1_700_000_000_124.5);
  span.addEvent('log', { message: 'slow backend' }, 1_700_000_000_130);
  span.setStatus({ code: api.SpanStatusCode.ERROR, message: 'backend down' });
  span.end(1_700_000_000_135.75);
  const [readable] = exporter.getFinishedSpans();
  void provider.shutdown();
  return JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest([readable]) as Uint8Array).toString('utf8'));
}

/** The same span as sextant records it. */
const equivalentFinishedSpan: FinishedSpan = {
  traceId: TRACE_ID,
  spanId: SPAN_ID,
  parentSpanId: PARENT_ID,
  operationName: 'GET /cart',
  serviceName: 'checkout',
  startTime: 1_700_000_000_123.25,
  duration: 12.5,
  tags: {
    'span.kind': 'server',
    'http.method': 'GET',
    cached: false,
    'http.status_code': 503,
    ratio: 0.75,
    hosts: ['a', 'b'],
    ports: [80, 443],
    error: true,
  },
  logs: [
    { timestamp: 1_700_000_000_124.5, fields: { event: 'cache-miss', key: 'cart:42', attempt: 2 } },
    { timestamp: 1_700_000_000_130, fields: { message: 'slow backend' } },
    { timestamp: 1_700_000_000_131, fields: { event: 'error', message: 'backend down' } },
  ],
  references: [
    { type: 'child_of', traceId: TRACE_ID, spanId: PARENT_ID },
    { type: 'follows_from', traceId: LINKED_TRACE, spanId: LINKED_SPAN },
  ],
  baggage: { tenant: 'acme' },
  process: { serviceName: 'checkout', tags: {} },
};

/**
 * Differences the OTLP spec allows and this test accepts, applied to OpenTelemetry's body:
 * - intValue: OpenTelemetry JS writes a JSON number; proto3 JSON writes int64 as a
 *   decimal string (the spec says receivers accept both). sextant sends strings.
 * - flags: OpenTelemetry knows whether the parent and the linked contexts were remote
 *   (bits 8-9). A FinishedSpan does not say, so sextant sends only the W3C sampled bit
 *   (1) on spans, leaving "remote unknown", and no flags on links.
 */
function normalise(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => normalise(v));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = normalise(v, k);
    return out;
  }
  if (key === 'intValue' && typeof value === 'number') return String(value);
  return value;
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

function attributes(list: OtlpKeyValue[]): Record<string, unknown> {
  return Object.fromEntries(list.map((kv) => [kv.key, kv.value]));
}

describe('OTLP JSON mapping', () => {
  it('produces the body OpenTelemetry’s own serializer produces for an equivalent span', () => {
    const expected = normalise(openTelemetryBody()) as OtlpExportTraceServiceRequest;
    const otelSpan = expected.resourceSpans[0].scopeSpans[0].spans[0] as unknown as Record<string, unknown>;
    // OpenTelemetry: sampled (1) + "has is_remote" (0x100). sextant: sampled, remote unknown.
    expect(otelSpan.flags).toBe(0x101);
    otelSpan.flags = 1;
    for (const link of otelSpan.links as Record<string, unknown>[]) delete link.flags;
    // sextant also carries the error log as an event; OpenTelemetry has setStatus only.
    (otelSpan.events as unknown[]).push({
      attributes: [{ key: 'message', value: { stringValue: 'backend down' } }],
      name: 'error',
      timeUnixNano: '1700000000131000000',
      droppedAttributesCount: 0,
    });

    const wire = jsonRequest([equivalentFinishedSpan], { 'service.version': '1.2.3', 'deployment.environment.name': 'test' });
    expect(sortedKeys(wire)).toEqual(sortedKeys(expected));
  });

  it('writes nanosecond times as exact integer decimal strings, without float noise', () => {
    expect(millisToUnixNanos(1_700_000_000_123.25)).toBe('1700000000123250000');
    expect(millisToUnixNanos(1_700_000_000_000)).toBe('1700000000000000000');
    expect(millisToUnixNanos(0.000001)).toBe('1');
    expect(millisToUnixNanos(NaN)).toBe('0');
    // The exact value of the double, rounded half-up to whole nanoseconds, computed in BigInt.
    const exactNanos = (ms: number): bigint => {
      const whole = Math.floor(ms);
      const fraction = ms - whole; // exact for doubles of this magnitude
      const [mantissa, exponent] = decompose(fraction);
      const scaled = mantissa * 1_000_000n; // fraction * 1e6 = scaled / 2^exponent
      const rounded = (scaled * 2n + (1n << exponent)) / (2n << exponent);
      return BigInt(whole) * 1_000_000n + rounded;
    };
    fc.assert(
      fc.property(fc.double({ min: 1e12, max: 4e12, noNaN: true }), fc.double({ min: 0, max: 1e6, noNaN: true }), (start, duration) => {
        const text = millisToUnixNanos(start);
        expect(text).toMatch(/^[1-9]\d*$/);
        expect(BigInt(text)).toBe(exactNanos(start));
        const span = toOtlpSpan(finishedSpan({ startTime: start, duration }));
        expect(span.endTimeUnixNano).toMatch(/^[1-9]\d*$/);
        // end - start is the duration in whole nanoseconds: computed in integers, not by adding floats.
        expect(BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)).toBe(BigInt(millisToUnixNanos(duration)));
      }),
      { numRuns: 300 },
    );
  });

  it('types attribute values as AnyValue', () => {
    class Custom {
      x = 1;
    }
    const span = toOtlpSpan(
      finishedSpan({
        tags: {
          s: 'text',
          t: true,
          i: -7,
          big: 2n ** 40n,
          huge: 2n ** 70n,
          d: 2.5,
          e: 1e21,
          nan: NaN,
          inf: -Infinity,
          list: [1, 'a', false, null],
          nested: { a: 1, b: ['x'] },
          err: new TypeError('bad input'),
          bytes: Buffer.from('hi'),
          custom: new Custom(),
          gone: undefined,
          nil: null,
        },
      }),
    );
    expect(attributes(span.attributes)).toEqual({
      s: { stringValue: 'text' },
      t: { boolValue: true },
      i: { intValue: '-7' },
      big: { intValue: '1099511627776' },
      huge: { stringValue: '1180591620717411303424' },
      d: { doubleValue: 2.5 },
      e: { doubleValue: 1e21 },
      nan: { doubleValue: 'NaN' },
      inf: { doubleValue: '-Infinity' },
      list: { arrayValue: { values: [{ intValue: '1' }, { stringValue: 'a' }, { boolValue: false }, {}] } },
      nested: {
        kvlistValue: {
          values: [
            { key: 'a', value: { intValue: '1' } },
            { key: 'b', value: { arrayValue: { values: [{ stringValue: 'x' }] } } },
          ],
        },
      },
      err: { stringValue: 'TypeError: bad input' },
      bytes: { bytesValue: Buffer.from('hi').toString('base64') },
      custom: { kvlistValue: { values: [{ key: 'x', value: { intValue: '1' } }] } },
    });
    // A cycle is cut at the depth limit instead of recursing forever.
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    expect(JSON.stringify(toAnyValue(cyclic))).toContain('[Circular]');
  });

  it.each([
    ['server', 2],
    ['client', 3],
    ['producer', 4],
    ['consumer', 5],
    ['SERVER', 2],
  ])('maps span.kind %s to kind %i and does not repeat it as an attribute', (tag, kind) => {
    const span = toOtlpSpan(finishedSpan({ tags: { 'span.kind': tag } }));
    expect(span.kind).toBe(kind);
    expect(attributes(span.attributes)).toEqual({});
  });

  it('makes spans without a known span.kind internal (1), keeping an unknown value as an attribute', () => {
    expect(toOtlpSpan(finishedSpan()).kind).toBe(1);
    const span = toOtlpSpan(finishedSpan({ tags: { 'span.kind': 'rpc.server' } }));
    expect(span.kind).toBe(1);
    expect(attributes(span.attributes)).toEqual({ 'span.kind': { stringValue: 'rpc.server' } });
  });

  it('sets status ERROR (2) from the error tag, with the error log’s message', () => {
    const failed = toOtlpSpan(
      finishedSpan({
        tags: { error: true },
        logs: [{ timestamp: 1_700_000_000_001, fields: { event: 'error', 'error.object': new Error('x'), message: 'db down' } }],
      }),
    );
    expect(failed.status).toEqual({ code: 2, message: 'db down' });
    expect(attributes(failed.attributes)).toEqual({});
    expect(toOtlpSpan(finishedSpan({ tags: { error: 'true' } })).status).toEqual({ code: 2 });
    const fine = toOtlpSpan(finishedSpan({ tags: { error: false } }));
    expect(fine.status).toEqual({ code: 0 });
    expect(fine.attributes).toEqual([]);
  });

  it('turns logs into events named by their event field, else "log"', () => {
    const span = toOtlpSpan(
      finishedSpan({
        logs: [
          { timestamp: 1_700_000_000_001.5, fields: { event: 'retry', attempt: 2 } },
          { timestamp: 1_700_000_000_002, fields: { message: 'hello', event: 7 } },
        ],
      }),
    );
    expect(span.events).toEqual([
      {
        timeUnixNano: '1700000000001500000',
        name: 'retry',
        attributes: [{ key: 'attempt', value: { intValue: '2' } }],
        droppedAttributesCount: 0,
      },
      {
        timeUnixNano: '1700000000002000000',
        name: 'log',
        attributes: [
          { key: 'message', value: { stringValue: 'hello' } },
          { key: 'event', value: { intValue: '7' } },
        ],
        droppedAttributesCount: 0,
      },
    ]);
  });

  it('turns follows_from and extra child_of references into links, not the parent', () => {
    const parent = { type: 'child_of' as const, traceId: TRACE_ID, spanId: PARENT_ID };
    const span = toOtlpSpan(
      finishedSpan({
        traceId: TRACE_ID,
        parentSpanId: PARENT_ID,
        references: [
          parent,
          { type: 'follows_from', traceId: LINKED_TRACE, spanId: LINKED_SPAN },
          { type: 'child_of', traceId: LINKED_TRACE, spanId: SPAN_ID },
        ],
      }),
    );
    expect(span.parentSpanId).toBe(PARENT_ID);
    expect(span.links.map((l) => [l.traceId, l.spanId, attributes(l.attributes)['opentracing.ref_type']])).toEqual([
      [LINKED_TRACE, LINKED_SPAN, { stringValue: 'follows_from' }],
      [LINKED_TRACE, SPAN_ID, { stringValue: 'child_of' }],
    ]);
    const root = toOtlpSpan(finishedSpan());
    expect(root.links).toEqual([]);
    expect('parentSpanId' in root).toBe(false);
  });

  it('leaves baggage out unless includeBaggage asks for it', () => {
    const span = finishedSpan({ baggage: { tenant: 'acme' } });
    expect(toOtlpSpan(span).attributes).toEqual([]);
    expect(toOtlpSpan(span, { includeBaggage: true }).attributes).toEqual([{ key: 'baggage.tenant', value: { stringValue: 'acme' } }]);
  });
});

describe('OtlpHttpExporter resources', () => {
  let collector: Collector;
  beforeEach(async () => {
    collector = await Collector.start();
  });
  afterEach(() => collector.stop());

  it('sends one ResourceSpans per service with service.name and that tracer’s process tags', async () => {
    const recorder = new BatchRecorder(new OtlpHttpExporter({ url: collector.url('/v1/traces') }), { scheduledDelayMillis: 60_000 });
    const checkout = new Tracer({ serviceName: 'checkout', recorder, tags: { 'service.version': '2.0.0', 'service.name': 'ignored' } });
    const billing = new Tracer({ serviceName: 'billing', recorder, tags: { region: 'eu', replicas: 3 } });
    checkout.startSpan('a').finish();
    billing.startSpan('b').finish();
    checkout.startSpan('c').finish();
    await checkout.close();
    expect(collector.requests).toHaveLength(1);
    const body = otlpRequestOf(collector.requests[0]);
    const byService = Object.fromEntries(
      body.resourceSpans.map((rs) => [
        (attributes(rs.resource.attributes)['service.name'] as { stringValue: string }).stringValue,
        { resource: attributes(rs.resource.attributes), names: rs.scopeSpans[0].spans.map((s) => s.name) },
      ]),
    );
    expect(byService).toEqual({
      checkout: {
        resource: { 'service.name': { stringValue: 'checkout' }, 'service.version': { stringValue: '2.0.0' } },
        names: ['a', 'c'],
      },
      billing: {
        resource: { 'service.name': { stringValue: 'billing' }, region: { stringValue: 'eu' }, replicas: { intValue: '3' } },
        names: ['b'],
      },
    });
    expect(body.resourceSpans[0].scopeSpans[0].scope).toEqual({ name: 'sextant' });
    expect(collector.requests[0].headers['content-type']).toBe('application/x-protobuf');
  });
});

/** A finite double in [0, 1) as mantissa / 2^exponent, exactly. */
function decompose(x: number): [bigint, bigint] {
  if (x === 0) return [0n, 0n];
  let exponent = 0n;
  let value = x;
  while (!Number.isInteger(value)) {
    value *= 2;
    exponent++;
  }
  return [BigInt(value), exponent];
}
