import http from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import Fastify4 from 'fastify4';
import { InMemoryRecorder, Tracer, fastifyTracing, traceHttpHandler, type Span } from '../../lib';
import { UPSTREAM_PARENT, UPSTREAM_TRACE, expectUserRouteSpan, isServerSpan, onlySpan, spansWhen } from '../helpers/middleware';

type AnyFastify = FastifyInstance;

describe.each([
  ['Fastify 5', (opts?: object) => Fastify(opts)],
  ['Fastify 4', (opts?: object) => Fastify4(opts) as unknown as AnyFastify],
])('fastifyTracing with %s', (_label, makeApp) => {
  let recorder: InMemoryRecorder;
  let warnings: string[];
  let tracer: Tracer;
  let app: AnyFastify | null = null;

  beforeEach(() => {
    recorder = new InMemoryRecorder();
    warnings = [];
    tracer = new Tracer({ serviceName: 'fastify-api', recorder, logger: { warn: (m) => warnings.push(m) } });
  });
  afterEach(async () => {
    if (app !== null) await app.close();
    app = null;
  });

  async function serve(built: AnyFastify): Promise<string> {
    app = built;
    return built.listen({ port: 0, host: '127.0.0.1' });
  }

  it('names the span after routeOptions.url, continues the upstream trace and tags the request', async () => {
    const fastify = makeApp();
    await fastify.register(fastifyTracing(tracer));
    fastify.get('/users/:id', async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      tracer.startSpan('db.load-user').finish();
      return { id: (request.params as { id: string }).id };
    });
    const base = await serve(fastify);

    await expectUserRouteSpan(recorder, base);
    expect(warnings).toEqual([]);
  });

  it('keeps the span active in every hook after onRequest, in body parsing, the handler and the work it starts', async () => {
    const fastify = makeApp();
    await fastify.register(fastifyTracing(tracer));
    const seen: Record<string, Span | null> = {};
    const note = (stage: string): void => void (seen[stage] = tracer.activeSpan());
    fastify.addHook('preParsing', async (_request, _reply, payload) => {
      note('preParsing');
      return payload;
    });
    fastify.addContentTypeParser('application/x-lines', { parseAs: 'string' }, (_request, body, done) => {
      note('parser');
      done(null, String(body).split('\n'));
    });
    fastify.addHook('preValidation', (_request, _reply, done) => {
      note('preValidation');
      done();
    });
    fastify.addHook('preHandler', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      note('preHandler');
    });
    fastify.addHook('preSerialization', async (_request, _reply, payload) => {
      note('preSerialization');
      return payload;
    });
    fastify.addHook('onSend', async (_request, _reply, payload) => {
      note('onSend');
      return payload;
    });
    fastify.post('/lines', async (request) => {
      note('handler');
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          note('timer');
          resolve();
        }, 2),
      );
      return { count: (request.body as string[]).length };
    });
    const base = await serve(fastify);

    const res = await fetch(`${base}/lines`, { method: 'POST', headers: { 'content-type': 'application/x-lines' }, body: 'a\nb\nc' });
    expect(await res.json()).toEqual({ count: 3 });
    const [server] = await spansWhen(recorder, 1);
    expect(server.operationName).toBe('POST /lines');

    const stages = ['preParsing', 'parser', 'preValidation', 'preHandler', 'handler', 'timer', 'preSerialization', 'onSend'];
    expect(Object.keys(seen).sort()).toEqual([...stages].sort());
    for (const stage of stages) expect([stage, seen[stage]?.context().spanId]).toEqual([stage, server.spanId]);
  });

  it('includes the prefix of encapsulated plugins: the plugin applies to the whole instance', async () => {
    const fastify = makeApp();
    await fastify.register(fastifyTracing(tracer));
    await fastify.register(
      async (api) => {
        api.get('/users/:id/orders/:orderId', async () => 'order');
        await api.register(async (admin) => void admin.delete('/users/:id', async () => 'gone'), { prefix: '/admin' });
      },
      { prefix: '/api' },
    );
    const base = await serve(fastify);

    await (await fetch(`${base}/api/users/7/orders/9`)).text();
    await (await fetch(`${base}/api/admin/users/7`, { method: 'DELETE' })).text();
    const spans = await spansWhen(recorder, 2);
    expect(spans.map((s) => s.operationName).sort()).toEqual(['DELETE /api/admin/users/:id', 'GET /api/users/:id/orders/:orderId']);
  });

  it('names a 404 by pathTemplates, else by the method, never by the raw URL', async () => {
    const fastify = makeApp();
    await fastify.register(fastifyTracing(tracer, { pathTemplates: ['/legacy/:id'] }));
    const base = await serve(fastify);

    expect((await fetch(`${base}/legacy/12`)).status).toBe(404);
    expect((await fetch(`${base}/nowhere/12`)).status).toBe(404);
    const spans = await spansWhen(recorder, 2);
    expect(spans.map((s) => s.operationName).sort()).toEqual(['GET', 'GET /legacy/:id']);
    expect(spans.every((s) => s.tags['http.status_code'] === 404 && s.tags.error === undefined)).toBe(true);
  });

  it("records errors that reach Fastify's onError hook: thrown by a handler, or by a hook", async () => {
    const fastify = makeApp();
    await fastify.register(fastifyTracing(tracer));
    fastify.get('/orders/:id', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      throw new Error('inventory service down');
    });
    fastify.get(
      '/guarded',
      { preHandler: async () => Promise.reject(Object.assign(new Error('no entry'), { statusCode: 403 })) },
      async () => 'x',
    );
    const base = await serve(fastify);

    const res = await fetch(`${base}/orders/5`);
    expect(res.status).toBe(500);
    expect(((await res.json()) as { message: string }).message).toBe('inventory service down');
    expect((await fetch(`${base}/guarded`)).status).toBe(403);
    await spansWhen(recorder, 2);

    const failed = onlySpan(recorder, 'GET /orders/:id');
    expect(failed.tags).toMatchObject({ error: true, 'http.status_code': 500 });
    expect(failed.logs).toHaveLength(1);
    expect(failed.logs[0].fields).toMatchObject({ event: 'error', message: 'inventory service down' });
    expect(failed.logs[0].fields.stack).toContain('inventory service down');
    const refused = onlySpan(recorder, 'GET /guarded');
    expect(refused.tags).toMatchObject({ error: true, 'http.status_code': 403 });
    expect(refused.logs.map((l) => l.fields.message)).toEqual(['no entry']);
  });

  it('records the error before a custom error handler answers it', async () => {
    const fastify = makeApp();
    await fastify.register(fastifyTracing(tracer));
    fastify.setErrorHandler(async (_error, _request, reply) => reply.code(503).send({ retry: true }));
    fastify.get('/flaky', async () => {
      throw new Error('upstream timed out');
    });
    const base = await serve(fastify);

    const res = await fetch(`${base}/flaky`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ retry: true });
    const [span] = await spansWhen(recorder, 1);
    expect(span.tags).toMatchObject({ error: true, 'http.status_code': 503 });
    expect(span.logs.map((l) => l.fields.message)).toEqual(['upstream timed out']);
  });

  it('takes the same options as tracingMiddleware: ignorePaths, tags, operationName', async () => {
    const fastify = makeApp();
    await fastify.register(
      fastifyTracing(tracer, {
        ignorePaths: ['/healthz'],
        tags: (req) => ({ 'tenant.id': req.headers['x-tenant'] }),
        operationName: (_req, res) => (res.statusCode === 418 ? 'teapot' : ''),
      }),
    );
    fastify.get('/healthz', async () => 'ok');
    fastify.get('/brew', async (_request, reply) => reply.code(418).send('short and stout'));
    fastify.get('/tea', async () => 'tea');
    const base = await serve(fastify);

    await (await fetch(`${base}/healthz`)).text();
    await (await fetch(`${base}/brew`, { headers: { 'x-tenant': 'acme' } })).text();
    await (await fetch(`${base}/tea`)).text();
    await spansWhen(recorder, 2);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(recorder.spans()).toHaveLength(2);
    expect(onlySpan(recorder, 'teapot').tags['tenant.id']).toBe('acme');
    expect(onlySpan(recorder, 'GET /tea').tags['tenant.id']).toBeUndefined();
  });

  it('adopts the span of a traceHttpHandler in a serverFactory: one span per request, named by the Fastify route', async () => {
    const fastify = makeApp({
      serverFactory: (handler: http.RequestListener) => http.createServer(traceHttpHandler(tracer, handler)),
    });
    await fastify.register(fastifyTracing(tracer));
    fastify.get('/boom/:id', async () => {
      throw new TypeError('bad item');
    });
    const base = await serve(fastify);

    expect((await fetch(`${base}/boom/1`)).status).toBe(500);
    await spansWhen(recorder, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(recorder.spans().filter(isServerSpan)).toHaveLength(1);
    expect(onlySpan(recorder, 'GET /boom/:id').logs.map((l) => l.fields.message)).toEqual(['bad item']);
  });

  it('refuses options that cannot work, naming them', () => {
    expect(() => fastifyTracing(tracer, { ignorePath: ['/x'] } as never)).toThrow(/fastifyTracing options\.ignorePath is not an option/);
    expect(() => fastifyTracing(tracer, { operationName: 'x' } as never)).toThrow(/fastifyTracing options\.operationName/);
    expect(() => fastifyTracing(null as never)).toThrow(/fastifyTracing tracer/);
  });
});

// Fastify 5's inject() loads cookie@2, an ES module, which Node (>= 20.19) can require but
// Jest's module loader cannot; the same test on Fastify 4 covers the light-my-request path.
describe('fastifyTracing with Fastify 4 inject()', () => {
  it('traces requests made with fastify.inject() too', async () => {
    const recorder = new InMemoryRecorder();
    const tracer = new Tracer({ serviceName: 'fastify-api', recorder });
    const fastify = Fastify4();
    try {
      await fastify.register(fastifyTracing(tracer));
      fastify.get('/items/:id', async () => {
        tracer.startSpan('inner').finish();
        return 'item';
      });
      const res = await fastify.inject({
        method: 'GET',
        url: '/items/3',
        headers: { traceparent: `00-${UPSTREAM_TRACE}-${UPSTREAM_PARENT}-01` },
      });
      expect(res.statusCode).toBe(200);
      await spansWhen(recorder, 2);
      expect(onlySpan(recorder, 'GET /items/:id').traceId).toBe(UPSTREAM_TRACE);
      expect(onlySpan(recorder, 'inner').parentSpanId).toBe(onlySpan(recorder, 'GET /items/:id').spanId);
    } finally {
      await fastify.close();
    }
  });
});
