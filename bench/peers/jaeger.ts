import * as opentracing from 'opentracing';
import { explicitChain } from './explicit-chain';
import { ExportValve } from './export-valve';
import { SpanSink, W3_BAGGAGE, W3_SPAN_ID, W3_TRACE_ID } from './peer';
import type { CapturedSpan, ExtractedIds, Peer, PeerHandle, PeerOptions, RoundTripCase } from './peer';

// jaeger-client ships no types; these are the parts the bench touches.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const jaeger = require('jaeger-client') as {
  Tracer: new (
    service: string,
    reporter: unknown,
    sampler: unknown,
    options: Record<string, unknown>,
  ) => opentracing.Tracer & {
    close(callback?: () => void): void;
  };
  RemoteReporter: new (sender: Sender, options: Record<string, unknown>) => { flush(callback?: () => void): void };
  ConstSampler: new (decision: boolean) => unknown;
  SpanContext: {
    withStringIds(
      traceId: string,
      spanId: string,
      parentId: string | null,
      flags: number,
      baggage?: Record<string, string>,
    ): opentracing.SpanContext;
  };
};

interface ThriftTag {
  key: string;
  vType: string;
  vStr: string;
  vDouble: number;
  vBool: boolean;
}

/** A span as jaeger-client's RemoteReporter hands it to a sender: already converted to Thrift. */
interface ThriftSpan {
  traceIdLow: Buffer;
  traceIdHigh: Buffer;
  spanId: Buffer;
  parentSpanId: Buffer;
  operationName: string;
  startTime: Buffer;
  duration: Buffer;
  tags: ThriftTag[];
}

type SenderCallback = (numSpans: number, error?: string) => void;

interface Sender {
  setProcess(process: unknown): void;
  append(span: ThriftSpan, callback?: SenderCallback): void;
  flush(callback?: SenderCallback): void;
  close(): void;
}

const SENDER_BATCH = 512;

/**
 * Stands where jaeger-client's UDPSender/HTTPSender go: buffers the Thrift spans the
 * RemoteReporter appends and drops each full batch (or, stalled, keeps them all).
 */
class DiscardingSender implements Sender {
  private buffer: ThriftSpan[] = [];

  constructor(
    private readonly sink: SpanSink,
    private readonly valve: ExportValve,
  ) {}

  setProcess(): void {}

  append(span: ThriftSpan, callback?: SenderCallback): void {
    this.buffer.push(span);
    if (this.buffer.length >= SENDER_BATCH && !this.valve.stalled) this.flush(callback);
  }

  flush(callback?: SenderCallback): void {
    this.valve.hold(() => {
      const batch = this.buffer;
      this.buffer = [];
      this.sink.exported += batch.length;
      const captured = this.sink.captured;
      if (captured !== null) for (const span of batch) captured.push(capturedThrift(span));
      if (callback) callback(batch.length);
    });
  }

  close(): void {}
}

function int64(buffer: Buffer): number {
  return Number(buffer.readBigInt64BE(0));
}

function capturedThrift(span: ThriftSpan): CapturedSpan {
  const tags: Record<string, unknown> = {};
  for (const tag of span.tags) tags[tag.key] = tag.vType === 'DOUBLE' ? tag.vDouble : tag.vType === 'BOOL' ? tag.vBool : tag.vStr;
  const parent = span.parentSpanId.toString('hex');
  return {
    traceId: span.traceIdHigh.toString('hex') + span.traceIdLow.toString('hex'),
    spanId: span.spanId.toString('hex'),
    parentSpanId: /^0*$/.test(parent) ? undefined : parent,
    name: span.operationName,
    tags,
    startTime: int64(span.startTime) / 1000,
    duration: int64(span.duration) / 1000,
  };
}

const QUIET = { info: () => undefined, error: () => undefined };

/** jaeger-client 3.19: const sampler, 128-bit trace ids, RemoteReporter feeding a discarding sender. */
export function createJaegerPeer(options: PeerOptions = {}): PeerHandle {
  const sink = new SpanSink();
  const valve = new ExportValve(options.stalled === true);
  const reporter = new jaeger.RemoteReporter(new DiscardingSender(sink, valve), { logger: QUIET });
  const tracer = new jaeger.Tracer('bench', reporter, new jaeger.ConstSampler(true), { traceId128bit: true, logger: QUIET });

  const peer: Peer = {
    name: 'jaeger',
    sink,
    rootSpan(i: number): void {
      tracer.startSpan('w1.root', { tags: { component: 'bench', iteration: i } }).finish();
    },
    nestedChain: explicitChain(tracer),
    nestedVia: 'explicit childOf',
    roundTrips(): RoundTripCase[] {
      const plain = jaeger.SpanContext.withStringIds(W3_TRACE_ID, W3_SPAN_ID, null, 1);
      const withBaggage = jaeger.SpanContext.withStringIds(W3_TRACE_ID, W3_SPAN_ID, null, 1, { ...W3_BAGGAGE });
      const headers = (format: string, context: opentracing.SpanContext, baggage: Record<string, string>): RoundTripCase => ({
        format,
        expected: { traceId: W3_TRACE_ID, spanId: W3_SPAN_ID, sampled: true, baggage },
        once(): unknown {
          const carrier: Record<string, string> = {};
          tracer.inject(context, opentracing.FORMAT_HTTP_HEADERS, carrier);
          return tracer.extract(opentracing.FORMAT_HTTP_HEADERS, carrier);
        },
        idsOf: idsOfJaeger,
      });
      return [headers('default', plain, {}), headers('jaeger', withBaggage, { ...W3_BAGGAGE })];
    },
    withActiveSpan: null,
    activeTraceId: () => null,
    flush: () => new Promise<void>((resolve) => reporter.flush(() => resolve())),
    close: () => new Promise<void>((resolve) => tracer.close(() => resolve())),
  };
  return { peer, release: () => valve.release() };
}

function idsOfJaeger(extracted: unknown): ExtractedIds | null {
  const context = extracted as (opentracing.SpanContext & { isSampled(): boolean; baggage: Record<string, string> }) | null;
  if (context === null || typeof context.toTraceId !== 'function' || context.toTraceId() === '') return null;
  return {
    traceId: context.toTraceId().padStart(32, '0'),
    spanId: context.toSpanId().padStart(16, '0'),
    sampled: context.isSampled(),
    baggage: { ...context.baggage },
  };
}
