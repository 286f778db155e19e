import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as opentracing from 'opentracing';
import { PROPAGATION_LIMITS, SpanContext, Tracer } from '../../lib';

/** `Tracer.extract` is typed as OpenTracing's; the context it returns is sextant's. */

const HTTP = opentracing.FORMAT_HTTP_HEADERS;
const TEXT = opentracing.FORMAT_TEXT_MAP;
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE}-${SPAN}-01`;

const tracer = new Tracer({ serviceName: 'carriers', propagation: ['tracecontext', 'baggage', 'jaeger'] });
const context = new SpanContext({ traceId: TRACE, spanId: SPAN, sampled: true, baggage: { tenant: 'acme' } });

describe('extract reads', () => {
  test('header names in any case, from a plain object', () => {
    expect(tracer.extract(HTTP, { TraceParent: TRACEPARENT, BAGGAGE: 'a=1', 'UBERCTX-B': '2' })).toMatchObject({
      traceId: TRACE,
      baggage: { a: '1', B: '2' },
    });
  });

  test('a Map, with names in any case', () => {
    expect(
      tracer.extract(
        TEXT,
        new Map([
          ['Traceparent', TRACEPARENT],
          ['baggage', 'a=1'],
        ]),
      ),
    ).toMatchObject({ traceId: TRACE, baggage: { a: '1' } });
  });

  test('a fetch Headers', () => {
    const headers = new Headers({ traceparent: TRACEPARENT, 'uberctx-k': 'v' });
    expect(tracer.extract(HTTP, headers)).toMatchObject({ traceId: TRACE, baggage: { k: 'v' } });
  });

  test('anything with a get(name) method, such as an Express request', () => {
    const headers: Record<string, string> = { traceparent: TRACEPARENT, 'uberctx-k': 'v' };
    const request = { headers, get: (name: string) => headers[name.toLowerCase()] };
    expect(tracer.extract(HTTP, request)).toMatchObject({ traceId: TRACE, baggage: { k: 'v' } });
  });

  test("Node's IncomingHttpHeaders and headersDistinct from a real request", async () => {
    const seen: [SpanContext | null, SpanContext | null][] = [];
    const server = http.createServer((req, res) => {
      seen.push([tracer.extract(HTTP, req.headers), tracer.extract(HTTP, req.headersDistinct)]);
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve, reject) => {
      const headers = ['Host', `127.0.0.1:${port}`, 'TraceParent', TRACEPARENT, 'Baggage', 'a=1', 'baggage', 'b=2'];
      http.get(`http://127.0.0.1:${port}/`, { headers }, (res) => res.resume().on('end', resolve)).on('error', reject);
    });
    await new Promise((resolve) => server.close(resolve));
    for (const ctx of seen[0]) {
      expect(ctx).toMatchObject({ traceId: TRACE, spanId: SPAN, remote: true });
      expect({ ...ctx?.baggage }).toEqual({ a: '1', b: '2' });
    }
  });

  test('a plain carrier whose getter extracts from another carrier: each extraction reads its own carrier', () => {
    const inner = `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`;
    let innerTraceId: string | undefined;
    const outer = {
      get traceparent() {
        innerTraceId = tracer.extract(HTTP, { traceparent: inner, baggage: 'inner=1' })?.traceId;
        return TRACEPARENT;
      },
      baggage: 'outer=1',
    };
    expect(tracer.extract(HTTP, outer)).toMatchObject({ traceId: TRACE, baggage: { outer: '1' } });
    expect(innerTraceId).toBe('1'.repeat(32));
    expect(tracer.extract(HTTP, { traceparent: inner })?.traceId).toBe('1'.repeat(32));
  });

  test('only own properties of a plain object', () => {
    const carrier = Object.create({ traceparent: TRACEPARENT }) as Record<string, unknown>;
    expect(tracer.extract(HTTP, carrier)).toBeNull();
  });
});

describe('extract never throws', () => {
  const carriers: [string, unknown][] = [
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
    ['a string', TRACEPARENT],
    ['an array', [TRACEPARENT]],
    ['a number header', { traceparent: 42 }],
    ['an object header', { traceparent: { toString: () => TRACEPARENT } }],
    [
      'a throwing getter',
      Object.defineProperty({}, 'traceparent', {
        enumerable: true,
        get: () => {
          throw new Error('boom');
        },
      }),
    ],
    [
      'a throwing get method',
      {
        get: () => {
          throw new Error('boom');
        },
      },
    ],
    ['a get method returning junk', { get: () => ({}) }],
    [
      'a throwing Proxy',
      new Proxy(
        {},
        {
          has: () => {
            throw new Error('boom');
          },
          getOwnPropertyDescriptor: () => {
            throw new Error('boom');
          },
          ownKeys: () => {
            throw new Error('boom');
          },
        },
      ),
    ],
    ['a JSON __proto__ key', JSON.parse(`{"__proto__": {"traceparent": "${TRACEPARENT}"}, "constructor": {"prototype": {"polluted": 1}}}`)],
    [
      'a megabyte header',
      {
        traceparent: 'x'.repeat(1 << 20),
        tracestate: ' '.repeat(1 << 20),
        baggage: '='.repeat(1 << 20),
        'uber-trace-id': ':'.repeat(1 << 20),
      },
    ],
    ['a huge string[]', { baggage: Array.from({ length: 1000 }, () => 'k=v'.repeat(1000)) }],
  ];
  test.each(carriers)('%s gives null', (_name, carrier) => {
    expect(tracer.extract(HTTP, carrier)).toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).traceparent).toBeUndefined();
  });
});

describe('carriers whose names never end', () => {
  /** Every format that lists the carrier's names (jaeger and ottrace look for baggage prefixes). */
  const scanning = new Tracer({ serviceName: 'carriers', propagation: ['tracecontext', 'baggage', 'jaeger', 'ottrace', 'xray'] });
  const limit = PROPAGATION_LIMITS.maxCarrierNames;

  /** A getter carrier whose keys() yields `item(i)` forever, counting what was pulled. */
  function endless(item: (i: number) => unknown): { carrier: object; pulled: () => number } {
    let pulled = 0;
    const carrier = {
      get: (name: string) => (name === 'traceparent' ? TRACEPARENT : undefined),
      *keys() {
        for (;;) yield item(pulled++);
      },
    };
    return { carrier, pulled: () => pulled };
  }

  test.each([
    ['numbers', (i: number) => i],
    ['symbols', () => Symbol('k')],
    ['objects', () => ({})],
    ['strings', (i: number) => `x-${i}`],
  ])('keys() yielding %s forever: extract returns, having pulled a bounded number of names', (_name, item) => {
    const { carrier, pulled } = endless(item);
    expect(scanning.extract(HTTP, carrier)).toMatchObject({ traceId: TRACE });
    // each scan stops after maxCarrierNames items, strings or not
    expect(pulled()).toBeGreaterThan(0);
    expect(pulled()).toBeLessThanOrEqual(4 * (limit + 1));
  });

  test('a Map subclass whose keys() never ends', () => {
    class EndlessMap extends Map<string, string> {
      *keys(): MapIterator<string> {
        for (let i = 0; ; i++) yield i as unknown as string;
      }
    }
    const carrier = new EndlessMap([['traceparent', TRACEPARENT]]);
    expect(scanning.extract(HTTP, carrier)).toMatchObject({ traceId: TRACE });
  });

  test.each([
    [
      'keys() throws',
      {
        get: () => TRACEPARENT,
        keys: () => {
          throw new Error('boom');
        },
      },
    ],
    [
      'the iterator of keys() throws',
      {
        get: () => TRACEPARENT,
        keys: () => ({
          [Symbol.iterator]: () => ({
            next: () => {
              throw new Error('boom');
            },
          }),
        }),
      },
    ],
    ['keys() returns junk', { get: () => TRACEPARENT, keys: () => 42 }],
    ['a revoked Proxy', revoked({ traceparent: TRACEPARENT })],
    ['a revoked Proxy of a Map', revoked(new Map([['traceparent', TRACEPARENT]]))],
    ['a Proxy of a Map (its methods refuse the proxy)', new Proxy(new Map([['traceparent', TRACEPARENT]]), {})],
    ['a revoked Proxy as a header value', { traceparent: revoked([TRACEPARENT]) }],
  ])('%s: extract returns null or a context, never throws', (_name, carrier) => {
    const context = scanning.extract(HTTP, carrier);
    expect(context === null || context.traceId === TRACE).toBe(true);
  });
});

function revoked<T extends object>(target: T): T {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}

describe('inject writes into', () => {
  test('a plain object', () => {
    const headers: Record<string, string> = {};
    tracer.inject(context, HTTP, headers);
    expect(headers).toEqual({
      traceparent: TRACEPARENT,
      baggage: 'tenant=acme',
      'uber-trace-id': `${TRACE}:${SPAN}:0:1`,
      'uberctx-tenant': 'acme',
    });
  });

  test('a Map and a fetch Headers, through set()', () => {
    const map = new Map<string, string>();
    tracer.inject(context, TEXT, map);
    expect(map.get('traceparent')).toBe(TRACEPARENT);
    const headers = new Headers();
    tracer.inject(context, HTTP, headers);
    expect(headers.get('baggage')).toBe('tenant=acme');
  });

  test('an outgoing Node request, through setHeader()', async () => {
    let received: http.IncomingHttpHeaders = {};
    const server = http.createServer((req, res) => {
      received = req.headers;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve, reject) => {
      const req = http.request(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, (res) => res.resume().on('end', resolve));
      tracer.inject(context, HTTP, req);
      req.on('error', reject).end();
    });
    await new Promise((resolve) => server.close(resolve));
    expect(received).toMatchObject({ traceparent: TRACEPARENT, 'uberctx-tenant': 'acme' });
  });

  test('nothing that is not an object: reported once through the logger', () => {
    const warnings: string[] = [];
    const t = new Tracer({ serviceName: 'carriers', logger: { warn: (m) => warnings.push(m) } });
    expect(() => t.inject(context, HTTP, null)).not.toThrow();
    expect(() => t.inject(context, HTTP, 'headers')).not.toThrow();
    expect(warnings).toEqual([expect.stringMatching(/carrier must be an object/)]);
  });
});
