import * as opentracing from 'opentracing';
import { SpanContext, Tracer } from '../../lib';
import type { Baggage } from '../../lib';
import { PROPAGATION_LIMITS } from '../../lib/propagation/limits';

/** `Tracer.extract` is typed as OpenTracing's; the context it returns is sextant's. */

const HTTP = opentracing.FORMAT_HTTP_HEADERS;
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

const tracer = new Tracer({ serviceName: 'baggage' });

function baggageOf(header: unknown): Record<string, string> | undefined {
  const ctx = tracer.extract(HTTP, { traceparent: TRACEPARENT, baggage: header });
  return ctx === null ? undefined : { ...ctx.baggage };
}

function injected(baggage: Baggage): Record<string, string> {
  const headers: Record<string, string> = {};
  tracer.inject(
    new SpanContext({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: true, baggage }),
    HTTP,
    headers,
  );
  return headers;
}

describe('W3C baggage, from the specification examples', () => {
  test('plain and percent-encoded members', () => {
    expect(baggageOf('userId=alice,serverNode=DF%2028,isProduction=false')).toEqual({
      userId: 'alice',
      serverNode: 'DF 28',
      isProduction: 'false',
    });
    expect(baggageOf('userId=Am%C3%A9lie,serverNode=DF%2028,isProduction=false')).toMatchObject({ userId: 'Amélie' });
  });

  test('properties after ; are tolerated and whitespace around keys and values ignored', () => {
    expect(baggageOf('key1=value1;property1;property2, key2 = value2, key3=value3; propertyKey=propertyValue')).toEqual({
      key1: 'value1',
      key2: 'value2',
      key3: 'value3',
    });
  });

  test('repeated baggage headers are combined', () => {
    expect(baggageOf(['a=1', 'b=2'])).toEqual({ a: '1', b: '2' });
  });

  test('a member with a malformed escape, no key or no = is dropped alone', () => {
    expect(baggageOf('bad=%E0%A4%A,ok=1,=novalue,noequals,%ZZ=3')).toEqual({ ok: '1' });
  });

  test('an empty value is kept as an empty string', () => {
    expect(baggageOf('empty=,x=1')).toEqual({ empty: '', x: '1' });
  });

  test('baggage without a trace context is not a context', () => {
    expect(tracer.extract(HTTP, { baggage: 'a=1' })).toBeNull();
  });

  test('the baggage is on the extracted context and every span continued from it', () => {
    const parent = tracer.extract(HTTP, { traceparent: TRACEPARENT, baggage: 'tenant=acme' });
    const span = tracer.startSpan('server', { childOf: parent ?? undefined });
    expect(span.getBaggageItem('tenant')).toBe('acme');
    expect(injected(span.context().baggage).baggage).toBe('tenant=acme');
  });
});

describe('W3C baggage limits', () => {
  test('at least 64 members are read', () => {
    const header = Array.from({ length: 64 }, (_, i) => `k${i}=v${i}`).join(',');
    expect(Object.keys(baggageOf(header) ?? {})).toHaveLength(64);
  });

  test('members past the member limit are dropped, without an exception', () => {
    const header = Array.from({ length: PROPAGATION_LIMITS.maxBaggageMembers + 20 }, (_, i) => `k${i}=v`).join(',');
    const baggage = baggageOf(header) ?? {};
    expect(Object.keys(baggage)).toHaveLength(PROPAGATION_LIMITS.maxBaggageMembers);
    expect(baggage.k0).toBe('v');
  });

  test('8192 bytes are read; a member crossing the byte limit and everything after it are dropped', () => {
    const member = (i: number): string => `k${String(i).padStart(3, '0')}=${'v'.repeat(95)}`; // 100 bytes
    const header = Array.from({ length: 100 }, (_, i) => member(i)).join(',');
    const baggage = baggageOf(header) ?? {};
    const kept = Object.keys(baggage);
    expect(kept.length).toBeGreaterThanOrEqual(80);
    expect(kept.length).toBeLessThan(100);
    expect(kept.join(',').length + kept.length * 96).toBeLessThanOrEqual(PROPAGATION_LIMITS.maxBaggageBytes);
    expect(baggage.k099).toBeUndefined();
  });

  test('a megabyte header is cut off, not parsed in full', () => {
    const baggage = baggageOf(`a=1,${'x'.repeat(1 << 20)}`);
    expect(baggage).toEqual({ a: '1' });
  });
});

describe('W3C baggage on inject', () => {
  test('percent-encodes what a header value cannot hold, and a peer decodes it back', () => {
    const baggage = { 'user id': 'Amélie', plain: 'abc', tricky: 'a,b;c=d "e" \\ %', 'emoji🎉': '🎉' };
    const headers = injected(baggage);
    expect(headers.baggage).toBe(
      'user%20id=Am%C3%A9lie,plain=abc,tricky=a%2Cb%3Bc%3Dd%20%22e%22%20%5C%20%25,emoji%F0%9F%8E%89=%F0%9F%8E%89',
    );
    expect(baggageOf(headers.baggage)).toEqual(baggage);
  });

  test('never writes CR, LF or other control characters, whatever the baggage holds', () => {
    const baggage = { 'evil\r\nX-Injected': 'yes\r\nSet-Cookie: a=b', nul: '\u0000', lone: '\ud800', del: '\u007f' };
    const headers = injected(baggage);
    expect(headers.baggage).toMatch(/^[\x21-\x7e]+$/);
    expect(baggageOf(headers.baggage)).toEqual({ ...baggage, lone: '\ufffd' });
  });

  test('keys such as __proto__ and constructor travel as plain keys and pollute nothing', () => {
    const parent = tracer.extract(HTTP, { traceparent: TRACEPARENT, baggage: '__proto__=x,constructor=y,toString=z' });
    expect(parent?.baggage).toEqual(Object.assign(Object.create(null), { ['__proto__']: 'x', constructor: 'y', toString: 'z' }));
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(Object.prototype.toString).toBe(Object.prototype.toString);
    const headers: Record<string, string> = {};
    tracer.inject(parent as SpanContext, HTTP, headers);
    expect(headers.baggage).toBe('__proto__=x,constructor=y,toString=z');
  });

  test('writes no baggage header for empty baggage', () => {
    expect(injected({}).baggage).toBeUndefined();
  });

  test('drops members past the limits instead of writing an oversized header', () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 500; i++) many[`key${i}`] = 'v'.repeat(30);
    many.huge = 'h'.repeat(10_000);
    const header = injected(many).baggage;
    expect(header.length).toBeLessThanOrEqual(PROPAGATION_LIMITS.maxBaggageBytes);
    expect(header.split(',').length).toBeLessThanOrEqual(PROPAGATION_LIMITS.maxBaggageMembers);
    expect(header).not.toContain('huge=');
    expect(header.startsWith('key0=')).toBe(true);
  });
});
