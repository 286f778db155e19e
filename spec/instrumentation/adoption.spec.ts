import http from 'node:http';
import express from 'express';
import {
  InMemoryRecorder,
  instrument,
  requestSpan,
  Tracer,
  traceHttpHandler,
  tracedFetch,
  tracedRequest,
  tracingMiddleware,
  type Instrumentation,
  type Span,
} from '../../lib';
import { close, isClientSpan, isServerSpan, listen, onlySpan, spansWhen } from '../helpers/middleware';

/** Never twice: the helpers adopt (or yield to) what zero-code tracing does. */
describe('helpers under instrument(): one span per request', () => {
  let recorder: InMemoryRecorder;
  let tracer: Tracer;
  let tracing: Instrumentation | null = null;
  const servers: http.Server[] = [];

  beforeEach(() => {
    recorder = new InMemoryRecorder();
    tracer = new Tracer({ serviceName: 'adopt', recorder, logger: { warn: () => undefined } });
  });
  afterEach(async () => {
    tracing?.disable();
    tracing = null;
    await Promise.all(servers.splice(0).map(close));
  });

  async function serve(handler: http.RequestListener): Promise<string> {
    const server = http.createServer(handler);
    servers.push(server);
    return listen(server);
  }

  const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
  const idOf = (span: Span | null): string | null => (span === null ? null : span.context().spanId);

  it('Express + tracingMiddleware: one server span, named by route and tagged by the middleware, errors recorded', async () => {
    tracing = instrument(tracer, { instrumentations: ['http'] });
    const tracing2 = tracingMiddleware(tracer, { tags: (req) => ({ 'tenant.id': req.headers['x-tenant'] }) });
    const app = express();
    app.use(tracing2);
    app.get('/users/:id', (_req, res) => {
      tracer.startSpan('load-user').finish();
      res.send('user');
    });
    app.get('/boom', () => {
      throw new Error('kaput');
    });
    app.use(tracing2.errorHandler);
    const base = await serve(app);

    await (await fetch(`${base}/users/7`, { headers: { 'x-tenant': 'acme' } })).text();
    await (await fetch(`${base}/boom`)).text();
    const servers = await spansWhen(recorder, 2, isServerSpan);
    await pause(20);

    expect(recorder.spans().filter(isServerSpan)).toHaveLength(2);
    const user = servers.find((s) => s.operationName === 'GET /users/:id')!;
    expect(user.tags['tenant.id']).toBe('acme');
    expect(onlySpan(recorder, 'load-user').parentSpanId).toBe(user.spanId);
    const boom = servers.find((s) => s.operationName === 'GET /boom')!;
    expect(boom.tags).toMatchObject({ error: true, 'http.status_code': 500 });
  });

  it("a helper's ignorePaths drops the span instrument() started: nothing recorded, no span active in the handler", async () => {
    tracing = instrument(tracer, { instrumentations: ['http'] });
    const seen: (string | null)[] = [];
    const app = express();
    app.use(tracingMiddleware(tracer, { ignorePaths: ['/healthz'] }));
    app.get('/healthz', async (_req, res) => {
      await pause(1);
      seen.push(idOf(tracer.activeSpan()));
      tracer.startSpan('probe').finish();
      res.send('ok');
    });
    const base = await serve(app);

    await (await fetch(`${base}/healthz`)).text();
    await spansWhen(recorder, 1);
    await pause(20);

    expect(seen).toEqual([null]);
    expect(recorder.spans().map((s) => [s.operationName, s.parentSpanId])).toEqual([['probe', undefined]]);
  });

  it("a helper's pathTemplates and operationName name the adopted span", async () => {
    tracing = instrument(tracer, { instrumentations: ['http'], pathTemplates: ['/files/*'] });
    const base = await serve(traceHttpHandler(tracer, (_req, res) => res.end('ok'), { pathTemplates: ['/files/:name'] }));
    const named = await serve(traceHttpHandler(tracer, (_req, res) => res.end('ok'), { operationName: () => 'custom' }));

    await (await fetch(`${base}/files/a.txt`)).text();
    await (await fetch(`${named}/files/b.txt`)).text();
    const spans = await spansWhen(recorder, 2);

    expect(spans.map((s) => s.operationName).sort()).toEqual(['GET /files/:name', 'custom']);
  });

  it('traceHttpHandler: the handler runs in the adopted span; a throw is recorded on it', async () => {
    tracing = instrument(tracer, { instrumentations: ['http'] });
    const seen: (string | null)[] = [];
    const base = await serve(
      traceHttpHandler(tracer, async (req) => {
        seen.push(idOf(tracer.activeSpan()), idOf(requestSpan(req)));
        await pause(1);
        throw new Error('handler failed');
      }),
    );

    const response = await fetch(`${base}/x`);
    await response.text();
    const [span] = await spansWhen(recorder, 1);
    await pause(20);

    expect(response.status).toBe(500);
    expect(recorder.spans()).toHaveLength(1);
    expect(seen).toEqual([span.spanId, span.spanId]);
    expect(span.tags).toMatchObject({ error: true, 'http.status_code': 500 });
  });

  it('a helper on a tracer of its own adopts the span too (register tracer + an app tracer)', async () => {
    tracing = instrument(tracer, { instrumentations: ['http'] });
    const appRecorder = new InMemoryRecorder();
    const appTracer = new Tracer({ serviceName: 'adopt', recorder: appRecorder });
    const app = express();
    app.use(tracingMiddleware(appTracer));
    app.get('/orders/:id', (_req, res) => {
      appTracer.startSpan('query').finish();
      res.send('order');
    });
    const base = await serve(app);

    await (await fetch(`${base}/orders/1`)).text();
    const [server] = await spansWhen(recorder, 1, isServerSpan);
    await pause(20);

    expect(server.operationName).toBe('GET /orders/:id');
    expect(appRecorder.spans().filter(isServerSpan)).toEqual([]);
    expect(onlySpan(appRecorder, 'query').parentSpanId).toBe(server.spanId);
  });

  it('tracedFetch and tracedRequest calls get one client span each, their own', async () => {
    const received: string[] = [];
    const downstream = await serve((req, res) => {
      received.push(String(req.headers.traceparent));
      res.end('{}');
    });
    tracing = instrument(tracer, { instrumentations: ['undici'] });
    const httpTracing = instrument(tracer, { instrumentations: ['http'], ignorePaths: [/.*/] });
    try {
      await tracer.startActiveSpan('job', async () => {
        await (await tracedFetch(tracer)(`${downstream}/f`)).text();
        await new Promise<void>((resolve, reject) => {
          tracedRequest(tracer)(`${downstream}/r`, (res) => res.resume().on('end', resolve))
            .on('error', reject)
            .end();
        });
      });
      const clients = await spansWhen(recorder, 2, isClientSpan);
      await pause(20);

      expect(recorder.spans().filter(isClientSpan)).toHaveLength(2);
      expect(clients.map((c) => c.tags.component).sort()).toEqual(['fetch', 'node:http']);
      expect(received).toEqual(clients.map((c) => `00-${c.traceId}-${c.spanId}-01`));
    } finally {
      httpTracing.disable();
    }
  });
});
