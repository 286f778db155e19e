import http from 'node:http';
import express from 'express';
import { InMemoryRecorder, Tracer, traceHttpHandler, tracedFetch, tracedRequest, tracingMiddleware, type FinishedSpan } from '../../lib';
import { close, listen, spansWhen } from '../helpers/middleware';

const quiet = { warn: () => undefined };

describe('server -> client -> downstream server', () => {
  const recorder = new InMemoryRecorder();
  const frontend = new Tracer({ serviceName: 'frontend', recorder, logger: quiet });
  const users = new Tracer({ serviceName: 'users', recorder, logger: quiet });
  let frontendServer: http.Server;
  let usersServer: http.Server;
  let frontendBase: string;

  beforeAll(async () => {
    usersServer = http.createServer(
      traceHttpHandler(
        users,
        async (req, res) => {
          await users.startActiveSpan('db.query', async () => new Promise((resolve) => setTimeout(resolve, 2)));
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ id: req.url!.split('/')[2], name: 'Ada' }));
        },
        { pathTemplates: ['/users/:id'] },
      ),
    );
    const usersBase = await listen(usersServer);

    const fetch = tracedFetch(frontend);
    const request = tracedRequest(frontend);
    const app = express();
    app.use(tracingMiddleware(frontend));
    app.get('/profile/:id', async (req, res) => {
      const viaFetch = (await (await fetch(`${usersBase}/users/${req.params.id}`)).json()) as { name: string };
      const viaRequest = await new Promise<string>((resolve, reject) => {
        request(`${usersBase}/users/${req.params.id}`, (r) => {
          let body = '';
          r.setEncoding('utf8');
          r.on('data', (c: string) => (body += c));
          r.on('end', () => resolve(body));
        })
          .on('error', reject)
          .end();
      });
      res.json({ fetch: viaFetch.name, request: (JSON.parse(viaRequest) as { name: string }).name });
    });
    frontendServer = http.createServer(app);
    frontendBase = await listen(frontendServer);
  });
  afterAll(async () => {
    await close(frontendServer);
    await close(usersServer);
  });
  beforeEach(() => recorder.clear());

  function childrenOf(spans: FinishedSpan[], parent: FinishedSpan): FinishedSpan[] {
    return spans.filter((s) => s.parentSpanId === parent.spanId);
  }

  it('puts both services into one trace, client spans between the server spans', async () => {
    const res = await fetch(`${frontendBase}/profile/42`);
    expect(await res.json()).toEqual({ fetch: 'Ada', request: 'Ada' });
    const spans = await spansWhen(recorder, 7);

    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    const root = spans.find((s) => s.parentSpanId === undefined)!;
    expect(root).toMatchObject({ operationName: 'GET /profile/:id', serviceName: 'frontend' });
    const clients = childrenOf(spans, root);
    expect(clients.map((c) => [c.serviceName, c.tags['span.kind'], c.tags.component]).sort()).toEqual([
      ['frontend', 'client', 'fetch'],
      ['frontend', 'client', 'node:http'],
    ]);
    for (const client of clients) {
      const [downstream] = childrenOf(spans, client);
      expect(downstream).toMatchObject({ operationName: 'GET /users/:id', serviceName: 'users' });
      expect(downstream.tags['span.kind']).toBe('server');
      expect(childrenOf(spans, downstream).map((s) => s.operationName)).toEqual(['db.query']);
    }
  });

  it('keeps concurrent end-to-end requests in separate, complete traces', async () => {
    const count = 15;
    await Promise.all(Array.from({ length: count }, (_, n) => fetch(`${frontendBase}/profile/${n}`).then((r) => r.json())));
    const spans = await spansWhen(recorder, count * 7);

    const traces = new Map<string, FinishedSpan[]>();
    for (const span of spans) traces.set(span.traceId, [...(traces.get(span.traceId) ?? []), span]);
    expect(traces.size).toBe(count);
    for (const trace of traces.values()) {
      expect(trace).toHaveLength(7);
      const root = trace.find((s) => s.parentSpanId === undefined)!;
      const id = String(root.tags['http.url']).split('/')[2];
      const downstream = trace.filter((s) => s.serviceName === 'users' && s.tags['span.kind'] === 'server');
      expect(downstream.map((s) => s.tags['http.url'])).toEqual([`/users/${id}`, `/users/${id}`]);
      // Every span's parent is in the same trace.
      const ids = new Set(trace.map((s) => s.spanId));
      expect(trace.every((s) => s === root || ids.has(s.parentSpanId!))).toBe(true);
    }
  });
});
