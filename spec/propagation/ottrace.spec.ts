import * as opentracing from 'opentracing';
import { SpanContext, Tracer } from '../../lib';
import { getJson, sendJson, startServer } from '../helpers/interop';

/** `Tracer.extract` is typed as OpenTracing's; the context it returns is sextant's. */

const HTTP = opentracing.FORMAT_HTTP_HEADERS;
const TEXT = opentracing.FORMAT_TEXT_MAP;
const TRACE64 = 'a3ce929d0e0e4736';
const TRACE128 = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

const tracer = new Tracer({ serviceName: 'ottrace', propagation: ['ottrace'] });

function extract(headers: Record<string, unknown>): SpanContext | null {
  return tracer.extract(HTTP, headers);
}

function injected(context: SpanContext): Record<string, string> {
  const headers: Record<string, string> = {};
  tracer.inject(context, HTTP, headers);
  return headers;
}

describe('ot-tracer-* headers', () => {
  const ids = { 'ot-tracer-traceid': TRACE64, 'ot-tracer-spanid': SPAN };
  const valid: [string, Record<string, string>, Partial<SpanContext>][] = [
    [
      'a 64-bit trace id, left-padded to 32 hex',
      { ...ids, 'ot-tracer-sampled': 'true' },
      { traceId: `${'0'.repeat(16)}${TRACE64}`, spanId: SPAN, sampled: true },
    ],
    ['a 128-bit trace id', { ...ids, 'ot-tracer-traceid': TRACE128, 'ot-tracer-sampled': 'true' }, { traceId: TRACE128 }],
    ['sampled false', { ...ids, 'ot-tracer-sampled': 'false' }, { sampled: false }],
    ['sampled 1', { ...ids, 'ot-tracer-sampled': '1' }, { sampled: true }],
    ['sampled 0', { ...ids, 'ot-tracer-sampled': '0' }, { sampled: false }],
    ['sampled True, in any case', { ...ids, 'ot-tracer-sampled': 'True' }, { sampled: true }],
    ['no sampled header: not sampled, as OpenTelemetry reads it', ids, { sampled: false }],
    [
      "ids without leading zeros, as Go's basictracer writes them",
      { 'ot-tracer-traceid': 'abc', 'ot-tracer-spanid': 'f067aa0ba902b7', 'ot-tracer-sampled': 'true' },
      { traceId: 'abc'.padStart(32, '0'), spanId: SPAN },
    ],
    [
      'upper-case hex and optional whitespace',
      { 'ot-tracer-traceid': ` ${TRACE128.toUpperCase()}`, 'ot-tracer-spanid': `${SPAN.toUpperCase()}\t`, 'ot-tracer-sampled': ' true ' },
      { traceId: TRACE128, spanId: SPAN, sampled: true },
    ],
    [
      'header names in any case',
      { 'OT-Tracer-TraceId': TRACE128, 'Ot-Tracer-SpanId': SPAN, 'OT-TRACER-SAMPLED': '1' },
      { traceId: TRACE128 },
    ],
  ];
  test.each(valid)('%s', (_name, headers, expected) => {
    expect(extract(headers)).toMatchObject({ spanId: SPAN, debug: false, ...expected, remote: true });
  });

  const invalid: [string, Record<string, string>][] = [
    ['no span id', { 'ot-tracer-traceid': TRACE64, 'ot-tracer-sampled': 'true' }],
    ['no trace id', { 'ot-tracer-spanid': SPAN, 'ot-tracer-sampled': 'true' }],
    ['an all-zero trace id', { ...ids, 'ot-tracer-traceid': '0'.repeat(16) }],
    ['an all-zero span id', { ...ids, 'ot-tracer-spanid': '0'.repeat(16) }],
    ['a 33-digit trace id', { ...ids, 'ot-tracer-traceid': `a${TRACE128}` }],
    ['a 17-digit span id', { ...ids, 'ot-tracer-spanid': `a${SPAN}` }],
    ['non-hex', { ...ids, 'ot-tracer-spanid': 'xyz' }],
    ['an empty id', { ...ids, 'ot-tracer-traceid': '' }],
    ['a sampled flag that is neither true nor false', { ...ids, 'ot-tracer-sampled': 'yes' }],
  ];
  test.each(invalid)('%s is invalid', (_name, headers) => {
    expect(extract(headers)).toBeNull();
  });

  test('inject writes 16 digits for a 64-bit trace and 32 for a 128-bit one, and sampled as true/false', () => {
    expect(injected(new SpanContext({ traceId: `${'0'.repeat(16)}${TRACE64}`, spanId: SPAN, sampled: true }))).toEqual({
      'ot-tracer-traceid': TRACE64,
      'ot-tracer-spanid': SPAN,
      'ot-tracer-sampled': 'true',
    });
    expect(injected(new SpanContext({ traceId: TRACE128, spanId: SPAN, sampled: false }))).toEqual({
      'ot-tracer-traceid': TRACE128,
      'ot-tracer-spanid': SPAN,
      'ot-tracer-sampled': 'false',
    });
  });

  test('a debug context travels as sampled: the format has no debug flag', () => {
    const headers = injected(new SpanContext({ traceId: TRACE128, spanId: SPAN, sampled: false, debug: true }));
    expect(headers['ot-tracer-sampled']).toBe('true');
    expect(extract(headers)).toMatchObject({ sampled: true, debug: false });
  });
});

describe('ot-baggage-* headers', () => {
  const ids = { 'ot-tracer-traceid': TRACE128, 'ot-tracer-spanid': SPAN, 'ot-tracer-sampled': 'true' };

  test('become baggage, values as sent (the format has no escaping), prefix in any case', () => {
    expect(
      extract({ ...ids, 'ot-baggage-tenant': 'acme corp', 'OT-Baggage-Plan': '100%25 gold', 'ot-baggage-': 'no key' })?.baggage,
    ).toEqual({ tenant: 'acme corp', Plan: '100%25 gold' });
  });

  test('a TEXT_MAP carrier keeps the case of keys', () => {
    expect(tracer.extract(TEXT, { ...ids, 'ot-baggage-UserId': 'alice' })?.baggage).toEqual({ UserId: 'alice' });
  });

  test('baggage without ids is not a context', () => {
    expect(extract({ 'ot-baggage-tenant': 'acme' })).toBeNull();
  });

  test('inject writes one ot-baggage-{key} per item that the format can carry as is', () => {
    const headers = injected(
      new SpanContext({
        traceId: TRACE128,
        spanId: SPAN,
        sampled: true,
        baggage: { tenant: 'acme corp', 'user id': 'not a token', plan: 'Amélie', edge: ' padded', 'x.y': '' },
      }),
    );
    expect(Object.keys(headers).filter((name) => name.startsWith('ot-baggage-'))).toEqual(['ot-baggage-tenant', 'ot-baggage-x.y']);
    expect(headers['ot-baggage-tenant']).toBe('acme corp');
    expect(headers['ot-baggage-x.y']).toBe('');
  });

  test('with W3C baggage beside it, an item ottrace cannot carry still travels', () => {
    const both = new Tracer({ serviceName: 'both', propagation: ['ottrace', 'baggage'] });
    const headers: Record<string, string> = {};
    both.inject(
      new SpanContext({ traceId: TRACE128, spanId: SPAN, sampled: true, baggage: { tenant: 'acme', who: 'Amélie' } }),
      HTTP,
      headers,
    );
    expect(headers['ot-baggage-tenant']).toBe('acme');
    expect(headers['ot-baggage-who']).toBeUndefined();
    expect(both.extract(HTTP, headers)?.baggage).toEqual({ tenant: 'acme', who: 'Amélie' });
  });
});

describe('over a real HTTP hop', () => {
  test('ids, sampling and baggage cross; header names arrive lowercase, so do baggage keys', async () => {
    const server = await startServer((req, res) => {
      const context = tracer.extract(HTTP, req.headers);
      sendJson(
        res,
        context === null
          ? null
          : { traceId: context.traceId, spanId: context.spanId, sampled: context.sampled, baggage: { ...context.baggage } },
      );
    });
    try {
      const span = tracer.startSpan('client');
      span.setBaggageItem('Tenant', 'acme corp');
      const headers: Record<string, string> = {};
      tracer.inject(span, HTTP, headers);
      const seen = await getJson(`${server.url}/`, headers);
      expect(seen).toEqual({
        traceId: span.context().traceId,
        spanId: span.context().spanId,
        sampled: true,
        baggage: { tenant: 'acme corp' },
      });
      span.finish();
    } finally {
      await server.close();
    }
  });
});
