/**
 * The drop-in matrix, for each web framework from npm (two majors each where two are in
 * use), every app serving the same two routes (spec/interop/fixtures/framework-apps.ts):
 * - plain column: the app with its sextant helper must give the upstream W3C context
 *   continued, one server span per request named `METHOD route`, spans started by the
 *   handler (also through opentracing.globalTracer()) nested under it, and a handler's
 *   error recorded with message and stack;
 * - zero-code column, in process (`instrument(tracer)`, what `sextant/register` turns on):
 *   the same app with its helper, and without any helper — still one server span per
 *   request (the helper adopts the zero-code span), named by the route where the helper
 *   or Express's `req.route` tells it, else by the method. drop-in-register.spec.ts runs
 *   the same apps in a child process under `node --require sextant/register`.
 */
import * as opentracing from 'opentracing';
import {
  InMemoryRecorder,
  Tracer,
  fastifyTracing,
  instrument,
  koaTracing,
  recordError,
  requestSpan,
  traceHttpHandler,
  tracingMiddleware,
  type FinishedSpan,
  type Instrumentation,
} from '../../lib';
import { isServerSpan, onlySpan, spansWhen } from '../helpers/middleware';
import { adapters as allAdapters, orderRoutes, type Adapter, type Helpers, type Running } from './fixtures/framework-apps';

// NestJS runs in drop-in-register.spec.ts's child process and in the samples' (see Adapter.inJest).
const adapters = allAdapters.filter((a) => a.inJest);

const helpers: Helpers = { tracingMiddleware, koaTracing, fastifyTracing, traceHttpHandler, recordError, requestSpan };
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER = '00f067aa0ba902b7';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** GET /orders/17 with an upstream traceparent: one server span named `name`, the handler's spans nested. */
async function expectOrderTrace(recorder: InMemoryRecorder, url: string, name: string): Promise<void> {
  const res = await fetch(`${url}/orders/17`, { headers: { traceparent: `00-${TRACE_ID}-${CALLER}-01` } });
  expect(await res.json()).toEqual({ id: '17' });
  await spansWhen(recorder, 3);
  await sleep(20);

  expect(recorder.spans().filter(isServerSpan)).toHaveLength(1);
  const server = onlySpan(recorder, name);
  expect(server).toMatchObject({ traceId: TRACE_ID, parentSpanId: CALLER });
  expect(server.tags).toMatchObject({ 'span.kind': 'server', 'http.method': 'GET', 'http.url': '/orders/17', 'http.status_code': 200 });
  const load = onlySpan(recorder, 'db.load-order');
  expect(load.parentSpanId).toBe(server.spanId);
  expect(onlySpan(recorder, 'cache.lookup').parentSpanId).toBe(load.spanId);
  expect(recorder.spans()).toHaveLength(3);
}

/** GET /orders/17/refund, which fails: a 500, and the one server span marked error (and named `name`). */
async function refundSpan(recorder: InMemoryRecorder, url: string, name: string): Promise<FinishedSpan> {
  const res = await fetch(`${url}/orders/17/refund`);
  expect(res.status).toBe(500);
  await res.arrayBuffer();
  const [server] = await spansWhen(recorder, 1, isServerSpan);
  await sleep(20);

  expect(recorder.spans()).toHaveLength(1);
  expect(server.operationName).toBe(name);
  expect(server.parentSpanId).toBeUndefined();
  expect(server.tags).toMatchObject({ error: true, 'http.status_code': 500 });
  return server;
}

/** The handler's error, recorded once: one `error` event with the message and the stack. */
function expectErrorRecorded(server: FinishedSpan): void {
  expect(server.logs.map((l) => l.fields.event)).toEqual(['error']);
  expect(server.logs[0].fields.message).toBe('refunds are closed');
  expect(String(server.logs[0].fields.stack)).toContain('refunds are closed');
}

describe.each(adapters.map((a) => [`${a.framework} ${a.version} with ${a.helper}`, a] as const))('drop-in: %s', (_label, adapter) => {
  let recorder: InMemoryRecorder;
  let tracer: Tracer;
  let running: Running | null = null;

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

  it('continues the upstream trace with one server span named by the route, handler spans nested under it', async () => {
    running = await adapter.start({ tracer, helpers, routes: orderRoutes(tracer) });
    await expectOrderTrace(recorder, running.url, 'GET /orders/:id');
  });

  it("records the handler's error on the server span and answers 500", async () => {
    running = await adapter.start({ tracer, helpers, routes: orderRoutes(tracer) });
    expectErrorRecorded(await refundSpan(recorder, running.url, 'GET /orders/:id/refund'));
  });
});

/** Both variants of every adapter: with its helper, and with none (zero-code tracing alone). */
const zeroCodeCases = adapters.flatMap((a): [string, Adapter, boolean][] => [
  [`${a.framework} ${a.version} with ${a.helper}`, a, true],
  [`${a.framework} ${a.version}, no helper`, a, false],
]);

describe('drop-in under instrument() (zero-code tracing, in process)', () => {
  const recorder = new InMemoryRecorder();
  const tracer = new Tracer({ serviceName: 'orders', recorder, logger: { warn: () => undefined } });
  let tracing: Instrumentation;
  let running: Running | null = null;

  beforeAll(() => {
    tracing = instrument(tracer, { instrumentations: ['http'] });
    opentracing.initGlobalTracer(tracer);
  });
  afterAll(() => {
    tracing.disable();
    opentracing.initGlobalTracer(new opentracing.Tracer());
  });
  beforeEach(() => recorder.clear());
  afterEach(async () => {
    if (running !== null) await running.close();
    running = null;
  });

  describe.each(zeroCodeCases)('%s', (_label, adapter, withHelper) => {
    const named = withHelper || adapter.routeNamedWithoutHelper;

    it(`one server span per request, continuing the upstream trace, named ${named ? 'by the route' : 'by the method'}, handler spans nested`, async () => {
      running = await adapter.start({ tracer, helpers: withHelper ? helpers : null, routes: orderRoutes(tracer) });
      await expectOrderTrace(recorder, running.url, named ? 'GET /orders/:id' : 'GET');
    });

    it(withHelper ? "the handler's error recorded once on the one server span" : 'a failing request marked error by its 500', async () => {
      running = await adapter.start({ tracer, helpers: withHelper ? helpers : null, routes: orderRoutes(tracer) });
      const server = await refundSpan(recorder, running.url, named ? 'GET /orders/:id/refund' : 'GET');
      // Without a helper nothing sees the error object: the 500 alone marks the span.
      if (withHelper) expectErrorRecorded(server);
      else expect(server.logs).toEqual([]);
    });
  });
});
