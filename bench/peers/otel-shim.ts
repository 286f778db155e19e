import * as api from '@opentelemetry/api';
import { TracerShim } from '@opentelemetry/shim-opentracing';
import * as opentracing from 'opentracing';
import { createOtelPipeline } from './otel-pipeline';
import { RESOLVED, W3_SPAN_ID, W3_TRACE_ID } from './peer';
import type { ExtractedIds, Peer, PeerHandle, PeerOptions, RoundTripCase } from './peer';

/** What the shim's spans are underneath (its SpanShim class is not exported). */
interface SpanShimLike extends opentracing.Span {
  getSpan(): api.Span;
}

/**
 * OpenTelemetry behind `@opentelemetry/shim-opentracing`: OpenTracing calls, the same
 * OpenTelemetry pipeline as `otel`. The shim has no scope API of its own: a span is
 * made active through OpenTelemetry's context API, which the shim reads for parents.
 */
export function createOtelShimPeer(options: PeerOptions = {}): PeerHandle {
  const { provider, tracer, sink, valve } = createOtelPipeline(options);
  const shim = new TracerShim(tracer);
  const activate = <T>(span: opentracing.Span, fn: () => Promise<T>): Promise<T> =>
    api.context.with(api.trace.setSpan(api.context.active(), (span as SpanShimLike).getSpan()), fn);

  const peer: Peer = {
    name: 'otel-shim',
    sink,
    rootSpan(i: number): void {
      shim.startSpan('w1.root', { tags: { component: 'bench', iteration: i } }).finish();
    },
    async nestedChain(): Promise<void> {
      const level1 = shim.startSpan('w2.level1');
      try {
        await activate(level1, async () => {
          await RESOLVED;
          const level2 = shim.startSpan('w2.level2');
          try {
            await activate(level2, async () => {
              await RESOLVED;
              const level3 = shim.startSpan('w2.level3');
              try {
                await activate(level3, async () => {
                  await RESOLVED;
                });
              } finally {
                level3.finish();
              }
            });
          } finally {
            level2.finish();
          }
        });
      } finally {
        level1.finish();
      }
    },
    nestedVia: 'active span',
    roundTrips(): RoundTripCase[] {
      const context = shim.extract(opentracing.FORMAT_HTTP_HEADERS, { traceparent: `00-${W3_TRACE_ID}-${W3_SPAN_ID}-01` });
      if (context === null) throw new Error('otel-shim: could not build the W3 context');
      return [
        {
          format: 'default',
          expected: { traceId: W3_TRACE_ID, spanId: W3_SPAN_ID, sampled: true, baggage: {} },
          once(): unknown {
            const carrier: Record<string, string> = {};
            shim.inject(context, opentracing.FORMAT_HTTP_HEADERS, carrier);
            return shim.extract(opentracing.FORMAT_HTTP_HEADERS, carrier);
          },
          idsOf(extracted: unknown): ExtractedIds | null {
            if (!(extracted instanceof opentracing.SpanContext)) return null;
            const inner = (extracted as opentracing.SpanContext & { getSpanContext(): api.SpanContext }).getSpanContext();
            return {
              traceId: extracted.toTraceId(),
              spanId: extracted.toSpanId(),
              sampled: (inner.traceFlags & api.TraceFlags.SAMPLED) === api.TraceFlags.SAMPLED,
              baggage: {},
            };
          },
        },
      ];
    },
    withActiveSpan<T>(fn: () => Promise<T>): Promise<T> {
      const span = shim.startSpan('w4.request');
      return activate(span, fn).finally(() => span.finish());
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
