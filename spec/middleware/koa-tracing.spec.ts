import http from 'node:http';
import Koa from 'koa';
import Router from '@koa/router';
import { InMemoryRecorder, Tracer, koaTracing, requestSpan, traceHttpHandler } from '../../lib';
import { close, expectUserRouteSpan, isServerSpan, listen, onlySpan, spansWhen } from '../helpers/middleware';

// Koa 2 through an npm alias (`koa2@npm:koa@2`); it ships no types of its own, and its API is Koa 3's.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Koa2 = require('koa2') as typeof Koa;

describe.each([
  ['Koa 3', Koa],
  ['Koa 2', Koa2],
])('koaTracing with %s and @koa/router', (_label, KoaApp) => {
  let recorder: InMemoryRecorder;
  let warnings: string[];
  let tracer: Tracer;
  let server: http.Server | null = null;

  beforeEach(() => {
    recorder = new InMemoryRecorder();
    warnings = [];
    tracer = new Tracer({ serviceName: 'koa-api', recorder, logger: { warn: (m) => warnings.push(m) } });
  });
  afterEach(async () => {
    if (server !== null) await close(server);
    server = null;
  });

  async function serve(app: Koa, wrap?: (handler: http.RequestListener) => http.RequestListener): Promise<string> {
    // Koa logs errors it answers to stderr unless told otherwise; the tests make errors on purpose.
    app.silent = true;
    const handler = app.callback();
    server = http.createServer(wrap === undefined ? handler : wrap(handler));
    return listen(server);
  }

  it('names the span after the matched route, continues the upstream trace and tags the request', async () => {
    const app = new KoaApp();
    app.use(koaTracing(tracer));
    const router = new Router();
    router.get('/users/:id', async (ctx) => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      const query = tracer.startSpan('db.load-user');
      await new Promise((resolve) => setImmediate(resolve));
      query.finish();
      ctx.body = { id: ctx.params.id };
    });
    app.use(router.routes());
    const base = await serve(app);

    await expectUserRouteSpan(recorder, base);
    expect(warnings).toEqual([]);
  });

  it('includes router prefixes and nested routers in the name', async () => {
    const app = new KoaApp();
    app.use(koaTracing(tracer));
    const orders = new Router();
    orders.get('/:orderId', (ctx) => void (ctx.body = 'order'));
    const api = new Router({ prefix: '/api' });
    api.use('/users/:id/orders', orders.routes());
    api.post('/users', (ctx) => void (ctx.body = 'created'));
    app.use(api.routes());
    const base = await serve(app);

    await (await fetch(`${base}/api/users/7/orders/9`)).text();
    await (await fetch(`${base}/api/users`, { method: 'POST' })).text();
    const spans = await spansWhen(recorder, 2);
    expect(spans.map((s) => s.operationName).sort()).toEqual(['GET /api/users/:id/orders/:orderId', 'POST /api/users']);
  });

  it('falls back to pathTemplates, then to the method, never the raw URL', async () => {
    const app = new KoaApp();
    app.use(koaTracing(tracer, { pathTemplates: ['/files/*'] }));
    app.use((ctx) => {
      if (ctx.path.startsWith('/files/')) ctx.body = 'file';
    });
    const base = await serve(app);

    expect((await fetch(`${base}/files/a/b.txt`)).status).toBe(200);
    expect((await fetch(`${base}/nowhere/123`)).status).toBe(404);
    const spans = await spansWhen(recorder, 2);
    expect(spans.map((s) => s.operationName).sort()).toEqual(['GET', 'GET /files/*']);
    expect(spans.find((s) => s.operationName === 'GET')!.tags['http.status_code']).toBe(404);
  });

  it('records an error thrown downstream (message and stack) before Koa answers it', async () => {
    const app = new KoaApp();
    const seenByKoa: unknown[] = [];
    app.on('error', (error) => seenByKoa.push(error));
    app.use(koaTracing(tracer));
    const router = new Router();
    router.get('/orders/:id', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      throw new Error('inventory service down');
    });
    router.get('/secret', (ctx) => ctx.throw(403, 'no entry'));
    app.use(router.routes());
    const base = await serve(app);

    const res = await fetch(`${base}/orders/5`);
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('Internal Server Error');
    const forbidden = await fetch(`${base}/secret`);
    expect(forbidden.status).toBe(403);
    await spansWhen(recorder, 2);

    const failed = onlySpan(recorder, 'GET /orders/:id');
    expect(failed.tags).toMatchObject({ error: true, 'http.status_code': 500 });
    expect(failed.logs).toHaveLength(1);
    expect(failed.logs[0].fields).toMatchObject({ event: 'error', message: 'inventory service down' });
    expect(failed.logs[0].fields.stack).toContain('inventory service down');
    expect(failed.logs[0].fields['error.object']).toBe(seenByKoa[0]);
    // ctx.throw(403) reaches Koa the same way: recorded, answered with its status.
    const refused = onlySpan(recorder, 'GET /secret');
    expect(refused.tags).toMatchObject({ error: true, 'http.status_code': 403 });
    expect(refused.logs[0].fields.message).toBe('no entry');
    expect(seenByKoa).toHaveLength(2);
  });

  it('keeps each request in its own span across awaits when requests overlap', async () => {
    const app = new KoaApp();
    app.use(koaTracing(tracer));
    app.use(async (ctx, next) => {
      const before = tracer.activeSpan();
      await next();
      ctx.set('x-same-span', String(before === tracer.activeSpan()));
    });
    const router = new Router();
    router.get('/work/:n', async (ctx) => {
      const span = tracer.activeSpan();
      await new Promise((resolve) => setTimeout(resolve, 10 - Number(ctx.params.n)));
      ctx.body = { same: span === tracer.activeSpan(), name: span === null ? null : requestSpan(ctx.req) === span };
    });
    app.use(router.routes());
    const base = await serve(app);

    const answers = await Promise.all(
      [1, 2, 3, 4, 5].map(async (n) => {
        const res = await fetch(`${base}/work/${n}`);
        return { header: res.headers.get('x-same-span'), body: await res.json() };
      }),
    );
    expect(answers).toEqual(Array(5).fill({ header: 'true', body: { same: true, name: true } }));
    const spans = await spansWhen(recorder, 5, isServerSpan);
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(5);
  });

  it('takes the same options as tracingMiddleware: ignorePaths, tags, operationName', async () => {
    const app = new KoaApp();
    app.use(
      koaTracing(tracer, {
        ignorePaths: ['/healthz'],
        tags: (req) => ({ 'tenant.id': req.headers['x-tenant'] }),
        operationName: (req, res) => (res.statusCode === 418 ? 'teapot' : ''),
      }),
    );
    const router = new Router();
    router.get('/healthz', (ctx) => void (ctx.body = 'ok'));
    router.get('/brew', (ctx) => void (ctx.status = 418));
    router.get('/tea', (ctx) => void (ctx.body = 'tea'));
    app.use(router.routes());
    const base = await serve(app);

    await (await fetch(`${base}/healthz`)).text();
    await (await fetch(`${base}/brew`, { headers: { 'x-tenant': 'acme' } })).text();
    await (await fetch(`${base}/tea`)).text();
    const spans = await spansWhen(recorder, 2);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(recorder.spans()).toHaveLength(2);
    expect(onlySpan(recorder, 'teapot').tags['tenant.id']).toBe('acme');
    expect(onlySpan(recorder, 'GET /tea').tags['tenant.id']).toBeUndefined();
    expect(spans.every((s) => s.tags['http.url'] !== '/healthz')).toBe(true);
  });

  it('adopts the span of an outer traceHttpHandler: one span per request, named by the Koa route', async () => {
    const app = new KoaApp();
    app.use(koaTracing(tracer));
    const router = new Router();
    router.get('/items/:id', (ctx) => {
      tracer.startSpan('inner').finish();
      ctx.body = 'item';
    });
    router.get('/boom', () => {
      throw new TypeError('bad item');
    });
    app.use(router.routes());
    const base = await serve(app, (handler) => traceHttpHandler(tracer, handler));

    await (await fetch(`${base}/items/3`)).text();
    await (await fetch(`${base}/boom`)).text();
    await spansWhen(recorder, 3);
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(
      recorder
        .spans()
        .filter(isServerSpan)
        .map((s) => s.operationName),
    ).toEqual(['GET /items/:id', 'GET /boom']);
    expect(onlySpan(recorder, 'inner').parentSpanId).toBe(onlySpan(recorder, 'GET /items/:id').spanId);
    const boom = onlySpan(recorder, 'GET /boom');
    expect(boom.logs.map((l) => l.fields.message)).toEqual(['bad item']);
  });

  it('refuses options that cannot work, naming them', () => {
    expect(() => koaTracing(tracer, { ignorePath: ['/x'] } as never)).toThrow(/koaTracing options\.ignorePath is not an option/);
    expect(() => koaTracing(tracer, { pathTemplates: ['users/:id'] })).toThrow(/koaTracing options\.pathTemplates/);
    expect(() => koaTracing({} as never)).toThrow(/koaTracing tracer/);
  });
});
