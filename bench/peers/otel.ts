import * as api from '@opentelemetry/api';
import { W3CBaggagePropagator, W3CTraceContextPropagator, CompositePropagator } from '@opentelemetry/core';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import { JaegerPropagator } from '@opentelemetry/propagator-jaeger';
import { OTTracePropagator } from '@opentelemetry/propagator-ot-trace';
import { createOtelPipeline } from './otel-pipeline';
import { W3_BAGGAGE, W3_SPAN_ID, W3_TRACE_ID } from './peer';
import type { ExtractedIds, Peer, PeerHandle, PeerOptions, RoundTripCase } from './peer';
import { otelApiCalls } from './otel-api-calls';

/** OpenTelemetry through its own API (`@opentelemetry/api`). */
export function createOtelPeer(options: PeerOptions = {}): PeerHandle {
  const { provider, tracer, sink, valve } = createOtelPipeline(options);

  const peer: Peer = {
    name: 'otel',
    sink,
    ...otelApiCalls(tracer),
    nestedVia: 'active span',
    roundTrips: otelRoundTrips,
    withActiveSpan<T>(fn: () => Promise<T>): Promise<T> {
      return tracer.startActiveSpan('w4.request', async (span) => {
        try {
          return await fn();
        } finally {
          span.end();
        }
      });
    },
    activeTraceId(): string | null {
      const span = api.trace.getActiveSpan();
      return span === undefined ? null : span.spanContext().traceId;
    },
    flush: () => provider.forceFlush(),
    close: () => provider.shutdown(),
  };
  return { peer, release: () => valve.release() };
}

function otelRoundTrips(): RoundTripCase[] {
  const spanContext: api.SpanContext = { traceId: W3_TRACE_ID, spanId: W3_SPAN_ID, traceFlags: api.TraceFlags.SAMPLED };
  const plain = api.trace.setSpanContext(api.ROOT_CONTEXT, spanContext);
  const entries: Record<string, api.BaggageEntry> = {};
  for (const key of Object.keys(W3_BAGGAGE)) entries[key] = { value: W3_BAGGAGE[key] };
  const withBaggage = api.propagation.setBaggage(plain, api.propagation.createBaggage(entries));

  const expected = (baggage: Record<string, string>): ExtractedIds => ({
    traceId: W3_TRACE_ID,
    spanId: W3_SPAN_ID,
    sampled: true,
    baggage,
  });
  const direct = (
    format: string,
    propagator: api.TextMapPropagator,
    context: api.Context,
    baggage: Record<string, string>,
  ): RoundTripCase => ({
    format,
    expected: expected(baggage),
    once(): unknown {
      const carrier: Record<string, string> = {};
      propagator.inject(context, carrier, api.defaultTextMapSetter);
      return propagator.extract(api.ROOT_CONTEXT, carrier, api.defaultTextMapGetter);
    },
    idsOf: idsOfOtel,
  });
  const w3c = new W3CTraceContextPropagator();
  return [
    {
      // The global propagator NodeTracerProvider.register() installs: W3C trace context + baggage.
      format: 'default',
      expected: expected({}),
      once(): unknown {
        const carrier: Record<string, string> = {};
        api.propagation.inject(plain, carrier);
        return api.propagation.extract(api.ROOT_CONTEXT, carrier);
      },
      idsOf: idsOfOtel,
    },
    direct('tracecontext', w3c, plain, {}),
    direct('tracecontext+baggage', new CompositePropagator({ propagators: [w3c, new W3CBaggagePropagator()] }), withBaggage, {
      ...W3_BAGGAGE,
    }),
    direct('b3', new B3Propagator({ injectEncoding: B3InjectEncoding.SINGLE_HEADER }), plain, {}),
    direct('b3multi', new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER }), plain, {}),
    direct('jaeger', new JaegerPropagator(), withBaggage, { ...W3_BAGGAGE }),
    {
      // OTTracePropagator writes the low 64 bits of the trace id, and reads them back padded
      ...direct('ottrace', new OTTracePropagator(), withBaggage, { ...W3_BAGGAGE }),
      expected: { ...expected({ ...W3_BAGGAGE }), traceId: W3_TRACE_ID.slice(16).padStart(32, '0') },
    },
    direct('xray', new AWSXRayPropagator(), plain, {}),
  ];
}

function idsOfOtel(extracted: unknown): ExtractedIds | null {
  const context = extracted as api.Context;
  const spanContext = api.trace.getSpanContext(context);
  if (spanContext === undefined || !api.isSpanContextValid(spanContext)) return null;
  const baggage: Record<string, string> = {};
  for (const [key, entry] of api.propagation.getBaggage(context)?.getAllEntries() ?? []) baggage[key] = entry.value;
  return {
    traceId: spanContext.traceId,
    spanId: spanContext.spanId,
    sampled: (spanContext.traceFlags & api.TraceFlags.SAMPLED) === api.TraceFlags.SAMPLED,
    baggage,
  };
}
