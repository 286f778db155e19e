import * as opentracing from 'opentracing';
import { InMemoryRecorder, SpanContext, Tracer } from '../../lib';
import type { PropagationName } from '../../lib';

/** `Tracer.extract` is typed as OpenTracing's; the context it returns is sextant's. */

const HTTP = opentracing.FORMAT_HTTP_HEADERS;
const TRACE64 = 'a3ce929d0e0e4736';
const TRACE128 = '80f198ee56343ba864fe8b2a57d3eff7';
const SPAN = 'e457b5a2e4d86bd1';
const PARENT = '05e3ac9a4f6e3b90';
const PADDED64 = `${'0'.repeat(16)}${TRACE64}`;

function tracerFor(...propagation: PropagationName[]): Tracer {
  return new Tracer({ serviceName: 'b3', propagation });
}
const multi = tracerFor('b3multi');
const single = tracerFor('b3');

describe('B3 multiple headers', () => {
  const valid: [string, Record<string, string>, Partial<SpanContext>][] = [
    [
      'the example of the B3 specification',
      { 'X-B3-TraceId': TRACE128, 'X-B3-ParentSpanId': PARENT, 'X-B3-SpanId': SPAN, 'X-B3-Sampled': '1' },
      { traceId: TRACE128, spanId: SPAN, sampled: true, debug: false },
    ],
    ['a 64-bit trace id, left-padded', { 'x-b3-traceid': TRACE64, 'x-b3-spanid': SPAN, 'x-b3-sampled': '1' }, { traceId: PADDED64 }],
    ['sampled 0', { 'x-b3-traceid': TRACE64, 'x-b3-spanid': SPAN, 'x-b3-sampled': '0' }, { sampled: false }],
    ['the legacy sampled true', { 'x-b3-traceid': TRACE64, 'x-b3-spanid': SPAN, 'x-b3-sampled': 'true' }, { sampled: true }],
    ['no sampled header: not sampled', { 'x-b3-traceid': TRACE64, 'x-b3-spanid': SPAN }, { sampled: false }],
    ['flags 1: debug and sampled', { 'x-b3-traceid': TRACE64, 'x-b3-spanid': SPAN, 'x-b3-flags': '1' }, { sampled: true, debug: true }],
    [
      'upper-case hex',
      { 'x-b3-traceid': TRACE128.toUpperCase(), 'x-b3-spanid': SPAN.toUpperCase(), 'x-b3-sampled': '1' },
      { traceId: TRACE128, spanId: SPAN },
    ],
  ];
  test.each(valid)('%s', (_name, headers, expected) => {
    expect(multi.extract(HTTP, headers)).toMatchObject({ ...expected, remote: true });
  });

  const invalid: [string, Record<string, string>][] = [
    ['a trace id without a span id', { 'x-b3-traceid': TRACE64 }],
    ['a 20-digit trace id', { 'x-b3-traceid': `${TRACE64}abcd`, 'x-b3-spanid': SPAN }],
    ['a 15-digit span id', { 'x-b3-traceid': TRACE64, 'x-b3-spanid': SPAN.slice(1) }],
    ['an all-zero trace id', { 'x-b3-traceid': '0'.repeat(16), 'x-b3-spanid': SPAN }],
    ['a malformed parent span id', { 'x-b3-traceid': TRACE64, 'x-b3-spanid': SPAN, 'x-b3-parentspanid': 'xyz' }],
    ['an unknown sampled value', { 'x-b3-traceid': TRACE64, 'x-b3-spanid': SPAN, 'x-b3-sampled': 'maybe' }],
  ];
  test.each(invalid)('%s is invalid', (_name, headers) => {
    expect(multi.extract(HTTP, headers)).toBeNull();
  });

  test('inject writes lowercase headers: 64-bit trace ids as 16 hex, sampled as 1/0, debug as flags alone', () => {
    let headers: Record<string, string> = {};
    multi.inject(new SpanContext({ traceId: PADDED64, spanId: SPAN, sampled: true }), HTTP, headers);
    expect(headers).toEqual({ 'x-b3-traceid': TRACE64, 'x-b3-spanid': SPAN, 'x-b3-sampled': '1' });
    headers = {};
    multi.inject(new SpanContext({ traceId: TRACE128, spanId: SPAN, sampled: false }), HTTP, headers);
    expect(headers).toEqual({ 'x-b3-traceid': TRACE128, 'x-b3-spanid': SPAN, 'x-b3-sampled': '0' });
    headers = {};
    multi.inject(new SpanContext({ traceId: TRACE128, spanId: SPAN, sampled: true, debug: true }), HTTP, headers);
    expect(headers).toEqual({ 'x-b3-traceid': TRACE128, 'x-b3-spanid': SPAN, 'x-b3-flags': '1' });
  });
});

describe('B3 single header', () => {
  const valid: [string, string, Partial<SpanContext>][] = [
    [
      'the full form of the specification',
      `${TRACE128}-${SPAN}-1-${PARENT}`,
      { traceId: TRACE128, spanId: SPAN, sampled: true, debug: false },
    ],
    ['without a parent', `${TRACE128}-${SPAN}-1`, { traceId: TRACE128, sampled: true }],
    ['unsampled', `${TRACE64}-${SPAN}-0`, { traceId: PADDED64, sampled: false }],
    ['debug', `${TRACE64}-${SPAN}-d`, { sampled: true, debug: true }],
    ['without a sampling state: not sampled', `${TRACE64}-${SPAN}`, { sampled: false }],
    ['whitespace around the value', `  ${TRACE64}-${SPAN}-1 `, { traceId: PADDED64, sampled: true }],
  ];
  test.each(valid)('%s', (_name, value, expected) => {
    expect(single.extract(HTTP, { b3: value })).toMatchObject({ ...expected, remote: true });
  });

  const invalid: [string, string][] = [
    ['an unknown sampling state', `${TRACE64}-${SPAN}-x`],
    ['a short parent', `${TRACE64}-${SPAN}-1-abc`],
    ['five fields', `${TRACE64}-${SPAN}-1-${PARENT}-1`],
    ['a 15-digit span id', `${TRACE64}-${SPAN.slice(1)}-1`],
    ['a bare trace id', TRACE64],
    ['a bare unknown letter', 'x'],
    ['an empty value', ''],
  ];
  test.each(invalid)('%s is invalid', (_name, value) => {
    expect(single.extract(HTTP, { b3: value })).toBeNull();
  });

  test.each([
    ['0', false, false],
    ['1', true, false],
    ['d', true, true],
  ])('the bare form %s carries the sampling decision with fresh ids', (value, sampled, debug) => {
    const ctx = single.extract(HTTP, { b3: value });
    expect(ctx).toMatchObject({ sampled, debug, remote: true });
    expect(ctx?.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  test('b3: 0 makes the server span and its children unsampled', () => {
    const recorder = new InMemoryRecorder();
    const t = new Tracer({ serviceName: 'b3', propagation: ['b3'], recorder });
    const server = t.startSpan('server', { childOf: t.extract(HTTP, { b3: '0' }) ?? undefined });
    t.startSpan('child', { childOf: server }).finish();
    server.finish();
    expect(recorder.spans()).toHaveLength(0);
    const headers: Record<string, string> = {};
    t.inject(server, HTTP, headers);
    expect(headers.b3.endsWith('-0')).toBe(true);
  });

  test('inject writes trace-span-state', () => {
    const headers: Record<string, string> = {};
    single.inject(new SpanContext({ traceId: PADDED64, spanId: SPAN, sampled: true }), HTTP, headers);
    expect(headers).toEqual({ b3: `${TRACE64}-${SPAN}-1` });
    single.inject(new SpanContext({ traceId: TRACE128, spanId: SPAN, sampled: false }), HTTP, headers);
    expect(headers.b3).toBe(`${TRACE128}-${SPAN}-0`);
    single.inject(new SpanContext({ traceId: TRACE128, spanId: SPAN, sampled: true, debug: true }), HTTP, headers);
    expect(headers.b3).toBe(`${TRACE128}-${SPAN}-d`);
  });
});

describe('several formats together', () => {
  test('inject writes every format', () => {
    const headers: Record<string, string> = {};
    tracerFor('tracecontext', 'baggage', 'b3', 'b3multi', 'jaeger').inject(
      new SpanContext({ traceId: TRACE128, spanId: SPAN, sampled: true, baggage: { k: 'v' } }),
      HTTP,
      headers,
    );
    expect(Object.keys(headers).sort()).toEqual(
      ['b3', 'baggage', 'traceparent', 'uber-trace-id', 'uberctx-k', 'x-b3-sampled', 'x-b3-spanid', 'x-b3-traceid'].sort(),
    );
  });

  test('extract takes the first valid context in the order given', () => {
    const headers = { traceparent: `00-${TRACE128}-${SPAN}-01`, b3: `${TRACE64}-${PARENT}-1` };
    expect(tracerFor('tracecontext', 'b3').extract(HTTP, headers)?.traceId).toBe(TRACE128);
    expect(tracerFor('b3', 'tracecontext').extract(HTTP, headers)?.traceId).toBe(PADDED64);
  });

  test('an invalid first format falls through to the next', () => {
    const headers = { traceparent: `00-${'0'.repeat(32)}-${SPAN}-01`, b3: `${TRACE64}-${PARENT}-1` };
    expect(tracerFor('tracecontext', 'b3').extract(HTTP, headers)).toMatchObject({ traceId: PADDED64, spanId: PARENT });
  });

  test('a decision-only b3 yields to a context with real ids listed after it', () => {
    const headers = { b3: '0', traceparent: `00-${TRACE128}-${SPAN}-01` };
    expect(tracerFor('b3', 'tracecontext').extract(HTTP, headers)).toMatchObject({ traceId: TRACE128, sampled: true });
  });

  test('baggage from the baggage header and uberctx-* headers merges into the chosen context; the format listed first wins a key', () => {
    const headers = {
      'x-b3-traceid': TRACE64,
      'x-b3-spanid': SPAN,
      'x-b3-sampled': '1',
      baggage: 'shared=from-w3c,w3c=1',
      'uberctx-shared': 'from-jaeger',
      'uberctx-jaeger': '2',
    };
    const ctx = tracerFor('b3multi', 'baggage', 'jaeger').extract(HTTP, headers);
    expect(ctx?.traceId).toBe(PADDED64);
    expect({ ...ctx?.baggage }).toEqual({ shared: 'from-w3c', w3c: '1', jaeger: '2' });
    expect({ ...tracerFor('b3multi', 'jaeger', 'baggage').extract(HTTP, headers)?.baggage }.shared).toBe('from-jaeger');
  });
});
