/**
 * sextant's `xray` and OpenTelemetry's AWSXRayPropagator (@opentelemetry/propagator-aws-xray)
 * reading each other: ids and sampling, in-process and over real HTTP on loopback.
 */
import type * as http from 'node:http';
import { ROOT_CONTEXT, TraceFlags, defaultTextMapGetter, defaultTextMapSetter, trace } from '@opentelemetry/api';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import * as opentracing from 'opentracing';
import { SpanContext, Tracer } from '../../lib';
import { getJson, sendJson, startServer } from '../helpers/interop';

/** `Tracer.extract` is typed as OpenTracing's; the context it returns is sextant's. */

const HTTP = opentracing.FORMAT_HTTP_HEADERS;
const TRACE = '5759e988bd862e3fe1be46a994272793';
const SPAN = '53995c3f42cd8ad8';

const otel = new AWSXRayPropagator();
const sextant = new Tracer({ serviceName: 'xray-interop', propagation: ['xray'] });

function writtenByOtel(traceId: string, sampled: boolean): Record<string, string> {
  const ctx = trace.setSpanContext(ROOT_CONTEXT, {
    traceId,
    spanId: SPAN,
    traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  });
  const headers: Record<string, string> = {};
  otel.inject(ctx, headers, defaultTextMapSetter);
  return headers;
}

function readByOtel(carrier: unknown): { traceId: string; spanId: string; sampled: boolean } | null {
  const span = trace.getSpanContext(otel.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter));
  return span === undefined ? null : { traceId: span.traceId, spanId: span.spanId, sampled: (span.traceFlags & TraceFlags.SAMPLED) !== 0 };
}

function writtenBySextant(context: SpanContext): Record<string, string> {
  const headers: Record<string, string> = {};
  sextant.inject(context, HTTP, headers);
  return headers;
}

describe('in-process', () => {
  test.each([true, false])('OpenTelemetry -> sextant, sampled %s: the 128-bit trace id from Root, the span id from Parent', (sampled) => {
    expect(sextant.extract(HTTP, writtenByOtel(TRACE, sampled))).toMatchObject({ traceId: TRACE, spanId: SPAN, sampled, remote: true });
  });

  test.each([true, false])('sextant -> OpenTelemetry, sampled %s', (sampled) => {
    expect(readByOtel(writtenBySextant(new SpanContext({ traceId: TRACE, spanId: SPAN, sampled })))).toEqual({
      traceId: TRACE,
      spanId: SPAN,
      sampled,
    });
  });

  test('both write the same header for the same context', () => {
    expect(writtenBySextant(new SpanContext({ traceId: TRACE, spanId: SPAN, sampled: true }))).toEqual(writtenByOtel(TRACE, true));
  });

  test('both read the fields AWS adds (Self, Lineage) and any order alike', () => {
    const header = `Self=1-67891234-12456789abcdef012345678;Sampled=1;Lineage=a87bd80c:1|68fd508a:5;Parent=${SPAN};Root=1-${TRACE.slice(0, 8)}-${TRACE.slice(8)}`;
    const carrier = { 'x-amzn-trace-id': header };
    expect(readByOtel(carrier)).toEqual({ traceId: TRACE, spanId: SPAN, sampled: true });
    expect(sextant.extract(HTTP, carrier)).toMatchObject({ traceId: TRACE, spanId: SPAN, sampled: true });
  });
});

describe('over a real HTTP hop', () => {
  test('OpenTelemetry client -> sextant server: the trace continues under the caller span', async () => {
    const server = await startServer((req: http.IncomingMessage, res: http.ServerResponse) => {
      const parent = sextant.extract(HTTP, req.headers);
      const span = sextant.startSpan('GET /sextant', { childOf: parent ?? undefined });
      span.finish();
      sendJson(res, { traceId: span.context().traceId, parentSpanId: parent?.spanId, sampled: span.context().sampled });
    });
    try {
      expect(await getJson(`${server.url}/`, writtenByOtel(TRACE, true))).toEqual({ traceId: TRACE, parentSpanId: SPAN, sampled: true });
    } finally {
      await server.close();
    }
  });

  test('sextant client -> OpenTelemetry server: the trace continues, unsampled stays unsampled', async () => {
    const server = await startServer((req: http.IncomingMessage, res: http.ServerResponse) => sendJson(res, readByOtel(req.headers)));
    try {
      const span = sextant.startSpan('GET /otel');
      const headers: Record<string, string> = {};
      sextant.inject(span, HTTP, headers);
      expect(await getJson(`${server.url}/`, headers)).toEqual({
        traceId: span.context().traceId,
        spanId: span.context().spanId,
        sampled: true,
      });
      span.finish();

      const unsampled = writtenBySextant(new SpanContext({ traceId: TRACE, spanId: SPAN, sampled: false }));
      expect(await getJson(`${server.url}/`, unsampled)).toEqual({ traceId: TRACE, spanId: SPAN, sampled: false });
    } finally {
      await server.close();
    }
  });
});
