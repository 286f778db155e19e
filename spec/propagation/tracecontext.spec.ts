import * as opentracing from 'opentracing';
import { InMemoryRecorder, SpanContext, Tracer } from '../../lib';
import { normalizeTraceState } from '../../lib/propagation/trace-state';

/** `Tracer.extract` is typed as OpenTracing's; the context it returns is sextant's. */

const HTTP = opentracing.FORMAT_HTTP_HEADERS;
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

function tracer(recorder?: InMemoryRecorder): Tracer {
  return new Tracer({ serviceName: 'tc', recorder, propagation: ['tracecontext'] });
}

function extract(headers: Record<string, unknown>): SpanContext | null {
  return tracer().extract(HTTP, headers);
}

describe('traceparent, from the specification examples', () => {
  test('a sampled header gives a remote, sampled context', () => {
    const ctx = extract({ traceparent: `00-${TRACE}-${SPAN}-01` });
    expect(ctx).toMatchObject({ traceId: TRACE, spanId: SPAN, sampled: true, remote: true, randomTraceId: false, debug: false });
  });

  test('flags 00 give an unsampled context', () => {
    expect(extract({ traceparent: `00-${TRACE}-${SPAN}-00` })?.sampled).toBe(false);
  });

  test('flags are read as bits: 03 is sampled and random, 02 random only, 09 sampled', () => {
    expect(extract({ traceparent: `00-${TRACE}-${SPAN}-03` })).toMatchObject({ sampled: true, randomTraceId: true });
    expect(extract({ traceparent: `00-${TRACE}-${SPAN}-02` })).toMatchObject({ sampled: false, randomTraceId: true });
    expect(extract({ traceparent: `00-${TRACE}-${SPAN}-09` })).toMatchObject({ sampled: true, randomTraceId: false });
  });

  const invalid: [string, string][] = [
    ['version ff', `ff-${TRACE}-${SPAN}-01`],
    ['version 00 with a fifth field', `00-${TRACE}-${SPAN}-01-extra`],
    ['version 00 with a trailing character', `00-${TRACE}-${SPAN}-01x`],
    ['a higher version shorter than 55 characters', `01-${TRACE}-${SPAN}-1`],
    ['a higher version whose flags run on', `01-${TRACE}-${SPAN}-01x`],
    ['an upper-case trace id', `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ['an upper-case span id', `00-${TRACE}-00F067AA0BA902B7-01`],
    ['upper-case flags', `00-${TRACE}-${SPAN}-0A`],
    ['an upper-case version', `0A-${TRACE}-${SPAN}-01`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['an all-zero span id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['a missing field', `00-${TRACE}-${SPAN}`],
    ['underscores for dashes', `00_${TRACE}_${SPAN}_01`],
    ['an empty value', ''],
    ['two values joined by a comma', `00-${TRACE}-${SPAN}-01, 00-${TRACE}-${SPAN}-01`],
  ];
  test.each(invalid)('%s is invalid', (_name, value) => {
    expect(extract({ traceparent: value })).toBeNull();
  });

  test('a higher version is read by its first four fields', () => {
    expect(extract({ traceparent: `cc-${TRACE}-${SPAN}-01` })).toMatchObject({ traceId: TRACE, spanId: SPAN, sampled: true });
    expect(extract({ traceparent: `cc-${TRACE}-${SPAN}-01-anything-after` })).toMatchObject({ traceId: TRACE, sampled: true });
  });

  test('optional whitespace around the value is ignored', () => {
    expect(extract({ traceparent: ` \t00-${TRACE}-${SPAN}-01\t ` })?.traceId).toBe(TRACE);
  });

  test('two traceparent values in a string[] are invalid; one is fine', () => {
    expect(extract({ traceparent: [`00-${TRACE}-${SPAN}-01`, `00-${TRACE}-${SPAN}-01`] })).toBeNull();
    expect(extract({ traceparent: [`00-${TRACE}-${SPAN}-01`] })?.traceId).toBe(TRACE);
  });

  test('an oversized header is not parsed', () => {
    expect(extract({ traceparent: `cc-${TRACE}-${SPAN}-01-${'x'.repeat(600)}` })).toBeNull();
  });
});

describe('traceparent on inject', () => {
  test('is version 00 with the span id as parent id and the sampled flag', () => {
    const t = tracer();
    const span = t.startSpan('op');
    const headers: Record<string, string> = {};
    t.inject(span, HTTP, headers);
    expect(headers.traceparent).toBe(`00-${span.context().traceId}-${span.context().spanId}-01`);
    expect(headers.tracestate).toBeUndefined();
  });

  test('an unsampled context injects flags 00', () => {
    const headers: Record<string, string> = {};
    tracer().inject(new SpanContext({ traceId: TRACE, spanId: SPAN, sampled: false }), HTTP, headers);
    expect(headers.traceparent).toBe(`00-${TRACE}-${SPAN}-00`);
  });

  test('a child of a context that arrived with the random flag keeps it, its own span id as parent', () => {
    const t = tracer();
    const parent = t.extract(HTTP, { traceparent: `00-${TRACE}-${SPAN}-03` });
    const child = t.startSpan('child', { childOf: parent ?? undefined });
    const grandchild = t.startSpan('grandchild', { childOf: child });
    const headers: Record<string, string> = {};
    t.inject(grandchild, HTTP, headers);
    expect(headers.traceparent).toBe(`00-${TRACE}-${grandchild.context().spanId}-03`);
  });

  test('a context with invalid ids injects nothing and is reported once', () => {
    const warnings: string[] = [];
    const t = new Tracer({ serviceName: 'tc', logger: { warn: (m) => warnings.push(m) } });
    const headers: Record<string, string> = {};
    t.inject(new SpanContext({ traceId: 'not-hex\r\n', spanId: SPAN, sampled: true }), HTTP, headers);
    t.inject(new SpanContext({ traceId: TRACE, spanId: 'zz', sampled: true }), HTTP, headers);
    expect(headers).toEqual({});
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/invalid trace or span id/);
  });
});

describe('tracestate', () => {
  test('is kept with the extracted context and re-sent unchanged by every child', () => {
    const t = tracer();
    const state = 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE';
    const parent = t.extract(HTTP, { traceparent: `00-${TRACE}-${SPAN}-01`, tracestate: state });
    expect(parent?.traceState).toBe(state);
    const child = t.startSpan('child', { childOf: parent ?? undefined });
    const local = t.startSpan('local', { childOf: child });
    const headers: Record<string, string> = {};
    t.inject(local, HTTP, headers);
    expect(headers.tracestate).toBe(state);
  });

  test('repeated headers are combined in order', () => {
    expect(extract({ traceparent: `00-${TRACE}-${SPAN}-01`, tracestate: ['a=1,b=2', 'c=3'] })?.traceState).toBe('a=1,b=2,c=3');
  });

  test('without a valid traceparent it is not used', () => {
    expect(extract({ tracestate: 'a=1' })).toBeNull();
    expect(extract({ traceparent: `00-${TRACE}-${'0'.repeat(16)}-01`, tracestate: 'a=1' })).toBeNull();
  });

  const normalized: [string, string][] = [
    ['rojo=00f067aa0ba902b7', 'rojo=00f067aa0ba902b7'],
    ['rojo=00f067aa0ba902b7,congo=t61rcWkgMzE', 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE'],
    ['  a=1 \t,\t b=2  ', 'a=1,b=2'],
    ['a=1,,b=2', 'a=1,b=2'],
    [',a=1,', 'a=1'],
    ['a=1, ,b=2', 'a=1,b=2'],
    ['a= leading space kept', 'a= leading space kept'],
    ['tenant@system=v', 'tenant@system=v'],
    ['a=1,a=2', 'a=1,a=2'],
    ['0digit-first_*/=x', '0digit-first_*/=x'],
  ];
  test.each(normalized)('%j is passed on as %j', (input, output) => {
    expect(normalizeTraceState(input)).toBe(output);
  });

  test('an empty or separators-only tracestate is no tracestate', () => {
    expect(normalizeTraceState('')).toBeUndefined();
    expect(normalizeTraceState(' , ,')).toBeUndefined();
    expect(extract({ traceparent: `00-${TRACE}-${SPAN}-01`, tracestate: ' , ' })?.traceState).toBeUndefined();
  });

  const dropped: [string, string][] = [
    ['an upper-case key', 'Rojo=1'],
    ['a key starting with @', '@a=1'],
    ['a key starting with _', '_a=1'],
    ['a member without =', 'a=1,b'],
    ['an empty value', 'a='],
    ['a value holding =', 'a=b=c'],
    ['a value holding a tab', 'a=b\tc'],
    ['a value holding a non-ASCII character', 'a=é'],
    ['a 257-character value', `a=${'v'.repeat(257)}`],
    ['a 257-character key', `${'k'.repeat(257)}=1`],
    ['33 members', Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(',')],
    ['a CR LF', 'a=1\r\nb=2'],
  ];
  test.each(dropped)('with %s is dropped whole', (_name, input) => {
    expect(normalizeTraceState(input)).toBeUndefined();
    const ctx = extract({ traceparent: `00-${TRACE}-${SPAN}-01`, tracestate: `ok=1,${input}` });
    expect(ctx?.traceId).toBe(TRACE);
    expect(ctx?.traceState).toBeUndefined();
  });

  test('32 members of maximal size are kept; a header past the length limit is dropped', () => {
    const members = Array.from({ length: 32 }, (_, i) => `k${String(i).padStart(2, '0')}=${'v'.repeat(200)}`).join(',');
    expect(normalizeTraceState(members)).toBe(members);
    expect(normalizeTraceState(`${members}${' '.repeat(17000)}`)).toBeUndefined();
  });

  test('a hand-made context with an unprintable tracestate injects the traceparent only', () => {
    const headers: Record<string, string> = {};
    tracer().inject(
      new SpanContext({ traceId: TRACE, spanId: SPAN, sampled: true, debug: false, traceState: 'a=1\r\nx: y' }),
      HTTP,
      headers,
    );
    expect(headers).toEqual({ traceparent: `00-${TRACE}-${SPAN}-01` });
  });
});

describe('sampling across the wire', () => {
  test('children of an extracted unsampled context are unsampled and not recorded', () => {
    const recorder = new InMemoryRecorder();
    const t = tracer(recorder);
    const parent = t.extract(HTTP, { traceparent: `00-${TRACE}-${SPAN}-00` });
    const server = t.startSpan('server', { childOf: parent ?? undefined });
    const child = t.startSpan('child', { childOf: server });
    child.finish();
    server.finish();
    expect(server.context().sampled).toBe(false);
    expect(child.context().sampled).toBe(false);
    expect(recorder.spans()).toHaveLength(0);
    const headers: Record<string, string> = {};
    t.inject(child, HTTP, headers);
    expect(headers.traceparent.endsWith('-00')).toBe(true);
  });

  test('children of an extracted sampled context are recorded under the remote parent', () => {
    const recorder = new InMemoryRecorder();
    const t = tracer(recorder);
    const parent = t.extract(HTTP, { traceparent: `00-${TRACE}-${SPAN}-01` });
    t.startSpan('server', { childOf: parent ?? undefined }).finish();
    expect(recorder.spans()).toEqual([expect.objectContaining({ traceId: TRACE, parentSpanId: SPAN })]);
  });
});
