import http from 'node:http';
import express from 'express';
import * as opentracing from 'opentracing';
import { InMemoryRecorder, Tracer, tracingMiddleware } from '../../lib';
import { close, listen, onlySpan, spansWhen } from '../helpers/middleware';

// express-opentracing ships no type declarations; this is its documented default export.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const expressOpentracing = require('express-opentracing').default as (options?: { tracer?: opentracing.Tracer }) => express.RequestHandler;

type TracedRequest = { span: opentracing.Span };

describe('drop-in: express-opentracing from npm, unchanged, with sextant as the global tracer', () => {
  let recorder: InMemoryRecorder;
  let warnings: string[];
  let tracer: Tracer;
  let server: http.Server | null = null;

  beforeEach(() => {
    recorder = new InMemoryRecorder();
    warnings = [];
    tracer = new Tracer({ serviceName: 'legacy', recorder, logger: { warn: (m) => warnings.push(m) } });
    opentracing.initGlobalTracer(tracer);
  });
  afterEach(async () => {
    opentracing.initGlobalTracer(new opentracing.Tracer());
    if (server !== null) await close(server);
    server = null;
  });

  /** The app as an express-opentracing user writes it: nothing sextant-specific in it. */
  function legacyApp(): express.Express {
    const app = express();
    app.use(expressOpentracing());
    app.get('/users/:id', (req, res) => {
      const parent = (req as typeof req & TracedRequest).span;
      const query = opentracing.globalTracer().startSpan('db.load-user', { childOf: parent });
      query.setTag('db.type', 'sql');
      query.finish();
      res.json({ id: req.params.id });
    });
    app.get('/broken', (_req, res) => void res.status(502).send('bad gateway'));
    return app;
  }

  it("records the package's server spans, continuing the upstream W3C trace", async () => {
    server = http.createServer(legacyApp());
    const base = await listen(server);
    const traceId = '0af7651916cd43dd8448eb211c80319c';

    const res = await fetch(`${base}/users/7`, { headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` } });
    expect(await res.json()).toEqual({ id: '7' });
    await spansWhen(recorder, 2);

    const serverSpan = onlySpan(recorder, '/users/:id');
    expect(serverSpan.traceId).toBe(traceId);
    expect(serverSpan.parentSpanId).toBe('b7ad6b7169203331');
    expect(serverSpan.serviceName).toBe('legacy');
    expect(serverSpan.tags).toMatchObject({ 'span.kind': 'server', 'http.method': 'GET', 'http.url': '/users/7', 'http.status_code': 200 });
    expect(serverSpan.logs.map((l) => l.fields.event)).toEqual(['request_received', 'request_finished']);
    const child = onlySpan(recorder, 'db.load-user');
    expect(child.parentSpanId).toBe(serverSpan.spanId);
    expect(child.tags['db.type']).toBe('sql');
    // The package injects the server span into the response headers, through sextant's inject.
    expect(res.headers.get('traceparent')).toBe(`00-${traceId}-${serverSpan.spanId}-01`);
  });

  it('records errors the way the package tags them, and each span once although the package finishes it twice', async () => {
    server = http.createServer(legacyApp());
    const base = await listen(server);

    for (let i = 0; i < 3; i++) await (await fetch(`${base}/broken`)).text();
    await (await fetch(`${base}/users/1`)).text();
    await spansWhen(recorder, 5);
    await new Promise((resolve) => setTimeout(resolve, 20));

    const broken = recorder.spans().filter((s) => s.operationName === '/broken');
    expect(broken).toHaveLength(3);
    expect(broken.every((s) => s.tags.error === true && s.tags['http.status_code'] === 502 && s.parentSpanId === undefined)).toBe(true);
    expect(recorder.spans()).toHaveLength(5);
    // It calls finish() on both 'finish' and 'close': sextant ignores the second call and says so once per kind.
    expect(warnings.filter((w) => w.includes('finish() called after finish()'))).toHaveLength(1);
    expect(new Set(warnings).size).toBe(warnings.length);
  });

  it('parents spans started through opentracing.globalTracer() under the active request span', async () => {
    // Library code that only knows the global tracer, in an app that uses sextant's middleware.
    const loadUser = async (id: string): Promise<string> => {
      const span = opentracing.globalTracer().startSpan('library.load-user');
      await new Promise((resolve) => setTimeout(resolve, 1));
      span.finish();
      return id;
    };
    const app = express();
    app.use(tracingMiddleware(tracer));
    app.get('/users/:id', async (req, res) => void res.send(await loadUser(req.params.id)));
    server = http.createServer(app);
    const base = await listen(server);

    await (await fetch(`${base}/users/3`)).text();
    await spansWhen(recorder, 2);
    expect(onlySpan(recorder, 'library.load-user').parentSpanId).toBe(onlySpan(recorder, 'GET /users/:id').spanId);
  });
});
