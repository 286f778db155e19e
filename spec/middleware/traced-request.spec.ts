import http from 'node:http';
import { once } from 'node:events';
import { InMemoryRecorder, Tracer, tracedRequest, type Span } from '../../lib';
import { close, listen, spansWhen, waitFor } from '../helpers/middleware';

const quiet = { warn: () => undefined };

/** Sends a request made by `make`, ends it, and resolves with the response body. */
function bodyOf(req: http.ClientRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('tracedRequest', () => {
  let recorder: InMemoryRecorder;
  let tracer: Tracer;
  let downstream: http.Server;
  let base: string;
  let port: number;
  let received: http.IncomingHttpHeaders[];

  beforeEach(async () => {
    recorder = new InMemoryRecorder();
    tracer = new Tracer({ serviceName: 'client', recorder, logger: quiet });
    received = [];
    downstream = http.createServer((req, res) => {
      received.push(req.headers);
      const status = req.url?.startsWith('/status/') ? Number(req.url.slice(8)) : 200;
      res.writeHead(status).end(req.url === '/big' ? 'z'.repeat(1_000_000) : `${req.method} ${req.url}`);
    });
    base = await listen(downstream);
    port = Number(new URL(base).port);
  });
  afterEach(() => close(downstream));

  it('traces every call form as a child of the active span, injecting its context', async () => {
    const request = tracedRequest(tracer);
    const parent = tracer.startSpan('parent');
    const results = await tracer
      .scopeManager()
      .activate(parent, () =>
        Promise.all([
          bodyOf(request(`${base}/string`)),
          bodyOf(request(new URL(`${base}/url-object`), { method: 'delete' })),
          bodyOf(request({ hostname: '127.0.0.1', port, path: '/options?q=1', method: 'POST' })),
          bodyOf(request(`${base}/overridden`, { path: '/merged' })),
        ]),
      );
    parent.finish();

    expect(results.map((r) => r.body).sort()).toEqual(['DELETE /url-object', 'GET /merged', 'GET /string', 'POST /options?q=1']);
    const clients = await spansWhen(recorder, 4, (s) => s.tags['span.kind'] === 'client');
    for (const client of clients) {
      expect(client.parentSpanId).toBe(parent.context().spanId);
      expect(client.operationName).toBe(`${client.tags['http.method']} 127.0.0.1:${port}`);
      expect(client.tags).toMatchObject({
        component: 'node:http',
        'peer.hostname': '127.0.0.1',
        'peer.port': port,
        'http.status_code': 200,
      });
      expect(received.some((h) => h.traceparent === `00-${client.traceId}-${client.spanId}-01`)).toBe(true);
    }
    expect(clients.map((c) => c.tags['http.url']).sort()).toEqual(
      [`${base}/merged`, `${base}/options?q=1`, `${base}/string`, `${base}/url-object`].sort(),
    );
  });

  it("never modifies the caller's options or headers, object or raw array", async () => {
    const request = tracedRequest(tracer);
    const headers = Object.freeze({ 'x-caller': 'yes', traceparent: 'stale' });
    const options = Object.freeze({ hostname: '127.0.0.1', port, path: '/frozen', headers });
    await bodyOf(request(options));
    // Node adds no Host header to a raw header list: the caller must.
    const raw = ['Host', `127.0.0.1:${port}`, 'X-Raw', 'one', 'traceparent', 'stale'];
    await bodyOf(request(`${base}/raw`, { headers: raw }));

    expect(options).toEqual({ hostname: '127.0.0.1', port, path: '/frozen', headers: { 'x-caller': 'yes', traceparent: 'stale' } });
    expect(raw).toEqual(['Host', `127.0.0.1:${port}`, 'X-Raw', 'one', 'traceparent', 'stale']);
    const spans = await spansWhen(recorder, 2);
    expect(received[0]['x-caller']).toBe('yes');
    expect(received[1]['x-raw']).toBe('one');
    expect(received.map((h) => h.traceparent)).toEqual(spans.map((s) => `00-${s.traceId}-${s.spanId}-01`));
  });

  it('runs the response callback in the caller context', async () => {
    const request = tracedRequest(tracer);
    const parent = tracer.startSpan('parent');
    const seen = await tracer.scopeManager().activate(
      parent,
      () =>
        new Promise<(Span | null)[]>((resolve) => {
          const active: (Span | null)[] = [];
          request(`${base}/ctx`, (res) => {
            active.push(tracer.activeSpan());
            res.resume();
            res.on('end', () => {
              active.push(tracer.activeSpan());
              resolve(active);
            });
          }).end();
        }),
    );
    expect(seen).toEqual([parent, parent]);
  });

  it('tags 5xx answers and request errors, keeping Node error semantics', async () => {
    const request = tracedRequest(tracer);
    expect((await bodyOf(request(`${base}/status/500`))).status).toBe(500);

    const closed = http.createServer();
    const closedBase = await listen(closed);
    await close(closed);
    const failed = request(`${closedBase}/nobody`);
    failed.end();
    const [error] = (await once(failed, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ECONNREFUSED');

    const spans = await spansWhen(recorder, 2);
    expect(spans[0].tags).toMatchObject({ error: true, 'http.status_code': 500 });
    expect(spans[1].tags.error).toBe(true);
    expect(spans[1].tags['http.status_code']).toBeUndefined();
    expect(spans[1].logs[0].fields).toMatchObject({ event: 'error', 'error.object': error });
  });

  it("throws an 'error' nobody listens for, as Node does, after recording it", async () => {
    const req = tracedRequest(tracer)(`${base}/unheard`);
    const boom = new Error('unheard');
    expect(() => req.emit('error', boom)).toThrow(boom);
    req.on('error', () => undefined);
    req.destroy();
    const [span] = await spansWhen(recorder, 1);
    expect(span.logs[0].fields['error.object']).toBe(boom);
  });

  it('picks https for https URLs', async () => {
    // An https request to a plain-HTTP port fails the TLS handshake: proof https.request was used.
    const failed = tracedRequest(tracer)(`https://127.0.0.1:${port}/tls`, { rejectUnauthorized: false });
    failed.end();
    const [error] = (await once(failed, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toMatch(/EPROTO|ERR_SSL|ECONNRESET/);
    const [span] = await spansWhen(recorder, 1);
    expect(span.tags).toMatchObject({ 'http.url': `https://127.0.0.1:${port}/tls`, 'peer.port': port, error: true });
  });

  it('still drains a response nobody listens for', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const request = tracedRequest(tracer);
      const ignored = request({ hostname: '127.0.0.1', port, path: '/big', agent });
      ignored.end();
      // With one socket, this only gets through once the ignored 1 MB response was drained.
      const next = await bodyOf(request({ hostname: '127.0.0.1', port, path: '/after', agent }));
      expect(next.body).toBe('GET /after');
      await spansWhen(recorder, 2);
    } finally {
      agent.destroy();
    }
  }, 5000);

  it('finishes a request destroyed before any response', async () => {
    const request = tracedRequest(tracer);
    const req = request(`${base}/never-sent`);
    req.on('error', () => undefined);
    req.destroy();
    await waitFor(() => recorder.spans().length === 1);
    expect(recorder.spans()[0].tags.error).toBe(true);
  });

  it('rejects options that cannot work, naming them', () => {
    expect(() => tracedRequest(tracer, { operationName: 'x' as never })).toThrow(/tracedRequest options\.operationName/);
    expect(() => tracedRequest(tracer, { agent: true } as never)).toThrow(/options\.agent is not an option/);
    expect(() => tracedRequest(tracer, 'x' as never)).toThrow(/tracedRequest options must be an object/);
  });
});
