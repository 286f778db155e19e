import { isIPv4, isIPv6 } from 'node:net';
import { TraceId, jsonEncoder, model, option } from 'zipkin';
import { BatchRecorder, Tracer, ZipkinExporter } from '../../lib';
import { toZipkinSpan, zipkinProcessTags } from '../../lib/export/zipkin-json';
import type { ZipkinSpan } from '../../lib/export/zipkin-json';
import { Collector } from '../helpers/export-collector';
import { finishedSpan } from '../helpers/export-spans';

/*
 * The Span definition of the Zipkin v2 API (openzipkin/zipkin-api, zipkin2-api.yaml,
 * definitions: Span, Endpoint, Annotation, Tags, ListOfSpans), transcribed as a JSON
 * schema, and a validator for the keywords it uses.
 */
type Schema = {
  type?: 'object' | 'array' | 'string' | 'integer' | 'boolean';
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: Schema;
  items?: Schema;
  uniqueItems?: boolean;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  enum?: string[];
  format?: 'ipv4' | 'ipv6' | 'int64';
};

const ENDPOINT: Schema = {
  type: 'object',
  properties: {
    serviceName: { type: 'string' },
    ipv4: { type: 'string', format: 'ipv4' },
    ipv6: { type: 'string', format: 'ipv6' },
    port: { type: 'integer' },
  },
};
const ANNOTATION: Schema = {
  type: 'object',
  required: ['timestamp', 'value'],
  properties: { timestamp: { type: 'integer' }, value: { type: 'string' } },
};
const SPAN: Schema = {
  type: 'object',
  required: ['traceId', 'id'],
  properties: {
    traceId: { type: 'string', maxLength: 32, minLength: 16, pattern: '[a-z0-9]{16,32}' },
    name: { type: 'string' },
    parentId: { type: 'string', pattern: '[a-z0-9]{16}', maxLength: 16, minLength: 16 },
    id: { type: 'string', pattern: '[a-z0-9]{16}', maxLength: 16, minLength: 16 },
    kind: { type: 'string', enum: ['CLIENT', 'SERVER', 'PRODUCER', 'CONSUMER'] },
    timestamp: { type: 'integer', format: 'int64' },
    duration: { type: 'integer', format: 'int64', minimum: 1 },
    debug: { type: 'boolean' },
    shared: { type: 'boolean' },
    localEndpoint: ENDPOINT,
    remoteEndpoint: ENDPOINT,
    annotations: { type: 'array', uniqueItems: true, items: ANNOTATION },
    tags: { type: 'object', additionalProperties: { type: 'string' } },
  },
};
const LIST_OF_SPANS: Schema = { type: 'array', items: SPAN };

/** Schema violations of `value`, as `path: problem` lines (empty when valid). */
function validate(value: unknown, schema: Schema, path = '$'): string[] {
  const errors: string[] = [];
  const add = (problem: string): void => void errors.push(`${path}: ${problem}`);
  switch (schema.type) {
    case 'object':
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${path}: not an object`];
      break;
    case 'array':
      if (!Array.isArray(value)) return [`${path}: not an array`];
      break;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) return [`${path}: not an integer`];
      if (schema.format === 'int64' && !Number.isSafeInteger(value)) add('beyond exact int64 range in JSON');
      break;
    case 'string':
      if (typeof value !== 'string') return [`${path}: not a string`];
      break;
    case 'boolean':
      if (typeof value !== 'boolean') return [`${path}: not a boolean`];
      break;
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) add(`shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength) add(`longer than ${schema.maxLength}`);
    // JSON Schema patterns are unanchored, as in the YAML.
    if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) add(`does not match ${schema.pattern}`);
    if (schema.enum !== undefined && !schema.enum.includes(value)) add(`not one of ${schema.enum.join(', ')}`);
    if (schema.format === 'ipv4' && !isIPv4(value)) add('not an IPv4 address');
    if (schema.format === 'ipv6' && !isIPv6(value)) add('not an IPv6 address');
  }
  if (typeof value === 'number' && schema.minimum !== undefined && value < schema.minimum) add(`below ${schema.minimum}`);
  if (Array.isArray(value)) {
    if (schema.uniqueItems && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) add('items not unique');
    if (schema.items !== undefined) value.forEach((v, i) => errors.push(...validate(v, schema.items as Schema, `${path}[${i}]`)));
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in record)) add(`missing ${key}`);
    for (const [key, v] of Object.entries(record)) {
      const sub = schema.properties?.[key] ?? schema.additionalProperties;
      // The API ignores unknown fields, but an exporter that sends them has a bug.
      if (sub === undefined) add(`unknown property ${key}`);
      else errors.push(...validate(v, sub, `${path}.${key}`));
    }
  }
  return errors;
}

describe('Zipkin v2 JSON mapping', () => {
  it('matches the Zipkin v2 API span schema', () => {
    const spans = [
      finishedSpan(),
      finishedSpan({
        parentSpanId: 'b7ad6b7169203331',
        duration: 0,
        tags: {
          'span.kind': 'client',
          'peer.service': 'db',
          'peer.ipv4': '10.0.0.7',
          'peer.port': 5432,
          'db.rows': 3,
          ok: true,
          obj: { a: 1 },
          error: true,
        },
        logs: [
          { timestamp: 1_700_000_000_001.2, fields: { event: 'retry' } },
          { timestamp: 1_700_000_000_001.2, fields: { event: 'retry' } },
          { timestamp: 1_700_000_000_002, fields: { event: 'error', message: 'boom' } },
        ],
      }),
      finishedSpan({ tags: { 'span.kind': 'consumer', 'peer.ipv6': '2001:db8::c001', 'peer.ipv4': 167772167 } }),
    ];
    const body = JSON.parse(JSON.stringify(spans.map((s) => toZipkinSpan(s, zipkinProcessTags({ 'service.version': '1.0.0' })))));
    expect(validate(body, LIST_OF_SPANS)).toEqual([]);
    // The validator does catch what it should.
    expect(validate([{ traceId: 'XYZ', id: '1', duration: 0, kind: 'INTERNAL', tags: { n: 1 } }], LIST_OF_SPANS)).toHaveLength(7);
  });

  it('maps every field as documented', () => {
    const span = finishedSpan({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      parentSpanId: 'b7ad6b7169203331',
      operationName: 'GET /users',
      serviceName: 'api',
      startTime: 1_700_000_000_123 + 0.4567,
      duration: 0.0004,
      tags: {
        'span.kind': 'server',
        'peer.service': 'browser',
        'peer.ipv4': 167772167,
        'peer.port': '51000',
        'peer.hostname': 'client.local',
        'http.status_code': 200,
        retried: false,
        error: false,
        'service.version': 'span-wins',
        nothing: null,
      },
      logs: [
        { timestamp: 1_700_000_000_124, fields: { event: 'cache-miss' } },
        { timestamp: 1_700_000_000_125 + 0.0004, fields: { event: 'retry', attempt: 2 } },
        { timestamp: 1_700_000_000_126, fields: { message: 'plain' } },
      ],
      baggage: { tenant: 'acme' },
    });
    const out = toZipkinSpan(span, zipkinProcessTags({ 'service.version': '1.0.0', region: 'eu' }));
    expect(out).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      id: '00f067aa0ba902b7',
      parentId: 'b7ad6b7169203331',
      name: 'GET /users',
      kind: 'SERVER',
      timestamp: 1_700_000_000_123_457,
      duration: 1,
      localEndpoint: { serviceName: 'api' },
      remoteEndpoint: { serviceName: 'browser', ipv4: '10.0.0.7', port: 51000 },
      annotations: [
        { timestamp: 1_700_000_000_124_000, value: 'cache-miss' },
        { timestamp: 1_700_000_000_125_000, value: '{"event":"retry","attempt":2}' },
        { timestamp: 1_700_000_000_126_000, value: '{"message":"plain"}' },
      ],
      tags: { 'service.version': 'span-wins', region: 'eu', 'peer.hostname': 'client.local', 'http.status_code': '200', retried: 'false' },
    });
    expect(toZipkinSpan(span, undefined, { includeBaggage: true }).tags?.['baggage.tenant']).toBe('acme');
    expect(toZipkinSpan(span).tags?.['baggage.tenant']).toBeUndefined();
  });

  it('marks errors with an error tag and leaves error: false out (Zipkin reads presence as failure)', () => {
    expect(toZipkinSpan(finishedSpan({ tags: { error: true } })).tags).toEqual({ error: 'true' });
    expect(toZipkinSpan(finishedSpan({ tags: { error: 'true' } })).tags).toEqual({ error: 'true' });
    expect(toZipkinSpan(finishedSpan({ tags: { error: false } })).tags).toBeUndefined();
    expect(toZipkinSpan(finishedSpan({ tags: { error: 'timeout' } })).tags).toEqual({ error: 'timeout' });
  });

  it('keeps a span.kind it cannot map as a tag and leaves kind out', () => {
    const out = toZipkinSpan(finishedSpan({ tags: { 'span.kind': 'internal' } }));
    expect(out.kind).toBeUndefined();
    expect(out.tags).toEqual({ 'span.kind': 'internal' });
  });

  it('keeps a tag named __proto__ as a tag', () => {
    const tags: Record<string, unknown> = {};
    Object.defineProperty(tags, '__proto__', { value: 'x', enumerable: true });
    expect(JSON.parse(JSON.stringify(toZipkinSpan(finishedSpan({ tags })))).tags).toEqual({ ['__proto__']: 'x' });
  });

  it('encodes a span the way zipkin-js’s own JSON_V2 encoder does', () => {
    const span = finishedSpan({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      parentSpanId: 'b7ad6b7169203331',
      operationName: 'get /users',
      serviceName: 'api',
      startTime: 1_700_000_000_123.5,
      duration: 4.25,
      tags: { 'span.kind': 'client', 'peer.service': 'users', 'peer.ipv4': '10.0.0.7', 'peer.port': 8080, 'http.path': '/users' },
      logs: [{ timestamp: 1_700_000_000_124, fields: { event: 'ws' } }],
    });
    const reference = new model.Span(
      new TraceId({
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        spanId: '00f067aa0ba902b7',
        parentId: new option.Some('b7ad6b7169203331'),
        sampled: new option.Some(true),
      }),
    );
    reference.setName('get /users');
    reference.setKind('CLIENT');
    reference.setTimestamp(1_700_000_000_123_500);
    reference.setDuration(4250);
    reference.setLocalEndpoint(new model.Endpoint({ serviceName: 'api' }));
    reference.setRemoteEndpoint(new model.Endpoint({ serviceName: 'users', ipv4: '10.0.0.7', port: 8080 }));
    reference.addAnnotation(1_700_000_000_124_000, 'ws');
    reference.putTag('http.path', '/users');
    const theirs = JSON.parse(jsonEncoder.JSON_V2.encode(reference));
    const ours = JSON.parse(JSON.stringify(toZipkinSpan(span)));
    expect(ours).toEqual(theirs);
  });
});

describe('ZipkinExporter', () => {
  let collector: Collector;
  beforeEach(async () => {
    collector = await Collector.start(() => ({ status: 202, body: '' }));
  });
  afterEach(() => collector.stop());

  it('POSTs a JSON list of spans, with the process tags in each span', async () => {
    const recorder = new BatchRecorder(new ZipkinExporter({ url: collector.url('/api/v2/spans'), headers: { 'x-tenant': 'acme' } }), {
      scheduledDelayMillis: 60_000,
    });
    const tracer = new Tracer({ serviceName: 'frontend', recorder, tags: { 'service.version': '3.1.0', region: 'eu' } });
    const parent = tracer.startSpan('parent', { tags: { region: 'us' } });
    tracer.startSpan('child', { childOf: parent, tags: { 'span.kind': 'client' } }).finish();
    parent.finish();
    await tracer.flush();
    expect(collector.requests).toHaveLength(1);
    const request = collector.requests[0];
    expect(request.path).toBe('/api/v2/spans');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-tenant']).toBe('acme');
    const body = request.json as ZipkinSpan[];
    expect(validate(body, LIST_OF_SPANS)).toEqual([]);
    expect(body.map((s) => [s.name, s.kind, s.localEndpoint.serviceName, s.tags])).toEqual([
      ['child', 'CLIENT', 'frontend', { 'service.version': '3.1.0', region: 'eu' }],
      // (the root also carries the sampler's tags)
      ['parent', undefined, 'frontend', expect.objectContaining({ 'service.version': '3.1.0', region: 'us' })],
    ]);
    expect(body[0].parentId).toBe(body[1].id);
    expect(recorder.stats()).toMatchObject({ recorded: 2, exported: 2, failed: 0, exportRequests: 1 });
    await tracer.close();
  });
});
