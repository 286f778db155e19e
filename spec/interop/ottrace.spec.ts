/**
 * sextant's `ottrace` and OpenTelemetry's OTTracePropagator (@opentelemetry/propagator-ot-trace)
 * reading each other: ids, sampling and baggage, in-process and over real HTTP on loopback.
 */
import type * as http from 'node:http';
import { ROOT_CONTEXT, TraceFlags, defaultTextMapGetter, defaultTextMapSetter, propagation, trace } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { OTTracePropagator } from '@opentelemetry/propagator-ot-trace';
import * as opentracing from 'opentracing';
import { SpanContext, Tracer } from '../../lib';
import { getJson, sendJson, startServer } from '../helpers/interop';

/** `Tracer.extract` is typed as OpenTracing's; the context it returns is sextant's. */

const HTTP = opentracing.FORMAT_HTTP_HEADERS;
const TRACE128 = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACE64 = '00000000000000006e0c63257de34c92';
const SPAN = '00f067aa0ba902b7';

const otel = new OTTracePropagator();
const sextant = new Tracer({ serviceName: 'ottrace-interop', propagation: ['ottrace'] });

/** An OpenTelemetry context holding a remote span context and baggage. */
function otelContext(traceId: string, sampled: boolean, baggage: Record<string, string> = {}): Context {
  const withSpan = trace.setSpanContext(ROOT_CONTEXT, {
    traceId,
    spanId: SPAN,
    traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  });
  const entries = Object.fromEntries(Object.entries(baggage).map(([k, value]) => [k, { value }]));
  return Object.keys(entries).length === 0 ? withSpan : propagation.setBaggage(withSpan, propagation.createBaggage(entries));
}

interface SeenByOtel {
  traceId: string;
  spanId: string;
  sampled: boolean;
  baggage: Record<string, string>;
}

/** What OpenTelemetry reads from a carrier, in one plain shape. */
function readByOtel(carrier: unknown): SeenByOtel | null {
  const ctx = otel.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
  const span = trace.getSpanContext(ctx);
  if (span === undefined) return null;
  const baggage = Object.fromEntries((propagation.getBaggage(ctx)?.getAllEntries() ?? []).map(([k, v]) => [k, v.value]));
  return { traceId: span.traceId, spanId: span.spanId, sampled: (span.traceFlags & TraceFlags.SAMPLED) !== 0, baggage };
}

function writtenBySextant(context: SpanContext): Record<string, string> {
  const headers: Record<string, string> = {};
  sextant.inject(context, HTTP, headers);
  return headers;
}

describe('in-process', () => {
  test('OpenTelemetry -> sextant: a 64-bit trace id, span id, sampled and baggage', () => {
    const headers: Record<string, string> = {};
    otel.inject(otelContext(TRACE64, true, { tenant: 'acme', plan: 'gold tier' }), headers, defaultTextMapSetter);
    expect(sextant.extract(HTTP, headers)).toMatchObject({
      traceId: TRACE64,
      spanId: SPAN,
      sampled: true,
      baggage: { tenant: 'acme', plan: 'gold tier' },
    });
  });

  test('OpenTelemetry -> sextant: OpenTelemetry writes the low 64 bits of a 128-bit trace id; sextant reads what it wrote', () => {
    const headers: Record<string, string> = {};
    otel.inject(otelContext(TRACE128, false), headers, defaultTextMapSetter);
    expect(headers['ot-tracer-traceid']).toBe(TRACE128.slice(16));
    // OpenTelemetry reading its own header gets the same padded id
    expect(readByOtel(headers)?.traceId).toBe(`${'0'.repeat(16)}${TRACE128.slice(16)}`);
    expect(sextant.extract(HTTP, headers)).toMatchObject({ traceId: `${'0'.repeat(16)}${TRACE128.slice(16)}`, sampled: false });
  });

  test('sextant -> OpenTelemetry: the whole 128-bit trace id, span id, sampled and baggage', () => {
    const headers = writtenBySextant(
      new SpanContext({ traceId: TRACE128, spanId: SPAN, sampled: true, baggage: { tenant: 'acme', plan: 'gold tier' } }),
    );
    expect(readByOtel(headers)).toEqual({ traceId: TRACE128, spanId: SPAN, sampled: true, baggage: { tenant: 'acme', plan: 'gold tier' } });
  });

  test('sextant -> OpenTelemetry: a 64-bit trace and an unsampled one', () => {
    expect(readByOtel(writtenBySextant(new SpanContext({ traceId: TRACE64, spanId: SPAN, sampled: false })))).toEqual({
      traceId: TRACE64,
      spanId: SPAN,
      sampled: false,
      baggage: {},
    });
  });

  test('both write the same headers for the same context', () => {
    const fromOtel: Record<string, string> = {};
    otel.inject(otelContext(TRACE64, true, { tenant: 'acme' }), fromOtel, defaultTextMapSetter);
    expect(writtenBySextant(new SpanContext({ traceId: TRACE64, spanId: SPAN, sampled: true, baggage: { tenant: 'acme' } }))).toEqual(
      fromOtel,
    );
  });
});

describe('over a real HTTP hop', () => {
  test('OpenTelemetry client -> sextant server: the trace continues, baggage arrives (keys lowercase, as HTTP sends names)', async () => {
    const server = await startServer((req: http.IncomingMessage, res: http.ServerResponse) => {
      const parent = sextant.extract(HTTP, req.headers);
      const span = sextant.startSpan('GET /sextant', { childOf: parent ?? undefined });
      span.finish();
      sendJson(res, {
        traceId: span.context().traceId,
        parentSpanId: parent?.spanId,
        sampled: span.context().sampled,
        baggage: { ...span.context().baggage },
      });
    });
    try {
      const headers: Record<string, string> = {};
      otel.inject(otelContext(TRACE64, true, { Tenant: 'acme corp' }), headers, defaultTextMapSetter);
      expect(await getJson(`${server.url}/`, headers)).toEqual({
        traceId: TRACE64,
        parentSpanId: SPAN,
        sampled: true,
        baggage: { tenant: 'acme corp' },
      });
    } finally {
      await server.close();
    }
  });

  test('sextant client -> OpenTelemetry server: the trace continues, baggage arrives', async () => {
    const server = await startServer((req: http.IncomingMessage, res: http.ServerResponse) => sendJson(res, readByOtel(req.headers)));
    try {
      const span = sextant.startSpan('GET /otel');
      span.setBaggageItem('tenant', 'acme corp');
      const headers: Record<string, string> = {};
      sextant.inject(span, HTTP, headers);
      expect(await getJson(`${server.url}/`, headers)).toEqual({
        traceId: span.context().traceId,
        spanId: span.context().spanId,
        sampled: true,
        baggage: { tenant: 'acme corp' },
      });
      span.finish();
    } finally {
      await server.close();
    }
  });
});
