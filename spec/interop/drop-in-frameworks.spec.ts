/**
 * The drop-in matrix, plain column: each web framework from npm (two majors each where
 * two are in use) with its sextant helper, serving the same two routes, must give the
 * same trace: the upstream W3C context continued, one server span per request named
 * `METHOD route`, spans started by the handler (also through opentracing.globalTracer())
 * nested under it, and a handler's error recorded with message and stack.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import Fastify4 from 'fastify4';
import Koa from 'koa';
import * as opentracing from 'opentracing';
import { InMemoryRecorder, Tracer, fastifyTracing, koaTracing, traceHttpHandler, tracingMiddleware } from '../../lib';
import { isServerSpan, onlySpan, spansWhen } from '../helpers/middleware';

/* eslint-disable @typescript-eslint/no-require-imports */
const express4 = require('express4') as typeof express;
const Koa2 = require('koa2') as typeof Koa;
const versionOf = (name: string): string => (require(`${name}/package.json`) as { version: string }).version;
/* eslint-enable @typescript-eslint/no-require-imports */

/** What every app serves, whatever the framework. */
interface Routes {
  /** GET /orders/:id — does traced work, answers JSON */
  order(id: string): Promise<{ id: string }>;
  /** GET /orders/:id/refund — fails */
  refund(id: string): Promise<never>;
}

interface Running {
  url: string;
  close(): Promise<void>;
}

interface Adapter {
  framework: string;
  version: string;
  helper: string;
  start(tracer: Tracer, routes: Routes): Promise<Running>;
}

function listenOn(server: http.Server): Promise<Running> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      }),
    );
  });
}

function expressAdapter(framework: string, version: string, make: typeof express): Adapter {
  return {
    framework,
    version,
    helper: 'tracingMiddleware',
    start: (tracer, routes) => {
      const app = make();
      const tracing = tracingMiddleware(tracer);
      app.use(tracing);
      // Express 4 does not catch a rejected handler; next(error) is the way on both majors.
      app.get('/orders/:id', (req, res, next) => void routes.order(req.params.id).then((o) => res.json(o), next));
      app.get('/orders/:id/refund', (req, _res, next) => void routes.refund(req.params.id).catch(next));
      app.use(tracing.errorHandler);
      return listenOn(http.createServer(app));
    },
  };
}

function koaAdapter(framework: string, version: string, Make: typeof Koa): Adapter {
  return {
    framework,
    version,
    helper: 'koaTracing',
    start: (tracer, routes) => {
      const app = new Make();
      app.silent = true;
      app.use(koaTracing(tracer));
      const router = new Router();
      router.get('/orders/:id', async (ctx) => void (ctx.body = await routes.order(ctx.params.id)));
      router.get('/orders/:id/refund', async (ctx) => routes.refund(ctx.params.id));
      app.use(router.routes());
      return listenOn(http.createServer(app.callback()));
    },
  };
}

function fastifyAdapter(framework: string, version: string, make: () => FastifyInstance): Adapter {
  return {
    framework,
    version,
    helper: 'fastifyTracing',
    start: async (tracer, routes) => {
      const app = make();
      await app.register(fastifyTracing(tracer));
      app.get('/orders/:id', async (request) => routes.order((request.params as { id: string }).id));
      app.get('/orders/:id/refund', async (request) => routes.refund((request.params as { id: string }).id));
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      return { url, close: () => app.close() };
    },
  };
}

const nodeHttpAdapter: Adapter = {
  framework: 'node:http',
  version: process.versions.node,
  helper: 'traceHttpHandler',
  start: (tracer, routes) => {
    const handler = traceHttpHandler(
      tracer,
      async (req, res) => {
        const [, id, refund] = /^\/orders\/([^/]+)(\/refund)?$/.exec(req.url ?? '') ?? [];
        if (id === undefined) return void res.writeHead(404).end();
        const order = refund === undefined ? await routes.order(id) : await routes.refund(id);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(order));
      },
      { pathTemplates: ['/orders/:id', '/orders/:id/refund'] },
    );
    return listenOn(http.createServer(handler));
  },
};

const adapters: Adapter[] = [
  expressAdapter('Express', versionOf('express4'), express4),
  expressAdapter('Express', versionOf('express'), express),
  koaAdapter('Koa', versionOf('koa2'), Koa2),
  koaAdapter('Koa', versionOf('koa'), Koa),
  fastifyAdapter('Fastify', versionOf('fastify4'), () => Fastify4() as unknown as FastifyInstance),
  fastifyAdapter('Fastify', versionOf('fastify'), () => Fastify()),
  nodeHttpAdapter,
];

describe.each(adapters.map((a) => [`${a.framework} ${a.version} with ${a.helper}`, a] as const))('drop-in: %s', (_label, adapter) => {
  let recorder: InMemoryRecorder;
  let tracer: Tracer;
  let running: Running | null = null;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  beforeEach(() => {
    recorder = new InMemoryRecorder();
    tracer = new Tracer({ serviceName: 'orders', recorder, logger: { warn: () => undefined } });
    opentracing.initGlobalTracer(tracer);
  });
  afterEach(async () => {
    opentracing.initGlobalTracer(new opentracing.Tracer());
    if (running !== null) await running.close();
    running = null;
  });

  const routes: Routes = {
    async order(id) {
      await sleep(1);
      await tracer.startActiveSpan('db.load-order', async () => {
        await sleep(1);
        // Library code that knows only the global tracer.
        opentracing.globalTracer().startSpan('cache.lookup').finish();
      });
      return { id };
    },
    async refund() {
      await sleep(1);
      throw new Error('refunds are closed');
    },
  };

  it('continues the upstream trace with one server span named by the route, handler spans nested under it', async () => {
    running = await adapter.start(tracer, routes);
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await fetch(`${running.url}/orders/17`, { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    expect(await res.json()).toEqual({ id: '17' });
    await spansWhen(recorder, 3);
    await sleep(20);

    expect(recorder.spans().filter(isServerSpan)).toHaveLength(1);
    const server = onlySpan(recorder, 'GET /orders/:id');
    expect(server).toMatchObject({ traceId, parentSpanId: '00f067aa0ba902b7' });
    expect(server.tags).toMatchObject({ 'span.kind': 'server', 'http.method': 'GET', 'http.url': '/orders/17', 'http.status_code': 200 });
    const load = onlySpan(recorder, 'db.load-order');
    expect(load.parentSpanId).toBe(server.spanId);
    expect(onlySpan(recorder, 'cache.lookup').parentSpanId).toBe(load.spanId);
    expect(recorder.spans()).toHaveLength(3);
  });

  it("records the handler's error on the server span and answers 500", async () => {
    running = await adapter.start(tracer, routes);
    const res = await fetch(`${running.url}/orders/17/refund`);
    expect(res.status).toBe(500);
    await res.arrayBuffer();
    const [server] = await spansWhen(recorder, 1, isServerSpan);

    expect(server.operationName).toBe('GET /orders/:id/refund');
    expect(server.parentSpanId).toBeUndefined();
    expect(server.tags).toMatchObject({ error: true, 'http.status_code': 500 });
    expect(server.logs.map((l) => l.fields.event)).toEqual(['error']);
    expect(server.logs[0].fields.message).toBe('refunds are closed');
    expect(String(server.logs[0].fields.stack)).toContain('refunds are closed');
  });
});
