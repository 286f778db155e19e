/**
 * express-opentracing 0.1.1 from npm, unchanged, with sextant as the global tracer: alone
 * on Express 4 (express-opentracing.spec.ts covers it alone on Express 5), and together
 * with sextant's own tracingMiddleware on both majors, where its span must join the
 * request's trace instead of starting one of its own.
 */
import http from 'node:http';
import express from 'express';
import * as opentracing from 'opentracing';
import { InMemoryRecorder, Tracer, tracingMiddleware } from '../../lib';
import { close, isServerSpan, listen, onlySpan, spansWhen } from '../helpers/middleware';

/* eslint-disable @typescript-eslint/no-require-imports */
// It ships no type declarations; this is its documented default export.
const expressOpentracing = require('express-opentracing').default as (options?: { tracer?: opentracing.Tracer }) => express.RequestHandler;
const express4 = require('express4') as typeof express;
const versionOf = (name: string): string => (require(`${name}/package.json`) as { version: string }).version;
/* eslint-enable @typescript-eslint/no-require-imports */

type TracedRequest = { span: opentracing.Span };
const TRACE = '0af7651916cd43dd8448eb211c80319c';
const UPSTREAM = 'b7ad6b7169203331';

describe.each([
  ['Express', versionOf('express4'), express4],
  ['Express', versionOf('express'), express],
])('drop-in: express-opentracing on %s %s', (_framework, _version, make) => {
  let recorder: InMemoryRecorder;
  let tracer: Tracer;
  let server: http.Server | null = null;

  beforeEach(() => {
    recorder = new InMemoryRecorder();
    tracer = new Tracer({ serviceName: 'legacy', recorder, logger: { warn: () => undefined } });
    opentracing.initGlobalTracer(tracer);
  });
  afterEach(async () => {
    opentracing.initGlobalTracer(new opentracing.Tracer());
    if (server !== null) await close(server);
    server = null;
  });

  /** The app as an express-opentracing user writes it, optionally behind sextant's middleware. */
  async function serve(withSextant: boolean): Promise<string> {
    const app = make();
    if (withSextant) app.use(tracingMiddleware(tracer));
    app.use(expressOpentracing());
    app.get('/users/:id', (req, res) => {
      const parent = (req as typeof req & TracedRequest).span;
      opentracing.globalTracer().startSpan('db.load-user', { childOf: parent }).finish();
      // Code that only knows the active span (sextant's, when its middleware is there).
      opentracing.globalTracer().startSpan('audit').finish();
      res.json({ id: req.params.id });
    });
    server = http.createServer(app);
    return listen(server);
  }

  it('alone: records its server span, continuing the upstream trace, with its child', async () => {
    const base = await serve(false);
    await (await fetch(`${base}/users/7`, { headers: { traceparent: `00-${TRACE}-${UPSTREAM}-01` } })).text();
    await spansWhen(recorder, 3);

    const packageSpan = onlySpan(recorder, '/users/:id');
    expect(packageSpan).toMatchObject({ traceId: TRACE, parentSpanId: UPSTREAM });
    expect(packageSpan.tags).toMatchObject({ 'span.kind': 'server', 'http.status_code': 200 });
    expect(onlySpan(recorder, 'db.load-user').parentSpanId).toBe(packageSpan.spanId);
    // It does not make its span active: spans started without childOf are roots of their own traces.
    expect(onlySpan(recorder, 'audit').traceId).not.toBe(TRACE);
  });

  it('behind tracingMiddleware, no upstream header: one trace, its span a child of sextant’s server span', async () => {
    const base = await serve(true);
    await (await fetch(`${base}/users/7`)).text();
    await spansWhen(recorder, 4);

    const sextantSpan = onlySpan(recorder, 'GET /users/:id');
    const packageSpan = onlySpan(recorder, '/users/:id');
    expect(sextantSpan.parentSpanId).toBeUndefined();
    // express-opentracing passes childOf: tracer.extract(...) — null here — which means "not given".
    expect(packageSpan).toMatchObject({ traceId: sextantSpan.traceId, parentSpanId: sextantSpan.spanId });
    expect(onlySpan(recorder, 'db.load-user').parentSpanId).toBe(packageSpan.spanId);
    expect(onlySpan(recorder, 'audit').parentSpanId).toBe(sextantSpan.spanId);
    expect(new Set(recorder.spans().map((s) => s.traceId)).size).toBe(1);
  });

  it('behind tracingMiddleware, with an upstream header: one trace, both server spans children of the caller', async () => {
    const base = await serve(true);
    await (await fetch(`${base}/users/7`, { headers: { traceparent: `00-${TRACE}-${UPSTREAM}-01` } })).text();
    await spansWhen(recorder, 4);

    expect(
      recorder
        .spans()
        .filter(isServerSpan)
        .map((s) => [s.operationName, s.parentSpanId]),
    ).toEqual(
      expect.arrayContaining([
        ['GET /users/:id', UPSTREAM],
        ['/users/:id', UPSTREAM],
      ]),
    );
    expect(new Set(recorder.spans().map((s) => s.traceId))).toEqual(new Set([TRACE]));
  });
});
