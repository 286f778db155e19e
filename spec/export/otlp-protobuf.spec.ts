import * as fc from 'fast-check';
import { BatchRecorder, OtlpHttpExporter, Tracer } from '../../lib';
import { MAX_ARRAY_VALUES } from '../../lib/export/encoding-bounds';
import { encodeJsonResource, encodeJsonScope, OtlpJsonBody } from '../../lib/export/otlp-json-body';
import { encodeProtobufResource, encodeProtobufScope, OtlpProtobufBody } from '../../lib/export/otlp-protobuf-body';
import { scopeEncoder } from '../../lib/export/otlp-scope';
import { readPartialSuccess } from '../../lib/export/otlp-response';
import type { FinishedSpan, SpanProcess } from '../../lib/recording/finished-span';
import { Collector } from '../helpers/export-collector';
import { finishedSpan } from '../helpers/export-spans';
import { attributesOf, decodeOtlpProtobuf, otlpRequestOf, parseOtlpJson } from '../helpers/otlp-body';
import type { OtlpExportTraceServiceRequest } from '../helpers/otlp-body';

const MAX_BYTES = 4 * 1024 * 1024;
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const PARENT_ID = 'b7ad6b7169203331';
const SPAN_ID = '00f067aa0ba902b7';
const LINKED_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const LINKED_SPAN = '53995c3f42cd8ad8';

const PROCESS: SpanProcess = Object.freeze({
  serviceName: 'checkout',
  tags: Object.freeze({ 'service.version': '1.2.3', 'host.cpus': 8, canary: false, 'deployment.environment.name': 'prod' }),
});

/** Both bodies sextant sends for `spans` (same options), as bytes. */
function bodies(spans: FinishedSpan[], options: { includeBaggage?: boolean } = {}): { protobuf: Buffer; json: Buffer } {
  // One encoded resource per process object, as the exporter's registry keeps them.
  const cached = (encode: typeof encodeJsonResource) => {
    const byProcess = new Map<SpanProcess, Buffer>();
    return (span: FinishedSpan): Buffer => {
      let resource = byProcess.get(span.process);
      if (resource === undefined) byProcess.set(span.process, (resource = encode(span.process.serviceName, span.process.tags, MAX_BYTES)));
      return resource;
    };
  };
  const protobuf = new OtlpProtobufBody(cached(encodeProtobufResource), scopeEncoder(encodeProtobufScope), {
    ...options,
    maxSpanBytes: MAX_BYTES,
  });
  const json = new OtlpJsonBody(cached(encodeJsonResource), scopeEncoder(encodeJsonScope), { ...options, maxSpanBytes: MAX_BYTES });
  for (const span of spans) {
    protobuf.add(span);
    json.add(span);
  }
  return { protobuf: protobuf.take(), json: json.take() };
}

/** A span that uses every part of the mapping. */
function richSpan(): FinishedSpan {
  return finishedSpan({
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    parentSpanId: PARENT_ID,
    operationName: 'GET /cart/{id} – ünïcode',
    serviceName: 'checkout',
    startTime: 1_700_000_000_123.25,
    duration: 12.5,
    tags: {
      'span.kind': 'server',
      error: true,
      'http.method': 'GET',
      'http.status_code': 503,
      negative: -7,
      'big.safe': Number.MAX_SAFE_INTEGER,
      'big.negative': -(2 ** 40) - 3,
      'bigint.int64': -(2n ** 62n),
      'bigint.huge': 2n ** 70n,
      ratio: 0.75,
      'minus.zero': -0,
      nan: NaN,
      inf: Infinity,
      cached: false,
      hosts: ['a', 'b', null, 7, [true]],
      nested: { a: 1, b: { c: ['x'] } },
      deep: { l1: { l2: { l3: { l4: { l5: 'deep' } } } } },
      bytes: Buffer.from([0, 1, 2, 250]),
      err: new TypeError('bad input'),
      when: new Date(Date.UTC(2024, 0, 2)),
      sym: Symbol('s'),
      fn: function handler() {},
      'ключ non-ascii key': 'значение',
      ['k'.repeat(70)]: 'a key too long for the fast path',
      long: 'x'.repeat(200),
      longer: 'y'.repeat(20_000),
      emoji: '😀 and a lone \ud800 surrogate',
      quote: 'a "quoted" \\ back\nslash',
    },
    logs: [
      { timestamp: 1_700_000_000_124.5, fields: { event: 'cache-miss', key: 'cart:42', attempt: 2 } },
      { timestamp: 1_700_000_000_130, fields: { message: 'slow backend', event: 7 } },
      { timestamp: 1_700_000_000_131, fields: { event: 'error', 'error.object': new Error('db down'), message: 'backend down' } },
    ],
    references: [
      { type: 'child_of', traceId: TRACE_ID, spanId: PARENT_ID },
      { type: 'follows_from', traceId: LINKED_TRACE, spanId: LINKED_SPAN },
    ],
    baggage: { tenant: 'acme' },
    process: PROCESS,
    dropped: { tags: 3, logs: 2, references: 1 },
  });
}

describe('OTLP/HTTP protobuf', () => {
  it('decodes, with the decoders generated from opentelemetry-proto, to the request the JSON body spells, field by field', () => {
    const { protobuf, json } = bodies([richSpan(), finishedSpan({ process: PROCESS })], { includeBaggage: true });
    const decoded = decodeOtlpProtobuf(protobuf);
    expect(decoded).toEqual(parseOtlpJson(json));

    // And that request is the one intended, not merely the same mistake twice.
    const [resourceSpans] = decoded.resourceSpans;
    expect(attributesOf(resourceSpans.resource.attributes)).toEqual({
      'service.name': { stringValue: 'checkout' },
      'service.version': { stringValue: '1.2.3' },
      'host.cpus': { intValue: '8' },
      canary: { boolValue: false },
      'deployment.environment.name': { stringValue: 'prod' },
    });
    expect(resourceSpans.scopeSpans[0].scope).toEqual({ name: 'sextant' });
    const span = resourceSpans.scopeSpans[0].spans[0];
    expect(span).toMatchObject({
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      parentSpanId: PARENT_ID,
      name: 'GET /cart/{id} – ünïcode',
      kind: 2,
      startTimeUnixNano: '1700000000123250000',
      endTimeUnixNano: '1700000000135750000',
      droppedAttributesCount: 3,
      droppedEventsCount: 2,
      droppedLinksCount: 1,
      status: { code: 2, message: 'backend down' },
      flags: 1,
    });
    const attributes = attributesOf(span.attributes);
    expect(attributes).toMatchObject({
      'http.status_code': { intValue: '503' },
      negative: { intValue: '-7' },
      'big.safe': { intValue: String(Number.MAX_SAFE_INTEGER) },
      'big.negative': { intValue: String(-(2 ** 40) - 3) },
      'bigint.int64': { intValue: String(-(2n ** 62n)) },
      'bigint.huge': { stringValue: String(2n ** 70n) },
      ratio: { doubleValue: 0.75 },
      'minus.zero': { intValue: '0' },
      nan: { doubleValue: NaN },
      inf: { doubleValue: Infinity },
      cached: { boolValue: false },
      hosts: {
        arrayValue: {
          values: [{ stringValue: 'a' }, { stringValue: 'b' }, {}, { intValue: '7' }, { arrayValue: { values: [{ boolValue: true }] } }],
        },
      },
      nested: {
        kvlistValue: {
          values: [
            { key: 'a', value: { intValue: '1' } },
            { key: 'b', value: { kvlistValue: { values: [{ key: 'c', value: { arrayValue: { values: [{ stringValue: 'x' }] } } }] } } },
          ],
        },
      },
      bytes: { bytesValue: Buffer.from([0, 1, 2, 250]).toString('base64') },
      err: { stringValue: 'TypeError: bad input' },
      when: { stringValue: '2024-01-02T00:00:00.000Z' },
      sym: { stringValue: 'Symbol(s)' },
      fn: { stringValue: '[function handler]' },
      'ключ non-ascii key': { stringValue: 'значение' },
      ['k'.repeat(70)]: { stringValue: 'a key too long for the fast path' },
      long: { stringValue: 'x'.repeat(200) },
      longer: { stringValue: 'y'.repeat(20_000) },
      emoji: { stringValue: '😀 and a lone \ufffd surrogate' },
      quote: { stringValue: 'a "quoted" \\ back\nslash' },
      'baggage.tenant': { stringValue: 'acme' },
    });
    // Past MAX_DEPTH, a value is bounded JSON text.
    expect(JSON.stringify(attributes.deep)).toContain('{\\"l5\\":\\"deep\\"}');
    expect(span.events.map((e) => [e.name, e.timeUnixNano, attributesOf(e.attributes)])).toEqual([
      ['cache-miss', '1700000000124500000', { key: { stringValue: 'cart:42' }, attempt: { intValue: '2' } }],
      ['log', '1700000000130000000', { message: { stringValue: 'slow backend' }, event: { intValue: '7' } }],
      ['error', '1700000000131000000', { 'error.object': { stringValue: 'Error: db down' }, message: { stringValue: 'backend down' } }],
    ]);
    expect(span.links).toEqual([
      { traceId: LINKED_TRACE, spanId: LINKED_SPAN, attributes: [{ key: 'opentracing.ref_type', value: { stringValue: 'follows_from' } }] },
    ]);
  });

  it('decodes to the JSON body’s request for any span (property)', () => {
    const hex = (length: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${length}}$`));
    const scalar = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.integer(),
      fc.maxSafeInteger(),
      fc.double(),
      fc.boolean(),
      fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }),
      fc.constant(null),
      fc.constant(undefined),
    );
    const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 5 }), fc.dictionary(fc.string(), scalar, { maxKeys: 4 }));
    const span = fc.record({
      traceId: hex(32),
      spanId: hex(16),
      parentSpanId: fc.option(hex(16), { nil: undefined }),
      operationName: fc.string({ unit: 'binary' }),
      startTime: fc.double({ min: 1e12, max: 4e12, noNaN: true }),
      duration: fc.double({ min: 0, max: 1e6, noNaN: true }),
      tags: fc.dictionary(fc.string(), value, { maxKeys: 8 }),
      logs: fc.array(
        fc.record({ timestamp: fc.double({ min: 1e12, max: 4e12, noNaN: true }), fields: fc.dictionary(fc.string(), value) }),
        {
          maxLength: 3,
        },
      ),
      references: fc.array(
        fc.record({ type: fc.constantFrom('child_of' as const, 'follows_from' as const), traceId: hex(32), spanId: hex(16) }),
        {
          maxLength: 2,
        },
      ),
      dropped: fc.option(fc.record({ tags: fc.nat(), logs: fc.nat(), references: fc.nat() }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(span, { minLength: 1, maxLength: 4 }), (parts) => {
        const spans = parts.map((p) => {
          const s = finishedSpan({ ...p, process: PROCESS });
          if (p.parentSpanId === undefined) delete s.parentSpanId;
          if (p.dropped === undefined) delete s.dropped;
          return s;
        });
        const { protobuf, json } = bodies(spans);
        expect(decodeOtlpProtobuf(protobuf)).toEqual(parseOtlpJson(json));
        expect(protobuf.length).toBeLessThan(json.length);
      }),
      { numRuns: 200 },
    );
  });

  it('writes an array value’s first MAX_ARRAY_VALUES items only, never walking holes', () => {
    const { protobuf } = bodies([
      finishedSpan({ tags: { sparse: new Array(2 ** 32 - 1), many: Array.from({ length: 5000 }, (_, i) => i) } }),
    ]);
    const attributes = attributesOf(decodeOtlpProtobuf(protobuf).resourceSpans[0].scopeSpans[0].spans[0].attributes);
    expect(attributes.sparse.arrayValue?.values).toHaveLength(MAX_ARRAY_VALUES);
    expect(attributes.sparse.arrayValue?.values[0]).toEqual({});
    expect(attributes.many.arrayValue?.values.map((v) => Number(v.intValue))).toEqual(
      Array.from({ length: MAX_ARRAY_VALUES }, (_, i) => i),
    );
  });

  it('groups spans by their tracer’s process, one ResourceSpans each, in order of first appearance', () => {
    const other: SpanProcess = Object.freeze({ serviceName: 'billing', tags: Object.freeze({ region: 'eu' }) });
    const spans = [
      finishedSpan({ operationName: 'a', process: PROCESS }),
      finishedSpan({ operationName: 'b', process: other, serviceName: 'billing' }),
      finishedSpan({ operationName: 'c', process: PROCESS }),
    ];
    const { protobuf, json } = bodies(spans);
    const decoded = decodeOtlpProtobuf(protobuf);
    expect(decoded).toEqual(parseOtlpJson(json));
    expect(
      decoded.resourceSpans.map((rs) => [
        attributesOf(rs.resource.attributes)['service.name'].stringValue,
        rs.scopeSpans[0].spans.map((s) => s.name),
      ]),
    ).toEqual([
      ['checkout', ['a', 'c']],
      ['billing', ['b']],
    ]);
  });

  it('is read by OpenTelemetry JS’s own protobuf reader, field by field, to the last byte', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { ProtobufReader } = require('@opentelemetry/otlp-transformer/build/src/common/protobuf/protobuf-reader') as {
      ProtobufReader: new (bytes: Uint8Array) => {
        isAtEnd(): boolean;
        readTag(): { fieldNumber: number; wireType: number };
        readBytes(): Uint8Array;
        readString(): string;
        skip(wireType: number): void;
      };
    };
    const { protobuf } = bodies([richSpan(), finishedSpan({ operationName: 'second', process: PROCESS })]);
    /** Every field of a message as [number, wire type, content]; nested messages read with `nested`. */
    const fields = (bytes: Uint8Array): [number, number, Uint8Array | null][] => {
      const reader = new ProtobufReader(bytes);
      const out: [number, number, Uint8Array | null][] = [];
      while (!reader.isAtEnd()) {
        const { fieldNumber, wireType } = reader.readTag();
        if (wireType === 2) out.push([fieldNumber, wireType, reader.readBytes()]);
        else {
          reader.skip(wireType);
          out.push([fieldNumber, wireType, null]);
        }
      }
      return out;
    };
    const resourceSpans = fields(protobuf);
    expect(resourceSpans.map(([n, w]) => [n, w])).toEqual([[1, 2]]);
    const [resource, scopeSpans] = fields(resourceSpans[0][2] as Uint8Array);
    expect([resource[0], scopeSpans[0]]).toEqual([1, 2]);
    const spans = fields(scopeSpans[2] as Uint8Array).filter(([n]) => n === 2);
    expect(spans).toHaveLength(2);
    const nameOf = (span: Uint8Array): string => {
      const reader = new ProtobufReader(span);
      while (!reader.isAtEnd()) {
        const { fieldNumber, wireType } = reader.readTag();
        if (fieldNumber === 5) return reader.readString();
        reader.skip(wireType);
      }
      return '';
    };
    expect(spans.map(([, , bytes]) => nameOf(bytes as Uint8Array))).toEqual(['GET /cart/{id} – ünïcode', 'second']);
    // Span field numbers, in order, as the proto defines them (trace_id 1 … flags 16).
    const numbers = fields(spans[0][2] as Uint8Array).map(([n]) => n);
    expect(numbers.filter((n, i) => i === 0 || numbers[i - 1] !== n)).toEqual([1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  });

  it('reads a protobuf partialSuccess in the response', () => {
    // ExportTraceServiceResponse { partial_success { rejected_spans: 3, error_message: "old" } }
    const response = Buffer.from([0x0a, 0x07, 0x08, 0x03, 0x12, 0x03, 0x6f, 0x6c, 0x64]);
    expect(readPartialSuccess(response, 'application/x-protobuf')).toEqual({ rejectedSpans: 3, errorMessage: 'old' });
    expect(readPartialSuccess(Buffer.from([0x0a, 0x00]), 'application/x-protobuf')).toBeUndefined();
    expect(readPartialSuccess(Buffer.from([0xff, 0xff]), 'application/x-protobuf')).toBeUndefined();
  });
});

describe('OtlpHttpExporter over protobuf', () => {
  let collector: Collector;
  beforeEach(async () => {
    collector = await Collector.start((index) =>
      index === 0
        ? { status: 200, headers: { 'content-type': 'application/x-protobuf' }, body: '\u000a\u0004\u0008\u0002\u0012\u0000' }
        : { status: 200 },
    );
  });
  afterEach(() => collector.stop());

  it('is the default: application/x-protobuf, gzip-able, the tracer’s spans and resource', async () => {
    const messages: string[] = [];
    const exporter = new OtlpHttpExporter({ url: collector.url('/v1/traces'), compression: 'gzip' });
    expect(exporter.protocol).toBe('http/protobuf');
    const tracer = new Tracer({
      serviceName: 'checkout',
      recorder: new BatchRecorder(exporter),
      tags: { 'service.version': '2.0.0' },
      logger: { warn: (m) => void messages.push(m) },
    });
    const parent = tracer.startSpan('parent');
    tracer.startSpan('child', { childOf: parent }).setTag('n', 1).finish();
    parent.finish();
    await tracer.close();
    expect(collector.requests).toHaveLength(1);
    const [request] = collector.requests;
    expect(request.headers).toMatchObject({ 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    const body: OtlpExportTraceServiceRequest = otlpRequestOf(request);
    const [rs] = body.resourceSpans;
    expect(attributesOf(rs.resource.attributes)['service.version']).toEqual({ stringValue: '2.0.0' });
    const [child, parentSpan] = rs.scopeSpans[0].spans;
    expect([child.name, parentSpan.name]).toEqual(['child', 'parent']);
    expect(child.parentSpanId).toBe(parentSpan.spanId);
    expect(child.traceId).toBe(parentSpan.traceId);
    expect(attributesOf(child.attributes)).toEqual({ n: { intValue: '1' } });
    // The protobuf partial-success answer was read and reported.
    expect(messages).toEqual(['sextant: OTLP backend accepted the batch but rejected 2 spans']);
  });

  it('rejects a protocol it does not speak, naming the option', () => {
    expect(() => new OtlpHttpExporter({ url: 'http://127.0.0.1:4318/v1/traces', protocol: 'grpc' as never })).toThrow(
      /OtlpHttpExporterOptions\.protocol must be 'http\/protobuf' or 'http\/json', got "grpc"/,
    );
  });
});
