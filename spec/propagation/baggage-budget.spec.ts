/**
 * The baggage `inject` writes, summed over every configured format that carries baggage
 * (W3C `baggage`, jaeger `uberctx-*`, `ot-baggage-*`), stays within 8192 bytes, so a
 * downstream Node server with its default header limit never answers 431.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as opentracing from 'opentracing';
import { PROPAGATION_LIMITS, SpanContext, Tracer } from '../../lib';
import type { PropagationName } from '../../lib';

/** `Tracer.extract` is typed as OpenTracing's; the context it returns is sextant's. */

const HTTP = opentracing.FORMAT_HTTP_HEADERS;
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const EVERY_FORMAT: PropagationName[] = ['tracecontext', 'baggage', 'jaeger', 'ottrace', 'b3', 'xray'];

function injected(propagation: PropagationName[], baggage: Record<string, string>): Record<string, string> {
  const tracer = new Tracer({ serviceName: 'budget', propagation });
  const headers: Record<string, string> = {};
  tracer.inject(new SpanContext({ traceId: TRACE, spanId: SPAN, sampled: true, baggage }), HTTP, headers);
  return headers;
}

/** The budget's measure: the `baggage` value, and name + value of each per-item header. */
function baggageBytes(headers: Record<string, string>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'baggage') bytes += value.length;
    else if (name.startsWith('uberctx-') || name.startsWith('ot-baggage-')) bytes += name.length + value.length;
  }
  return bytes;
}

/** The baggage keys each format carries, in the order written. */
function keysByFormat(headers: Record<string, string>): Record<string, string[]> {
  const names = Object.keys(headers);
  return {
    baggage: headers.baggage === undefined ? [] : headers.baggage.split(',').map((member) => member.slice(0, member.indexOf('='))),
    jaeger: names.filter((n) => n.startsWith('uberctx-')).map((n) => n.slice('uberctx-'.length)),
    ottrace: names.filter((n) => n.startsWith('ot-baggage-')).map((n) => n.slice('ot-baggage-'.length)),
  };
}

/** As much baggage as a user could set: 600 items of 40-character values, one of 5000. */
function maximalBaggage(): Record<string, string> {
  const baggage: Record<string, string> = {};
  for (let i = 0; i < 600; i++) baggage[`item${i}`] = `value-${i}-`.padEnd(40, 'x');
  baggage.huge = 'h'.repeat(5000);
  return baggage;
}

describe('one budget for every baggage format', () => {
  test('baggage, jaeger and ottrace together write at most 8192 bytes, the same members in each, in baggage order', () => {
    const headers = injected(EVERY_FORMAT, maximalBaggage());
    expect(baggageBytes(headers)).toBeLessThanOrEqual(PROPAGATION_LIMITS.maxBaggageBytes);
    expect(baggageBytes(headers)).toBeGreaterThan(PROPAGATION_LIMITS.maxBaggageBytes - 200);
    const keys = keysByFormat(headers);
    expect(keys.baggage.length).toBeGreaterThan(20);
    expect(keys.jaeger).toEqual(keys.baggage);
    expect(keys.ottrace).toEqual(keys.baggage);
    expect(keys.baggage.slice(0, 3)).toEqual(['item0', 'item1', 'item2']);
    expect(keys.baggage).not.toContain('huge');
  });

  test('a format alone keeps the whole budget: W3C baggage writes up to 8192 bytes', () => {
    const headers = injected(['tracecontext', 'baggage'], maximalBaggage());
    expect(headers.baggage.length).toBeLessThanOrEqual(8192);
    expect(headers.baggage.length).toBeGreaterThan(8192 - 60);
  });

  test('two formats share it: each carries about half of what it would alone', () => {
    const alone = keysByFormat(injected(['baggage'], maximalBaggage())).baggage.length;
    const shared = keysByFormat(injected(['baggage', 'jaeger'], maximalBaggage()));
    expect(shared.jaeger).toEqual(shared.baggage);
    expect(shared.baggage.length).toBeLessThan(alone * 0.6);
    expect(shared.baggage.length).toBeGreaterThan(alone * 0.3);
  });

  test('an item too big for what is left is skipped, and smaller later ones still go', () => {
    const headers = injected(['baggage', 'jaeger'], { first: 'a', big: 'b'.repeat(4090), small: 'c' });
    expect(keysByFormat(headers)).toMatchObject({ baggage: ['first', 'small'], jaeger: ['first', 'small'] });
  });

  test('a baggage of 100,000 items is looked at only up to its first 1024 items', () => {
    const huge: Record<string, string> = {};
    for (let i = 0; i < 100_000; i++) huge[`k${i}`] = i < 2000 ? 'x'.repeat(5000) : 'v';
    // the first 2000 items are too big for any format; the small ones after them are not looked at
    expect(keysByFormat(injected(['baggage'], huge)).baggage).toEqual([]);
    const early: Record<string, string> = { ...huge, k0: 'small' };
    expect(keysByFormat(injected(['baggage'], early)).baggage).toEqual(['k0']);
  });

  test('an item ottrace cannot carry costs nothing there, and still goes in the other formats', () => {
    const headers = injected(['baggage', 'ottrace'], { who: 'Amélie', tenant: 'acme' });
    expect(keysByFormat(headers)).toEqual({ baggage: ['who', 'tenant'], jaeger: [], ottrace: ['tenant'] });
  });
});

describe('a downstream Node server', () => {
  let server: http.Server;
  let port: number;
  const seen: { headerBytes: number; baggageKeys: number }[] = [];

  beforeAll(async () => {
    // Node's defaults: 16 KiB of headers (maxHeaderSize), 2000 header fields at most
    server = http.createServer((req, res) => {
      seen.push({ headerBytes: req.rawHeaders.join('').length, baggageKeys: Object.keys(req.headers).length });
      res.writeHead(200).end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  function send(headers: Record<string, string>): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/', headers, timeout: 5000 }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
    });
  }

  test('accepts the request inject produced with maximal baggage in every format', async () => {
    const headers = injected(EVERY_FORMAT, maximalBaggage());
    // and the headers a real client sends beside them
    headers['user-agent'] = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
    headers.cookie = `session=${'s'.repeat(1024)}`;
    headers.authorization = `Bearer ${'t'.repeat(1024)}`;
    expect(await send(headers)).toBe(200);
    expect(seen.at(-1)?.headerBytes).toBeGreaterThan(PROPAGATION_LIMITS.maxBaggageBytes);
  });

  test('would answer 431 to baggage written per format up to 8192 bytes each (the old rule)', async () => {
    const perFormat: Record<string, string> = {};
    for (const format of ['baggage', 'jaeger', 'ottrace'] as PropagationName[]) {
      Object.assign(perFormat, injected([format], maximalBaggage()));
    }
    expect(baggageBytes(perFormat)).toBeGreaterThan(16 * 1024);
    expect(await send(perFormat)).toBe(431);
  });
});
