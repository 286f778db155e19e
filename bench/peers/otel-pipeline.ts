import * as api from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  CompositePropagator,
  ExportResultCode,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
  hrTimeToMilliseconds,
} from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ExportValve } from './export-valve';
import { SpanSink } from './peer';
import type { CapturedSpan, PeerOptions } from './peer';

const SUCCESS: ExportResult = Object.freeze({ code: ExportResultCode.SUCCESS });

let globalsRegistered = false;

/**
 * What `NodeTracerProvider.register()` sets up: the AsyncLocalStorage context manager
 * and the W3C trace-context + baggage propagators, as the process-wide globals.
 */
export function registerOtelGlobals(): void {
  if (globalsRegistered) return;
  globalsRegistered = true;
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  api.propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
}

/** Undoes `registerOtelGlobals` (for tests that share a process). */
export function unregisterOtelGlobals(): void {
  if (!globalsRegistered) return;
  globalsRegistered = false;
  api.context.disable();
  api.propagation.disable();
}

/** An OpenTelemetry SpanExporter that counts spans and throws them away (or holds them, stalled). */
export class DiscardingSpanExporter implements SpanExporter {
  constructor(
    private readonly sink: SpanSink,
    private readonly valve: ExportValve,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.sink.exported += spans.length;
    const captured = this.sink.captured;
    if (captured !== null) for (const span of spans) captured.push(capturedOtel(span));
    if (!this.valve.stalled) resultCallback(SUCCESS);
    else this.valve.hold(() => resultCallback(SUCCESS));
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

function capturedOtel(span: ReadableSpan): CapturedSpan {
  const startTime = hrTimeToMilliseconds(span.startTime);
  return {
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    name: span.name,
    tags: { ...span.attributes },
    startTime,
    duration: hrTimeToMilliseconds(span.endTime) - startTime,
  };
}

export interface OtelPipeline {
  provider: BasicTracerProvider;
  tracer: api.Tracer;
  sink: SpanSink;
  valve: ExportValve;
}

/**
 * OpenTelemetry's recommended set-up: BasicTracerProvider + BatchSpanProcessor (its
 * defaults: batches of 512, 5 s delay, 30 s export timeout) + a discarding exporter,
 * with the AsyncLocalStorage context manager registered globally.
 */
export function createOtelPipeline(options: PeerOptions = {}): OtelPipeline {
  registerOtelGlobals();
  const sink = new SpanSink();
  const valve = new ExportValve(options.stalled === true);
  const processor = new BatchSpanProcessor(new DiscardingSpanExporter(sink, valve), {
    maxQueueSize: options.maxQueueSize ?? 2048,
    maxExportBatchSize: 512,
    scheduledDelayMillis: 5000,
    exportTimeoutMillis: 30000,
  });
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  return { provider, tracer: provider.getTracer('bench'), sink, valve };
}
