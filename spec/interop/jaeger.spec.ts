/**
 * sextant (propagation: ['jaeger']) and jaeger-client calling each other over real HTTP
 * on loopback: ids, sampling, the debug flag and baggage, both directions.
 */
import type * as http from 'node:http';
import * as opentracing from 'opentracing';
import { InMemoryRecorder, Tracer } from '../../lib';
import { getJson, sendJson, startServer } from '../helpers/interop';

/** `Tracer.extract` is typed as OpenTracing's; the context it returns is sextant's. */

/** The part of jaeger-client (which ships no types) that these tests use. */
interface JaegerContext extends opentracing.SpanContext {
  traceIdStr: string;
  spanIdStr: string;
  parentIdStr: string | null;
  isSampled(): boolean;
  isDebug(): boolean;
}
interface JaegerSpan extends opentracing.Span {
  context(): JaegerContext;
}
interface JaegerTracer extends opentracing.Tracer {
  startSpan(name: string, options?: opentracing.SpanOptions): JaegerSpan;
  close(callback?: () => void): void;
}
interface JaegerModule {
  Tracer: new (
    serviceName: string,
    reporter: unknown,
    sampler: unknown,
    options?: { traceId128bit?: boolean; logger?: unknown },
  ) => JaegerTracer;
  InMemoryReporter: new () => { spans: JaegerSpan[]; clear(): void };
  ConstSampler: new (decision: boolean) => unknown;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const jaeger = require('jaeger-client') as JaegerModule;

const HTTP = opentracing.FORMAT_HTTP_HEADERS;
const quiet = { info: () => undefined, error: () => undefined };
const reporter = new jaeger.InMemoryReporter();
const jaeger64 = new jaeger.Tracer('jaeger-64', reporter, new jaeger.ConstSampler(true), { logger: quiet });
const jaeger128 = new jaeger.Tracer('jaeger-128', reporter, new jaeger.ConstSampler(true), { traceId128bit: true, logger: quiet });
const recorder = new InMemoryRecorder();
const sextant = new Tracer({ serviceName: 'sextant-service', propagation: ['jaeger'], recorder });

afterEach(() => {
  reporter.clear();
  recorder.clear();
});

afterAll(async () => {
  await new Promise<void>((resolve) => jaeger64.close(resolve));
  await new Promise<void>((resolve) => jaeger128.close(resolve));
  await sextant.close();
});

/** Jaeger writes ids without leading zeros. */
const trimZeros = (id: string): string => id.replace(/^0+/, '');

interface SeenBySextant {
  traceId: string;
  parentSpanId: string | null;
  sampled: boolean;
  debug: boolean;
  baggage: Record<string, string>;
}

function sextantHandler(req: http.IncomingMessage, res: http.ServerResponse): void {
  const parent = sextant.extract(HTTP, req.headers);
  const span = sextant.startSpan('GET /sextant', { childOf: parent ?? undefined });
  span.finish();
  const seen: SeenBySextant = {
    traceId: span.context().traceId,
    parentSpanId: parent?.spanId ?? null,
    sampled: span.context().sampled,
    debug: span.context().debug,
    baggage: { ...span.context().baggage },
  };
  sendJson(res, seen);
}

interface SeenByJaeger {
  traceId: string;
  parentId: string | null;
  sampled: boolean;
  debug: boolean;
  baggage: Record<string, string | undefined>;
}

function jaegerHandler(req: http.IncomingMessage, res: http.ServerResponse): void {
  const parent = jaeger64.extract(HTTP, req.headers) as JaegerContext | null;
  const span = jaeger64.startSpan('GET /jaeger', { childOf: parent ?? undefined });
  span.finish();
  const ctx = span.context();
  const seen: SeenByJaeger = {
    traceId: ctx.traceIdStr,
    parentId: ctx.parentIdStr,
    sampled: ctx.isSampled(),
    debug: ctx.isDebug(),
    baggage: { hello: span.getBaggageItem('hello'), 'tenant-id': span.getBaggageItem('tenant-id') },
  };
  sendJson(res, seen);
}

describe('jaeger-client -> sextant', () => {
  test.each([
    ['64-bit', jaeger64],
    ['128-bit', jaeger128],
  ])('%s trace ids: one trace, the parent is the caller span, baggage arrives', async (_name, client) => {
    const server = await startServer(sextantHandler);
    try {
      const span = client.startSpan('GET /sextant');
      span.setBaggageItem('hello', 'world');
      span.setBaggageItem('tenant-id', 'a, b; c');
      const headers: Record<string, string> = {};
      client.inject(span, HTTP, headers);
      const seen = await getJson<SeenBySextant>(`${server.url}/`, headers);
      span.finish();

      const ctx = span.context();
      expect(seen.traceId).toHaveLength(32);
      expect(trimZeros(seen.traceId)).toBe(trimZeros(ctx.traceIdStr));
      expect(trimZeros(seen.parentSpanId ?? '')).toBe(trimZeros(ctx.spanIdStr));
      expect(seen).toMatchObject({ sampled: true, debug: false, baggage: { hello: 'world', 'tenant-id': 'a, b; c' } });
      expect(recorder.spans()).toEqual([expect.objectContaining({ traceId: seen.traceId, parentSpanId: seen.parentSpanId })]);
    } finally {
      await server.close();
    }
  });

  test('the debug flag set through sampling.priority reaches sextant', async () => {
    const server = await startServer(sextantHandler);
    try {
      const span = jaeger64.startSpan('GET /sextant');
      span.setTag(opentracing.Tags.SAMPLING_PRIORITY, 1);
      expect(span.context().isDebug()).toBe(true);
      const headers: Record<string, string> = {};
      jaeger64.inject(span, HTTP, headers);
      const seen = await getJson<SeenBySextant>(`${server.url}/`, headers);
      expect(seen).toMatchObject({ sampled: true, debug: true });
    } finally {
      await server.close();
    }
  });
});

describe('sextant -> jaeger-client', () => {
  test('one trace, the parent is the caller span, baggage arrives', async () => {
    const server = await startServer(jaegerHandler);
    try {
      const span = sextant.startSpan('GET /jaeger');
      span.setBaggageItem('hello', 'world');
      span.setBaggageItem('tenant-id', 'a, b; c');
      const headers: Record<string, string> = {};
      sextant.inject(span, HTTP, headers);
      const seen = await getJson<SeenByJaeger>(`${server.url}/`, headers);
      span.finish();

      expect(trimZeros(seen.traceId)).toBe(trimZeros(span.context().traceId));
      expect(trimZeros(seen.parentId ?? '')).toBe(trimZeros(span.context().spanId));
      expect(seen).toMatchObject({ sampled: true, debug: false, baggage: { hello: 'world', 'tenant-id': 'a, b; c' } });
      expect(reporter.spans).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  test('an unsampled sextant span is not sampled by jaeger-client', async () => {
    const server = await startServer(jaegerHandler);
    try {
      const upstream = sextant.extract(HTTP, { 'uber-trace-id': 'a3ce929d0e0e4736:00f067aa0ba902b7:0:0' });
      const span = sextant.startSpan('GET /jaeger', { childOf: upstream ?? undefined });
      const headers: Record<string, string> = {};
      sextant.inject(span, HTTP, headers);
      const seen = await getJson<SeenByJaeger>(`${server.url}/`, headers);
      expect(seen).toMatchObject({ traceId: 'a3ce929d0e0e4736', sampled: false });
      expect(reporter.spans).toHaveLength(0);
    } finally {
      await server.close();
    }
  });
});

describe('jaeger-client -> sextant -> jaeger-client', () => {
  test('the debug flag and baggage cross both hops, one 64-bit trace id throughout', async () => {
    const jaegerServer = await startServer(jaegerHandler);
    const relay = await startServer((req, res) => {
      const parent = sextant.extract(HTTP, req.headers);
      const span = sextant.startSpan('GET /relay', { childOf: parent ?? undefined });
      const headers: Record<string, string> = {};
      sextant.inject(span, HTTP, headers);
      getJson(`${jaegerServer.url}/`, headers).then(
        (seen) => {
          span.finish();
          sendJson(res, { seen, relaySpanId: span.context().spanId });
        },
        () => res.writeHead(502).end(),
      );
    });
    try {
      const span = jaeger64.startSpan('GET /relay');
      span.setTag(opentracing.Tags.SAMPLING_PRIORITY, 1);
      span.setBaggageItem('hello', 'world');
      const headers: Record<string, string> = {};
      jaeger64.inject(span, HTTP, headers);
      const { seen, relaySpanId } = await getJson<{ seen: SeenByJaeger; relaySpanId: string }>(`${relay.url}/`, headers);
      span.finish();
      // jaeger-client prints ids without leading zeros; sextant writes all 16 digits.
      expect(trimZeros(seen.traceId)).toBe(trimZeros(span.context().traceIdStr));
      expect(seen).toMatchObject({ debug: true, sampled: true, baggage: { hello: 'world' } });
      expect(trimZeros(seen.parentId ?? '')).toBe(trimZeros(relaySpanId));
    } finally {
      await relay.close();
      await jaegerServer.close();
    }
  });
});
