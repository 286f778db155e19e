import * as opentracing from 'opentracing';
import { SpanContext, Tracer } from '../../lib';
import { getJson, sendJson, startServer } from '../helpers/interop';

/** `Tracer.extract` is typed as OpenTracing's; the context it returns is sextant's. */

const HTTP = opentracing.FORMAT_HTTP_HEADERS;
/** The example of AWS's documentation */
const ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const TRACE = '5759e988bd862e3fe1be46a994272793';
const PARENT = '53995c3f42cd8ad8';

const tracer = new Tracer({ serviceName: 'xray', propagation: ['xray'] });

function extract(value: unknown, name = 'x-amzn-trace-id'): SpanContext | null {
  return tracer.extract(HTTP, { [name]: value });
}

describe('X-Amzn-Trace-Id', () => {
  const valid: [string, string, Partial<SpanContext>][] = [
    ["AWS's example", `Root=${ROOT};Parent=${PARENT};Sampled=1`, { traceId: TRACE, spanId: PARENT, sampled: true }],
    ['not sampled', `Root=${ROOT};Parent=${PARENT};Sampled=0`, { sampled: false }],
    ['fields in any order', `Sampled=1;Parent=${PARENT};Root=${ROOT}`, { traceId: TRACE, spanId: PARENT, sampled: true }],
    ['optional whitespace around fields', ` Root=${ROOT} ;\tParent=${PARENT}; Sampled=1 `, { traceId: TRACE, spanId: PARENT }],
    [
      'other fields are ignored (Self, Lineage, unknown ones)',
      `Self=1-67891234-12456789abcdef012345678;Root=${ROOT};Parent=${PARENT};Sampled=1;Lineage=a87bd80c:1|68fd508a:5;Foo=bar`,
      { traceId: TRACE, spanId: PARENT, sampled: true },
    ],
    [
      'hex in upper case, kept as lowercase',
      `Root=${ROOT.toUpperCase()};Parent=${PARENT.toUpperCase()};Sampled=1`,
      { traceId: TRACE, spanId: PARENT },
    ],
    ['a repeated field: the last one counts', `Root=${ROOT};Parent=1111111111111111;Parent=${PARENT};Sampled=1`, { spanId: PARENT }],
    ['a trailing semicolon', `Root=${ROOT};Parent=${PARENT};Sampled=1;`, { traceId: TRACE }],
  ];
  test.each(valid)('%s', (_name, value, expected) => {
    expect(extract(value)).toMatchObject({ ...expected, remote: true, debug: false });
  });

  test('the header name in any case', () => {
    expect(extract(`Root=${ROOT};Parent=${PARENT};Sampled=1`, 'X-Amzn-Trace-Id')).toMatchObject({ traceId: TRACE });
  });

  const invalid: [string, string][] = [
    ['no Parent (as a load balancer sends it)', `Root=${ROOT};Sampled=1`],
    ['no Root', `Parent=${PARENT};Sampled=1`],
    ['no Sampled', `Root=${ROOT};Parent=${PARENT}`],
    ['Sampled=? (decision deferred)', `Root=${ROOT};Parent=${PARENT};Sampled=?`],
    ['Sampled=2', `Root=${ROOT};Parent=${PARENT};Sampled=2`],
    ['field names in another case (AWS spells them Root, Parent, Sampled)', `root=${ROOT};parent=${PARENT};sampled=1`],
    ['version 2', `Root=2-5759e988-bd862e3fe1be46a994272793;Parent=${PARENT};Sampled=1`],
    ['a short epoch part', `Root=1-5759e98-bd862e3fe1be46a9942727930;Parent=${PARENT};Sampled=1`],
    ['a 23-digit random part', `Root=1-5759e988-bd862e3fe1be46a99427279;Parent=${PARENT};Sampled=1`],
    ['non-hex in the root', `Root=1-5759e98g-bd862e3fe1be46a994272793;Parent=${PARENT};Sampled=1`],
    ['an all-zero trace id', `Root=1-00000000-000000000000000000000000;Parent=${PARENT};Sampled=1`],
    ['an all-zero parent', `Root=${ROOT};Parent=0000000000000000;Sampled=1`],
    ['a 15-digit parent', `Root=${ROOT};Parent=${PARENT.slice(1)};Sampled=1`],
    ['a header past 1024 characters', `Root=${ROOT};Parent=${PARENT};Sampled=1;Lineage=${'a'.repeat(1024)}`],
    ['an empty header', ''],
    ['garbage', ';;;===;'],
  ];
  test.each(invalid)('%s carries no context', (_name, value) => {
    expect(extract(value)).toBeNull();
  });

  test('inject splits the 128-bit trace id into the epoch and random parts, as OpenTelemetry does', () => {
    const headers: Record<string, string> = {};
    tracer.inject(new SpanContext({ traceId: TRACE, spanId: PARENT, sampled: true }), HTTP, headers);
    expect(headers).toEqual({ 'x-amzn-trace-id': `Root=${ROOT};Parent=${PARENT};Sampled=1` });
    tracer.inject(new SpanContext({ traceId: TRACE, spanId: PARENT, sampled: false }), HTTP, headers);
    expect(headers['x-amzn-trace-id']).toBe(`Root=${ROOT};Parent=${PARENT};Sampled=0`);
    tracer.inject(new SpanContext({ traceId: TRACE, spanId: PARENT, sampled: false, debug: true }), HTTP, headers);
    expect(headers['x-amzn-trace-id']).toBe(`Root=${ROOT};Parent=${PARENT};Sampled=1`);
  });

  test('carries no baggage', () => {
    const headers: Record<string, string> = {};
    tracer.inject(new SpanContext({ traceId: TRACE, spanId: PARENT, sampled: true, baggage: { tenant: 'acme' } }), HTTP, headers);
    expect(Object.keys(headers)).toEqual(['x-amzn-trace-id']);
  });
});

describe('over a real HTTP hop', () => {
  test('ids and sampling cross', async () => {
    const server = await startServer((req, res) => {
      const context = tracer.extract(HTTP, req.headers);
      sendJson(res, context === null ? null : { traceId: context.traceId, spanId: context.spanId, sampled: context.sampled });
    });
    try {
      const span = tracer.startSpan('client');
      const headers: Record<string, string> = {};
      tracer.inject(span, HTTP, headers);
      expect(await getJson(`${server.url}/`, headers)).toEqual({
        traceId: span.context().traceId,
        spanId: span.context().spanId,
        sampled: true,
      });
      span.finish();
    } finally {
      await server.close();
    }
  });
});
