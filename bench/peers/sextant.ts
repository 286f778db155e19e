import * as opentracing from 'opentracing';
import { BatchRecorder, SpanContext, Tracer } from '../../lib';
import type { Exporter, ExportResult, FinishedSpan, PropagationName } from '../../lib';
import { ExportValve } from './export-valve';
import { RESOLVED, SpanSink, W3_BAGGAGE, W3_SPAN_ID, W3_TRACE_ID } from './peer';
import type { ExtractedIds, Peer, PeerHandle, PeerOptions, RoundTripCase } from './peer';

const OK: ExportResult = Object.freeze({ ok: true });
const OK_NOW: Promise<ExportResult> = Promise.resolve(OK);

/** A sextant Exporter that counts spans and throws them away (or holds them, stalled). */
export function discardingExporter(sink: SpanSink, valve: ExportValve): Exporter {
  return {
    export(spans: FinishedSpan[]): Promise<ExportResult> {
      sink.exported += spans.length;
      if (sink.captured !== null) for (const span of spans) sink.captured.push(captured(span));
      if (!valve.stalled) return OK_NOW;
      return new Promise<ExportResult>((resolve) => valve.hold(() => resolve(OK)));
    },
    shutdown: () => RESOLVED,
  };
}

function captured(span: FinishedSpan) {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    name: span.operationName,
    tags: { ...span.tags },
    startTime: span.startTime,
    duration: span.duration,
  };
}

/** The BatchRecorder every sextant peer records through: OpenTelemetry's batch sizes, a discarding exporter. */
export function benchRecorder(sink: SpanSink, valve: ExportValve, options: PeerOptions): BatchRecorder {
  return new BatchRecorder(discardingExporter(sink, valve), {
    maxQueueSize: options.maxQueueSize ?? 2048,
    maxBatchSize: 512,
    scheduledDelayMillis: 5000,
    exportTimeoutMillis: 30000,
  });
}

/** sextant: `Tracer` + `BatchRecorder` (default options) + a discarding exporter. */
export function createSextantPeer(options: PeerOptions = {}): PeerHandle {
  const sink = new SpanSink();
  const valve = new ExportValve(options.stalled === true);
  const recorder = benchRecorder(sink, valve, options);
  const tracer = new Tracer({ serviceName: 'bench', recorder });
  // Formats only: these tracers never record a span.
  const propagating = (names: PropagationName[]) => new Tracer({ serviceName: 'bench', propagation: names });

  const peer: Peer = {
    name: 'sextant',
    sink,
    rootSpan(i: number): void {
      tracer.startSpan('w1.root', { tags: { component: 'bench', iteration: i } }).finish();
    },
    nestedChain(): Promise<void> {
      return tracer.startActiveSpan('w2.level1', async () => {
        await RESOLVED;
        await tracer.startActiveSpan('w2.level2', async () => {
          await RESOLVED;
          await tracer.startActiveSpan('w2.level3', async () => {
            await RESOLVED;
          });
        });
      });
    },
    nestedVia: 'active span',
    roundTrips(): RoundTripCase[] {
      const plain = new SpanContext({ traceId: W3_TRACE_ID, spanId: W3_SPAN_ID, sampled: true });
      const withBaggage = new SpanContext({ traceId: W3_TRACE_ID, spanId: W3_SPAN_ID, sampled: true, baggage: { ...W3_BAGGAGE } });
      const headers = (name: string, t: Tracer, context: SpanContext, baggage: Record<string, string>): RoundTripCase => ({
        format: name,
        expected: { traceId: W3_TRACE_ID, spanId: W3_SPAN_ID, sampled: true, baggage },
        once(): unknown {
          const carrier: Record<string, string> = {};
          t.inject(context, opentracing.FORMAT_HTTP_HEADERS, carrier);
          return t.extract(opentracing.FORMAT_HTTP_HEADERS, carrier);
        },
        idsOf: idsOfSextant,
      });
      const binaryTracer = propagating(['tracecontext']);
      return [
        headers('default', propagating(['tracecontext', 'baggage']), plain, {}),
        headers('tracecontext', propagating(['tracecontext']), plain, {}),
        headers('tracecontext+baggage', propagating(['tracecontext', 'baggage']), withBaggage, { ...W3_BAGGAGE }),
        headers('b3', propagating(['b3']), plain, {}),
        headers('b3multi', propagating(['b3multi']), plain, {}),
        headers('jaeger', propagating(['jaeger']), withBaggage, { ...W3_BAGGAGE }),
        headers('ottrace', propagating(['ottrace']), withBaggage, { ...W3_BAGGAGE }),
        headers('xray', propagating(['xray']), plain, {}),
        {
          format: 'binary',
          expected: { traceId: W3_TRACE_ID, spanId: W3_SPAN_ID, sampled: true, baggage: { ...W3_BAGGAGE } },
          once(): unknown {
            const carrier = new opentracing.BinaryCarrier([]);
            binaryTracer.inject(withBaggage, opentracing.FORMAT_BINARY, carrier);
            return binaryTracer.extract(opentracing.FORMAT_BINARY, carrier);
          },
          idsOf: idsOfSextant,
        },
      ];
    },
    withActiveSpan<T>(fn: () => Promise<T>): Promise<T> {
      return tracer.startActiveSpan('w4.request', () => fn());
    },
    activeTraceId(): string | null {
      const span = tracer.activeSpan();
      return span === null ? null : span.context().traceId;
    },
    flush: () => tracer.flush(),
    close: () => tracer.close(),
  };
  return { peer, release: () => valve.release() };
}

function idsOfSextant(extracted: unknown): ExtractedIds | null {
  if (!(extracted instanceof SpanContext)) return null;
  return { traceId: extracted.traceId, spanId: extracted.spanId, sampled: extracted.sampled, baggage: { ...extracted.baggage } };
}
