/**
 * sextant and the OpenTelemetry JS SDK (2.x, W3C trace context and baggage propagators)
 * calling each other over real HTTP on loopback.
 */
import type * as http from 'node:http';
import { ROOT_CONTEXT, SpanKind, TraceFlags, defaultTextMapGetter, defaultTextMapSetter, propagation, trace } from '@opentelemetry/api';
import { CompositePropagator, TraceState, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import * as opentracing from 'opentracing';
import { InMemoryRecorder, Tracer } from '../../lib';
import { getJson, sendJson, startServer } from '../helpers/interop';

/** `Tracer.extract` is typed as OpenTracing's; the context it returns is sextant's. */

const HTTP = opentracing.FORMAT_HTTP_HEADERS;

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const otel = provider.getTracer('interop');
const otelPropagator = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });

const recorder = new InMemoryRecorder();
const sextant = new Tracer({ serviceName: 'sextant-service', recorder });

afterEach(() => {
  exporter.reset();
  recorder.clear();
});

afterAll(async () => {
  await provider.shutdown();
  await sextant.close();
});

interface SeenBySextant {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  sampled: boolean;
  baggage: Record<string, string>;
  traceparentOut: string;
  tracestateOut?: string;
}

/** A sextant-traced server: continues the caller's trace and reports what it saw. */
function sextantHandler(req: http.IncomingMessage, res: http.ServerResponse): void {
  const parent = sextant.extract(HTTP, req.headers);
  const span = sextant.startSpan('GET /sextant', { childOf: parent ?? undefined });
  const outgoing: Record<string, string> = {};
  sextant.inject(span, HTTP, outgoing);
  span.finish();
  const seen: SeenBySextant = {
    traceId: span.context().traceId,
    spanId: span.context().spanId,
    parentSpanId: parent?.spanId ?? null,
    sampled: span.context().sampled,
    baggage: { ...span.context().baggage },
    traceparentOut: outgoing.traceparent,
    tracestateOut: outgoing.tracestate,
  };
  sendJson(res, seen);
}

/** An OpenTelemetry-traced server: continues the caller's trace and reports what it saw. */
function otelHandler(req: http.IncomingMessage, res: http.ServerResponse): void {
  const ctx = otelPropagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
  const span = otel.startSpan('GET /otel', { kind: SpanKind.SERVER }, ctx);
  const baggage = Object.fromEntries((propagation.getBaggage(ctx)?.getAllEntries() ?? []).map(([k, v]) => [k, v.value]));
  const recording = span.isRecording();
  span.end();
  sendJson(res, { spanContext: span.spanContext(), baggage, recording });
}

describe('OpenTelemetry client -> sextant server', () => {
  test('one trace id end to end, the parent is the caller span, baggage arrives', async () => {
    const server = await startServer(sextantHandler);
    try {
      const client = otel.startSpan('GET /sextant', { kind: SpanKind.CLIENT });
      let ctx = trace.setSpan(ROOT_CONTEXT, client);
      ctx = propagation.setBaggage(ctx, propagation.createBaggage({ hello: { value: 'world' }, 'user id': { value: 'Amélie, ça va' } }));
      const headers: Record<string, string> = {};
      otelPropagator.inject(ctx, headers, defaultTextMapSetter);
      const seen = await getJson<SeenBySextant>(`${server.url}/`, headers);
      client.end();

      const { traceId, spanId } = client.spanContext();
      expect(seen).toMatchObject({ traceId, parentSpanId: spanId, sampled: true, baggage: { hello: 'world', 'user id': 'Amélie, ça va' } });
      expect(seen.spanId).not.toBe(spanId);
      expect(recorder.spans()).toEqual([expect.objectContaining({ traceId, parentSpanId: spanId, operationName: 'GET /sextant' })]);
    } finally {
      await server.close();
    }
  });

  test("an unsampled OpenTelemetry trace stays unsampled in sextant, and OpenTelemetry's tracestate is passed on", async () => {
    const server = await startServer(sextantHandler);
    try {
      const parentContext = trace.setSpanContext(ROOT_CONTEXT, {
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
        traceFlags: TraceFlags.NONE,
        traceState: new TraceState('vendor=opaque,other=1'),
        isRemote: true,
      });
      const client = otel.startSpan('GET /sextant', { kind: SpanKind.CLIENT }, parentContext);
      const headers: Record<string, string> = {};
      otelPropagator.inject(trace.setSpan(ROOT_CONTEXT, client), headers, defaultTextMapSetter);
      const seen = await getJson<SeenBySextant>(`${server.url}/`, headers);
      client.end();
      expect(seen).toMatchObject({
        traceId: '0af7651916cd43dd8448eb211c80319c',
        parentSpanId: client.spanContext().spanId,
        sampled: false,
      });
      expect(seen.traceparentOut).toMatch(/-00$/);
      expect(seen.tracestateOut).toBe('vendor=opaque,other=1');
      expect(recorder.spans()).toHaveLength(0);
    } finally {
      await server.close();
    }
  });
});

describe('sextant client -> OpenTelemetry server', () => {
  test('one trace id end to end, the parent is the caller span, baggage arrives', async () => {
    const server = await startServer(otelHandler);
    try {
      const client = sextant.startSpan('GET /otel', { tags: { 'span.kind': 'client' } });
      client.setBaggageItem('hello', 'world');
      client.setBaggageItem('tenant id', 'ACME; Inc.');
      const headers: Record<string, string> = {};
      sextant.inject(client, HTTP, headers);
      const seen = await getJson<{ spanContext: { traceId: string; spanId: string }; baggage: Record<string, string>; recording: boolean }>(
        `${server.url}/`,
        headers,
      );
      client.finish();

      expect(seen.spanContext.traceId).toBe(client.context().traceId);
      expect(seen.baggage).toEqual({ hello: 'world', 'tenant id': 'ACME; Inc.' });
      expect(seen.recording).toBe(true);
      const [serverSpan] = exporter.getFinishedSpans();
      expect(serverSpan.spanContext().traceId).toBe(client.context().traceId);
      expect(serverSpan.parentSpanContext?.spanId).toBe(client.context().spanId);
      expect(serverSpan.parentSpanContext?.isRemote).toBe(true);
    } finally {
      await server.close();
    }
  });

  test('an unsampled sextant trace is not recorded by OpenTelemetry', async () => {
    const server = await startServer(otelHandler);
    try {
      const upstream = sextant.extract(HTTP, { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00' });
      const client = sextant.startSpan('GET /otel', { childOf: upstream ?? undefined });
      const headers: Record<string, string> = {};
      sextant.inject(client, HTTP, headers);
      const seen = await getJson<{ spanContext: { traceId: string; traceFlags: number }; recording: boolean }>(`${server.url}/`, headers);
      expect(seen.spanContext.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
      expect(seen.recording).toBe(false);
      expect(exporter.getFinishedSpans()).toHaveLength(0);
    } finally {
      await server.close();
    }
  });
});

describe('OpenTelemetry -> sextant -> OpenTelemetry', () => {
  test('the trace, its baggage and tracestate cross both hops', async () => {
    const otelServer = await startServer(otelHandler);
    const sextantServer = await startServer((req, res) => {
      const parent = sextant.extract(HTTP, req.headers);
      const span = sextant.startSpan('GET /relay', { childOf: parent ?? undefined });
      const headers: Record<string, string> = {};
      sextant.inject(span, HTTP, headers);
      getJson(`${otelServer.url}/`, headers).then(
        (seen) => {
          span.finish();
          sendJson(res, { seen, relaySpanId: span.context().spanId });
        },
        () => res.writeHead(502).end(),
      );
    });
    try {
      const parentContext = trace.setSpanContext(ROOT_CONTEXT, {
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
        traceFlags: TraceFlags.SAMPLED,
        traceState: new TraceState('congo=t61rcWkgMzE'),
        isRemote: true,
      });
      const client = otel.startSpan('GET /relay', { kind: SpanKind.CLIENT }, parentContext);
      const ctx = propagation.setBaggage(trace.setSpan(ROOT_CONTEXT, client), propagation.createBaggage({ hello: { value: 'world' } }));
      const headers: Record<string, string> = {};
      otelPropagator.inject(ctx, headers, defaultTextMapSetter);
      const { seen, relaySpanId } = await getJson<{ seen: { baggage: Record<string, string> }; relaySpanId: string }>(
        `${sextantServer.url}/`,
        headers,
      );
      client.end();

      expect(seen.baggage).toEqual({ hello: 'world' });
      const last = exporter.getFinishedSpans().find((s) => s.name === 'GET /otel');
      expect(last?.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
      expect(last?.parentSpanContext?.spanId).toBe(relaySpanId);
      expect(last?.spanContext().traceState?.serialize()).toBe('congo=t61rcWkgMzE');
      const relay = recorder.spans().find((s) => s.operationName === 'GET /relay');
      expect(relay?.parentSpanId).toBe(client.spanContext().spanId);
    } finally {
      await sextantServer.close();
      await otelServer.close();
    }
  });
});
