import http from 'node:http';
import express from 'express';
import { InMemoryRecorder, Tracer, requestSpan, tracingMiddleware, type Span } from '../../lib';
import { close, isServerSpan, listen, onlySpan, spansWhen, waitFor } from '../helpers/middleware';

const quiet = { warn: () => undefined };

describe('tracingMiddleware with Express', () => {
  let recorder: InMemoryRecorder;
  let tracer: Tracer;
  let server: http.Server | null = null;

  beforeEach(() => {
    recorder = new InMemoryRecorder();
    tracer = new Tracer({ serviceName: 'api', recorder, logger: quiet });
  });
  afterEach(async () => {
    if (server !== null) await close(server);
    server = null;
  });

  async function serve(app: express.Express): Promise<string> {
    server = http.createServer(app);
    return listen(server);
  }

  it('names the span after the matched route and tags the request', async () => {
    const app = express();
    app.use(tracingMiddleware(tracer));
    app.get('/users/:id', (req, res) => {
      res.json({ id: req.params.id });
    });
    const base = await serve(app);

    const res = await fetch(`${base}/users/42?expand=orders`);
    expect(res.status).toBe(200);
    const [span] = await spansWhen(recorder, 1);

    expect(span.operationName).toBe('GET /users/:id');
    expect(span.parentSpanId).toBeUndefined();
    expect(span.tags).toMatchObject({
      'span.kind': 'server',
      'http.method': 'GET',
      'http.url': '/users/42?expand=orders',
      'http.status_code': 200,
      'peer.ipv4': '127.0.0.1',
    });
    expect(typeof span.tags['peer.port']).toBe('number');
    expect(span.tags.error).toBeUndefined();
    expect(span.tags['http.aborted']).toBeUndefined();
  });

  it('includes the mount path of sub-routers in the name', async () => {
    const app = express();
    app.use(tracingMiddleware(tracer));
    const users = express.Router();
    users.get('/:id/orders/:orderId', (_req, res) => void res.send('ok'));
    users.get('/', (_req, res) => void res.send('all'));
    app.use('/api/users', users);
    const base = await serve(app);

    await (await fetch(`${base}/api/users/7/orders/99`)).text();
    await (await fetch(`${base}/api/users`)).text();
    const spans = await spansWhen(recorder, 2);

    expect(spans.map((s) => s.operationName).sort()).toEqual(['GET /api/users', 'GET /api/users/:id/orders/:orderId']);
  });

  it('never uses the raw URL: unmatched requests are named by method, or by a path template', async () => {
    const app = express();
    app.use(tracingMiddleware(tracer, { pathTemplates: ['/legacy/:id', '/files/*'] }));
    const base = await serve(app);

    await (await fetch(`${base}/nothing/here/123`, { method: 'DELETE' })).text();
    await (await fetch(`${base}/legacy/123`)).text();
    await (await fetch(`${base}/files/a/b/c.txt`)).text();
    const spans = await spansWhen(recorder, 3);

    expect(spans.map((s) => s.operationName)).toEqual(['DELETE', 'GET /legacy/:id', 'GET /files/*']);
    expect(spans.every((s) => s.tags['http.status_code'] === 404 && s.tags.error === undefined)).toBe(true);
  });

  it('lets operationName and tags options name and tag the span', async () => {
    const app = express();
    app.use(
      tracingMiddleware(tracer, {
        operationName: (req, res) => `${req.method} custom ${res.statusCode}`,
        tags: (req) => ({ 'tenant.id': req.headers['x-tenant'], 'http.url': '/redacted' }),
      }),
    );
    app.get('/secret/:token', (_req, res) => void res.status(201).end());
    const base = await serve(app);

    await fetch(`${base}/secret/abc`, { headers: { 'x-tenant': 'acme' } });
    await fetch(`${base}/secret/def`);
    const [span, withoutTenant] = await spansWhen(recorder, 2);
    expect(withoutTenant.tags).not.toHaveProperty('tenant.id');

    expect(span.operationName).toBe('GET custom 201');
    expect(span.tags['tenant.id']).toBe('acme');
    expect(span.tags['http.url']).toBe('/redacted');
  });

  it('leaves ignored paths untraced but still handles them', async () => {
    const app = express();
    app.use(tracingMiddleware(tracer, { ignorePaths: ['/healthz', /^\/static\//g] }));
    let activeInIgnored: Span | null | undefined;
    app.get(['/healthz', '/static/app.js'], (_req, res) => {
      activeInIgnored = tracer.activeSpan();
      res.send('ok');
    });
    app.get('/ready', (_req, res) => void res.send('ok'));
    const base = await serve(app);

    // The same RegExp twice: a global flag must not make every other test fail.
    for (const path of ['/healthz?probe=1', '/static/app.js', '/static/app.js', '/ready']) {
      expect((await fetch(base + path)).status).toBe(200);
    }
    await spansWhen(recorder, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(recorder.spans().map((s) => s.tags['http.url'])).toEqual(['/ready']);
    expect(activeInIgnored).toBeNull();
  });

  it('accepts a function deciding which requests to ignore', async () => {
    const app = express();
    const asked: string[] = [];
    app.use(
      tracingMiddleware(tracer, {
        ignorePaths: (path, req) => {
          asked.push(path);
          return req.headers['user-agent'] === 'probe';
        },
      }),
    );
    app.get('/status', (_req, res) => void res.send('ok'));
    const base = await serve(app);

    await (await fetch(`${base}/status?x=1`, { headers: { 'user-agent': 'probe' } })).text();
    await (await fetch(`${base}/status`)).text();
    await spansWhen(recorder, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(recorder.spans()).toHaveLength(1);
    expect(asked).toEqual(['/status', '/status']);
  });

  it('keeps the span active across awaits, body parsing, and req/res listeners', async () => {
    const app = express();
    app.use(tracingMiddleware(tracer));
    app.use(express.json());
    const seen: Record<string, string | null> = {};
    const idOf = (span: Span | null): string | null => (span === null ? null : span.context().spanId);
    app.post('/orders', async (req, res) => {
      seen.handler = idOf(tracer.activeSpan());
      await new Promise((resolve) => setTimeout(resolve, 5));
      seen.afterAwait = idOf(tracer.activeSpan());
      const child = tracer.startSpan('save-order');
      child.finish();
      res.on('finish', () => {
        seen.resFinish = idOf(tracer.activeSpan());
      });
      res.status(201).json({ items: req.body.items.length });
    });
    // A raw body reader: its 'end' listener is added inside the request's context.
    app.post('/raw', (req, res) => {
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        seen.reqData = idOf(tracer.activeSpan());
      });
      req.on('end', () => {
        seen.reqEnd = idOf(tracer.activeSpan());
        res.send(String(size));
      });
    });
    const base = await serve(app);

    const posted = await fetch(`${base}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items: [1, 2, 3] }),
    });
    expect(await posted.json()).toEqual({ items: 3 });
    const raw = await fetch(`${base}/raw`, { method: 'POST', body: 'x'.repeat(100_000) });
    expect(await raw.text()).toBe('100000');
    await spansWhen(recorder, 2, isServerSpan);

    const orders = onlySpan(recorder, 'POST /orders');
    const rawSpan = onlySpan(recorder, 'POST /raw');
    expect(seen).toEqual({
      handler: orders.spanId,
      afterAwait: orders.spanId,
      resFinish: orders.spanId,
      reqData: rawSpan.spanId,
      reqEnd: rawSpan.spanId,
    });
    expect(onlySpan(recorder, 'save-order').parentSpanId).toBe(orders.spanId);
  });

  it('keeps concurrent requests apart', async () => {
    const app = express();
    app.use(tracingMiddleware(tracer, { tags: (req) => ({ 'request.id': req.headers['x-request-id'] }) }));
    app.get('/work/:n', async (req, res) => {
      const n = Number(req.params.n);
      await new Promise((resolve) => setTimeout(resolve, (n * 7) % 13));
      await tracer.startActiveSpan('step', { tags: { 'request.id': req.headers['x-request-id'] } }, async () => {
        await new Promise((resolve) => setImmediate(resolve));
        tracer.startSpan('inner', { tags: { 'request.id': req.headers['x-request-id'] } }).finish();
      });
      res.send(String(n));
    });
    const base = await serve(app);

    const count = 40;
    const bodies = await Promise.all(
      Array.from({ length: count }, (_, n) => fetch(`${base}/work/${n}`, { headers: { 'x-request-id': `r${n}` } }).then((r) => r.text())),
    );
    expect(bodies).toEqual(Array.from({ length: count }, (_, n) => String(n)));
    await spansWhen(recorder, count, isServerSpan);

    const spans = recorder.spans();
    const servers = spans.filter(isServerSpan);
    expect(new Set(servers.map((s) => s.traceId)).size).toBe(count);
    for (const server of servers) {
      const id = server.tags['request.id'];
      const step = spans.find((s) => s.operationName === 'step' && s.tags['request.id'] === id)!;
      const inner = spans.find((s) => s.operationName === 'inner' && s.tags['request.id'] === id)!;
      expect(step.parentSpanId).toBe(server.spanId);
      expect(step.traceId).toBe(server.traceId);
      expect(inner.parentSpanId).toBe(step.spanId);
    }
  });

  it('continues an upstream traceparent and honours its sampled flag', async () => {
    const app = express();
    app.use(tracingMiddleware(tracer));
    app.get('/hello', (_req, res) => void res.send('hi'));
    const base = await serve(app);

    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await (await fetch(`${base}/hello`, { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, baggage: 'tenant=acme' } })).text();
    const [span] = await spansWhen(recorder, 1);
    expect(span.traceId).toBe(traceId);
    expect(span.parentSpanId).toBe('00f067aa0ba902b7');
    expect(span.baggage).toEqual({ tenant: 'acme' });

    recorder.clear();
    await (await fetch(`${base}/hello`, { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-00` } })).text();
    await (await fetch(`${base}/hello`)).text();
    const [next] = await spansWhen(recorder, 1);
    // The unsampled request recorded nothing; the following unrelated one did.
    expect(recorder.spans()).toHaveLength(1);
    expect(next.traceId).not.toBe(traceId);
  });

  it('records thrown errors and rejected promises that reach the error path', async () => {
    const app = express();
    const tracing = tracingMiddleware(tracer);
    app.use(tracing);
    app.get('/sync', () => {
      throw new Error('sync boom');
    });
    app.get('/async', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      throw new Error('async boom');
    });
    app.get('/unavailable', (_req, res) => void res.status(503).send('later'));
    app.get('/bad-input', (_req, _res, next) => next(Object.assign(new Error('bad input'), { status: 400 })));
    app.use(tracing.errorHandler);
    const base = await serve(app);

    for (const [path, status] of [
      ['/sync', 500],
      ['/async', 500],
      ['/unavailable', 503],
      ['/bad-input', 400],
    ] as const) {
      expect((await fetch(base + path)).status).toBe(status);
    }
    await spansWhen(recorder, 4);

    const sync = onlySpan(recorder, 'GET /sync');
    expect(sync.tags).toMatchObject({ error: true, 'http.status_code': 500 });
    expect(sync.logs.find((l) => l.fields.event === 'error')?.fields.message).toBe('sync boom');
    const asyncSpan = onlySpan(recorder, 'GET /async');
    expect(asyncSpan.tags.error).toBe(true);
    expect(asyncSpan.logs.find((l) => l.fields.event === 'error')?.fields.message).toBe('async boom');
    expect(onlySpan(recorder, 'GET /unavailable').tags).toMatchObject({ error: true, 'http.status_code': 503 });
    // An error that reached the error path is an error even when answered with a 4xx.
    expect(onlySpan(recorder, 'GET /bad-input').tags).toMatchObject({ error: true, 'http.status_code': 400 });
  });

  it('finishes and tags a request whose client went away', async () => {
    const app = express();
    app.use(tracingMiddleware(tracer));
    let closedWith: string | null = null;
    let reached = false;
    app.get('/slow', (_req, res) => {
      reached = true;
      res.on('close', () => {
        closedWith = tracer.activeSpan()?.context().spanId ?? null;
      });
    });
    const base = await serve(app);

    const aborter = new AbortController();
    const pending = fetch(`${base}/slow`, { signal: aborter.signal }).catch((error: { name?: string }) => error.name);
    await waitFor(() => reached);
    aborter.abort();
    expect(await pending).toBe('AbortError');
    const [span] = await spansWhen(recorder, 1);

    expect(span.operationName).toBe('GET /slow');
    expect(span.tags['http.aborted']).toBe(true);
    expect(span.tags['http.status_code']).toBeUndefined();
    expect(span.tags.error).toBeUndefined();
    expect(span.logs.some((l) => l.fields.event === 'aborted')).toBe(true);
    expect(closedWith).toBe(span.spanId);
  });

  it('traces a request once when the middleware is mounted twice, and exposes it via requestSpan', async () => {
    const app = express();
    app.use(tracingMiddleware(tracer));
    app.use(tracingMiddleware(tracer));
    let fromRequest: string | undefined;
    app.get('/once', (req, res) => {
      fromRequest = requestSpan(req)?.context().spanId;
      res.send('ok');
    });
    const base = await serve(app);

    await (await fetch(`${base}/once`)).text();
    const [span] = await spansWhen(recorder, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(recorder.spans()).toHaveLength(1);
    expect(fromRequest).toBe(span.spanId);
  });

  it('rejects options that cannot work, naming them', () => {
    expect(() => tracingMiddleware(tracer, { ignorePaths: '/healthz' as never })).toThrow(/options\.ignorePaths/);
    expect(() => tracingMiddleware(tracer, { ignorePaths: [42 as never] })).toThrow(/options\.ignorePaths/);
    expect(() => tracingMiddleware(tracer, { pathTemplates: ['users/:id'] })).toThrow(/options\.pathTemplates/);
    expect(() => tracingMiddleware(tracer, { pathTemplates: ['/users/:'] })).toThrow(/options\.pathTemplates/);
    expect(() => tracingMiddleware(tracer, { operationName: 'GET' as never })).toThrow(/options\.operationName/);
    expect(() => tracingMiddleware(tracer, { tags: {} as never })).toThrow(/options\.tags/);
    expect(() => tracingMiddleware(tracer, { ignorePath: ['/x'] } as never)).toThrow(/options\.ignorePath is not an option/);
    expect(() => tracingMiddleware({} as never)).toThrow(/tracer/);
    expect(() => tracingMiddleware(tracer, { ignorePaths: '/x' as never })).toThrow(TypeError);
  });

  it('survives option callbacks that throw, reporting each once', async () => {
    const warnings: string[] = [];
    const noisy = new Tracer({ serviceName: 'api', recorder, logger: { warn: (m) => warnings.push(m) } });
    const app = express();
    app.use(
      tracingMiddleware(noisy, {
        ignorePaths: () => {
          throw new Error('bad ignore');
        },
        tags: () => {
          throw new Error('bad tags');
        },
        operationName: () => {
          throw new Error('bad name');
        },
      }),
    );
    app.get('/x', (_req, res) => void res.send('ok'));
    const base = await serve(app);

    await (await fetch(`${base}/x`)).text();
    await (await fetch(`${base}/x`)).text();
    const spans = await spansWhen(recorder, 2);

    expect(spans.map((s) => s.operationName)).toEqual(['GET /x', 'GET /x']);
    expect(warnings).toHaveLength(3);
    expect(warnings.join('\n')).toMatch(/ignorePaths[\s\S]*tags[\s\S]*operationName/);
  });
});

describe('tracingMiddleware type compatibility', () => {
  it('is accepted by app.use and works with a plain http server closing cleanly', async () => {
    const tracer = new Tracer({ serviceName: 'types', logger: quiet });
    const app = express();
    const tracing = tracingMiddleware(tracer);
    app.use(tracing);
    app.use(tracing.errorHandler);
    expect(tracing.errorHandler.length).toBe(4);
    const server = http.createServer(app);
    await listen(server);
    await close(server);
    expect(server.listening).toBe(false);
  });
});
