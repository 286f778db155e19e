import http from 'node:http';
import { InMemoryRecorder, Tracer, tracedFetch } from '../../lib';
import { close, isClientSpan, listen, spansWhen } from '../helpers/middleware';

const quiet = { warn: () => undefined };

describe('tracedFetch', () => {
  let recorder: InMemoryRecorder;
  let tracer: Tracer;
  let downstream: http.Server;
  let base: string;
  let received: { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }[];

  beforeEach(async () => {
    recorder = new InMemoryRecorder();
    tracer = new Tracer({ serviceName: 'client', recorder, logger: quiet });
    received = [];
    downstream = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        received.push({ method: req.method, url: req.url, headers: req.headers, body });
        const status = req.url?.startsWith('/status/') ? Number(req.url.slice(8)) : 200;
        res.writeHead(status, { 'content-type': 'text/plain' }).end('done');
      });
    });
    base = await listen(downstream);
  });
  afterEach(() => close(downstream));

  it('starts a client child of the active span and injects its context', async () => {
    const fetch = tracedFetch(tracer);
    const parent = tracer.startSpan('parent');
    parent.setBaggageItem('tenant', 'acme');
    const res = await tracer.scopeManager().activate(parent, () => fetch(`${base}/users/42?x=1`));
    expect(await res.text()).toBe('done');
    parent.finish();
    const [client] = await spansWhen(recorder, 1, isClientSpan);

    const port = Number(new URL(base).port);
    expect(client.operationName).toBe(`GET 127.0.0.1:${port}`);
    expect(client.traceId).toBe(parent.context().traceId);
    expect(client.parentSpanId).toBe(parent.context().spanId);
    expect(client.tags).toMatchObject({
      'span.kind': 'client',
      component: 'fetch',
      'http.method': 'GET',
      'http.url': `${base}/users/42?x=1`,
      'peer.hostname': '127.0.0.1',
      'peer.ipv4': '127.0.0.1',
      'peer.port': port,
      'http.status_code': 200,
    });
    expect(client.tags.error).toBeUndefined();
    expect(received[0].headers.traceparent).toBe(`00-${client.traceId}-${client.spanId}-01`);
    expect(received[0].headers.baggage).toBe('tenant=acme');
  });

  it('starts a root when nothing is active', async () => {
    await (await tracedFetch(tracer)(`${base}/`)).text();
    const [client] = await spansWhen(recorder, 1);
    expect(client.parentSpanId).toBeUndefined();
    expect(received[0].headers.traceparent).toBe(`00-${client.traceId}-${client.spanId}-01`);
  });

  it("never modifies the caller's init or headers, whatever their form", async () => {
    const fetch = tracedFetch(tracer);
    const plainHeaders = Object.freeze({ 'x-plain': '1' });
    const init = Object.freeze({ method: 'post', headers: plainHeaders, body: 'hello' });
    await (await fetch(`${base}/plain`, init)).text();
    expect(init).toEqual({ method: 'post', headers: { 'x-plain': '1' }, body: 'hello' });

    const headersObject = new Headers({ 'x-headers': '2' });
    await (await fetch(new URL(`${base}/headers`), { headers: headersObject })).text();
    expect([...headersObject.keys()]).toEqual(['x-headers']);

    const tuples: [string, string][] = [['x-tuple', '3']];
    await (await fetch(`${base}/tuples`, { headers: tuples })).text();
    expect(tuples).toEqual([['x-tuple', '3']]);

    const request = new Request(`${base}/request`, { method: 'PUT', headers: { 'x-request': '4' }, body: 'from request' });
    await (await fetch(request)).text();
    expect([...request.headers.keys()]).toEqual(['content-type', 'x-request']);

    // fetch reads init members through getters, so an init need not be a plain object.
    class PatchInit {
      get method() {
        return 'PATCH';
      }
      get headers() {
        return { 'x-class': '5' };
      }
    }
    await (await fetch(`${base}/class-init`, new PatchInit() as RequestInit)).text();

    await spansWhen(recorder, 5);
    const byPath = new Map(received.map((r) => [r.url, r]));
    expect(byPath.get('/class-init')).toMatchObject({ method: 'PATCH', headers: { 'x-class': '5' } });
    expect(byPath.get('/plain')).toMatchObject({ method: 'POST', body: 'hello', headers: { 'x-plain': '1' } });
    expect(byPath.get('/headers')!.headers['x-headers']).toBe('2');
    expect(byPath.get('/tuples')!.headers['x-tuple']).toBe('3');
    expect(byPath.get('/request')).toMatchObject({ method: 'PUT', body: 'from request', headers: { 'x-request': '4' } });
    for (const r of received) expect(r.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(
      recorder
        .spans()
        .map((s) => s.tags['http.method'])
        .sort(),
    ).toEqual(['GET', 'GET', 'PATCH', 'POST', 'PUT']);
  });

  it('replaces a stale traceparent the caller passed on', async () => {
    const stale = '00-11111111111111111111111111111111-2222222222222222-01';
    await (await tracedFetch(tracer)(`${base}/`, { headers: { TraceParent: stale } })).text();
    const [client] = await spansWhen(recorder, 1);
    expect(received[0].headers.traceparent).toBe(`00-${client.traceId}-${client.spanId}-01`);
  });

  it('tags 5xx answers and failed calls as errors, passing the failure on', async () => {
    const fetch = tracedFetch(tracer);
    expect((await fetch(`${base}/status/503`)).status).toBe(503);
    expect((await fetch(`${base}/status/404`)).status).toBe(404);

    const closed = http.createServer();
    const closedBase = await listen(closed);
    await close(closed);
    const failure = await fetch(`${closedBase}/nobody-home`).catch((error: unknown) => error);
    expect((failure as Error).message).toBe('fetch failed');

    const aborted = await fetch(`${base}/`, { signal: AbortSignal.abort() }).catch((error: { name: string }) => error.name);
    expect(aborted).toBe('AbortError');

    const spans = await spansWhen(recorder, 4);
    const byStatus = (code: number) => spans.find((s) => s.tags['http.status_code'] === code)!;
    expect(byStatus(503).tags.error).toBe(true);
    expect(byStatus(404).tags.error).toBeUndefined();
    const failed = spans.filter((s) => s.tags['http.status_code'] === undefined);
    expect(failed).toHaveLength(2);
    for (const span of failed) {
      expect(span.tags.error).toBe(true);
      expect(span.logs.some((l) => l.fields.event === 'error')).toBe(true);
    }
    expect(failed.some((s) => s.logs[0].fields['error.object'] === failure)).toBe(true);
  });

  it('keeps user names and passwords out of http.url', async () => {
    const url = new URL(`${base}/private`);
    url.username = 'alice';
    url.password = 's3cret';
    const calls: string[] = [];
    const fetch = tracedFetch(tracer, {
      // Node's fetch refuses credentials in URLs, so this one strips them itself.
      fetch: (input, init) => {
        calls.push(String(input));
        const target = new URL(String(input));
        target.username = '';
        target.password = '';
        return globalThis.fetch(target, init);
      },
      operationName: (method, target) => `${method} ${target.pathname.split('/')[1]}`,
    });
    await (await fetch(url)).text();
    const [span] = await spansWhen(recorder, 1);
    expect(calls).toEqual([url.href]);
    expect(span.operationName).toBe('GET private');
    expect(span.tags['http.url']).toBe(`${base}/private`);
    expect(JSON.stringify(span.tags)).not.toContain('s3cret');
  });

  it('rejects options that cannot work, naming them', () => {
    expect(() => tracedFetch(tracer, { fetch: 'fetch' as never })).toThrow(/tracedFetch options\.fetch must be a function/);
    expect(() => tracedFetch(tracer, { operationName: 1 as never })).toThrow(/options\.operationName/);
    expect(() => tracedFetch(tracer, { fech: globalThis.fetch } as never)).toThrow(/options\.fech is not an option/);
    expect(() => tracedFetch(undefined as never)).toThrow(/tracedFetch tracer/);
  });
});
