import * as opentracing from 'opentracing';
import { InMemoryRecorder, SpanContext, Tracer } from '../../lib';

/** `Tracer.extract` is typed as OpenTracing's; the context it returns is sextant's. */

const HTTP = opentracing.FORMAT_HTTP_HEADERS;
const TRACE64 = 'a3ce929d0e0e4736';
const TRACE128 = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

const tracer = new Tracer({ serviceName: 'jaeger', propagation: ['jaeger'] });

function extract(headers: Record<string, unknown>): SpanContext | null {
  return tracer.extract(HTTP, headers);
}

describe('uber-trace-id', () => {
  const valid: [string, string, Partial<SpanContext>][] = [
    [
      'a 64-bit trace id, left-padded to 32 hex',
      `${TRACE64}:${SPAN}:0:1`,
      { traceId: `${'0'.repeat(16)}${TRACE64}`, spanId: SPAN, sampled: true, debug: false },
    ],
    ['a 128-bit trace id', `${TRACE128}:${SPAN}:0:1`, { traceId: TRACE128, sampled: true }],
    [
      'ids without leading zeros, as jaeger-client writes them',
      `abc:f067aa0ba902b7:0:1`,
      { traceId: 'abc'.padStart(32, '0'), spanId: SPAN },
    ],
    ['a parent span id', `${TRACE64}:${SPAN}:1234567890abcdef:1`, { spanId: SPAN }],
    ['flags 0: not sampled', `${TRACE64}:${SPAN}:0:0`, { sampled: false, debug: false }],
    ['flags 3: sampled and debug', `${TRACE64}:${SPAN}:0:3`, { sampled: true, debug: true }],
    ['flags 2: debug forces sampling', `${TRACE64}:${SPAN}:0:2`, { sampled: true, debug: true }],
    ['upper-case hex', `${TRACE128.toUpperCase()}:${SPAN.toUpperCase()}:0:1`, { traceId: TRACE128, spanId: SPAN }],
    ['the URL-encoded form', `${TRACE128}%3A${SPAN}%3A0%3A1`, { traceId: TRACE128, spanId: SPAN, sampled: true }],
  ];
  test.each(valid)('%s', (_name, value, expected) => {
    expect(extract({ 'uber-trace-id': value })).toMatchObject({ ...expected, remote: true });
  });

  const invalid: [string, string][] = [
    ['three fields', `${TRACE64}:${SPAN}:1`],
    ['five fields', `${TRACE64}:${SPAN}:0:1:0`],
    ['an all-zero trace id', `0000:${SPAN}:0:1`],
    ['an all-zero span id', `${TRACE64}:0:0:1`],
    ['a 33-digit trace id', `a${TRACE128}:${SPAN}:0:1`],
    ['a 17-digit span id', `${TRACE64}:a${SPAN}:0:1`],
    ['non-hex', `${TRACE64}:xyz:0:1`],
    ['empty flags', `${TRACE64}:${SPAN}:0:`],
    ['a malformed escape', `${TRACE64}%3${SPAN}:0:1`],
  ];
  test.each(invalid)('%s is invalid', (_name, value) => {
    expect(extract({ 'uber-trace-id': value })).toBeNull();
  });

  test('inject writes the 64-bit form for a 64-bit trace, 128-bit otherwise, with sampled and debug flags', () => {
    const headers: Record<string, string> = {};
    tracer.inject(new SpanContext({ traceId: `${'0'.repeat(16)}${TRACE64}`, spanId: SPAN, sampled: true }), HTTP, headers);
    expect(headers['uber-trace-id']).toBe(`${TRACE64}:${SPAN}:0:1`);
    tracer.inject(new SpanContext({ traceId: TRACE128, spanId: SPAN, sampled: false }), HTTP, headers);
    expect(headers['uber-trace-id']).toBe(`${TRACE128}:${SPAN}:0:0`);
    tracer.inject(new SpanContext({ traceId: TRACE128, spanId: SPAN, sampled: true, debug: true }), HTTP, headers);
    expect(headers['uber-trace-id']).toBe(`${TRACE128}:${SPAN}:0:3`);
  });

  test('the debug flag of an extracted context reaches its children and their outgoing headers, and forces sampling', () => {
    const recorder = new InMemoryRecorder();
    const t = new Tracer({ serviceName: 'jaeger', propagation: ['jaeger'], recorder });
    const parent = t.extract(HTTP, { 'uber-trace-id': `${TRACE64}:${SPAN}:0:2` });
    const server = t.startSpan('server', { childOf: parent ?? undefined });
    const headers: Record<string, string> = {};
    t.inject(t.startSpan('client', { childOf: server }), HTTP, headers);
    server.finish();
    expect(headers['uber-trace-id']).toMatch(new RegExp(`^${TRACE64}:[0-9a-f]{16}:0:3$`));
    expect(recorder.spans()).toHaveLength(1);
  });
});

describe('jaeger baggage', () => {
  test('uberctx-* headers (prefix in any case) become baggage, URL-decoded, keys as the carrier spells them', () => {
    const ctx = extract({
      'uber-trace-id': `${TRACE64}:${SPAN}:0:1`,
      'uberctx-tenant': 'acme',
      'UberCtx-Greeting': 'hello%20world',
      'uberctx-': 'ignored',
    });
    expect({ ...ctx?.baggage }).toEqual({ tenant: 'acme', Greeting: 'hello world' });
  });

  test("jaeger-client's jaeger-baggage header is read too", () => {
    const ctx = extract({ 'uber-trace-id': `${TRACE64}:${SPAN}:0:1`, 'jaeger-baggage': 'k1=v1, k2 = v2,bad' });
    expect({ ...ctx?.baggage }).toEqual({ k1: 'v1', k2: 'v2' });
  });

  test('a value that is not valid URL encoding is kept as sent', () => {
    const ctx = extract({ 'uber-trace-id': `${TRACE64}:${SPAN}:0:1`, 'uberctx-pct': '100%' });
    expect(ctx?.baggage.pct).toBe('100%');
  });

  test('inject writes one uberctx-{key} header per item, URL-encoded, legal as header name and value', () => {
    const headers: Record<string, string> = {};
    tracer.inject(
      new SpanContext({
        traceId: TRACE128,
        spanId: SPAN,
        sampled: true,
        baggage: { tenant: 'acme', 'two words': 'a b\r\nc', 'paren(s)': 'x' },
      }),
      HTTP,
      headers,
    );
    expect(headers).toMatchObject({ 'uberctx-tenant': 'acme', 'uberctx-two%20words': 'a%20b%0D%0Ac', 'uberctx-paren%28s%29': 'x' });
    for (const [name, value] of Object.entries(headers)) {
      expect(name).toMatch(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/);
      expect(value).toMatch(/^[\x21-\x7e]+$/);
    }
    expect({ ...tracer.extract(HTTP, headers)?.baggage }).toEqual({ tenant: 'acme', 'two words': 'a b\r\nc', 'paren(s)': 'x' });
  });

  test('baggage without an uber-trace-id is not a context', () => {
    expect(extract({ 'uberctx-a': '1' })).toBeNull();
  });
});
