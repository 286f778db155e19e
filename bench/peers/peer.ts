/**
 * What the bench needs from each tracer under test. Each peer is written against its
 * tracer's own public API; the workloads (bench/workloads/) only call these methods,
 * so every tracer runs exactly the same shape of work.
 */

export type PeerName = 'noop' | 'otel' | 'otel-shim' | 'jaeger' | 'sextant' | 'als' | 'sextant-otel';

/** A span as it reached a discarding exporter, in one shape for every tracer. */
export interface CapturedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  tags: Record<string, unknown>;
  /** ms since the epoch */
  startTime: number;
  /** ms */
  duration: number;
}

/**
 * The counting end of a discarding exporter: it drops every span after counting it,
 * and keeps a normalised copy only while `captured` is an array (during verification).
 */
export class SpanSink {
  exported = 0;
  captured: CapturedSpan[] | null = null;

  startCapture(): void {
    this.captured = [];
  }

  stopCapture(): CapturedSpan[] {
    const spans = this.captured ?? [];
    this.captured = null;
    return spans;
  }
}

/** Ids read back from an extracted context, in one shape for every tracer. */
export interface ExtractedIds {
  traceId: string;
  spanId: string;
  sampled: boolean;
  baggage: Record<string, string>;
}

/** One inject+extract format of one tracer (W3). */
export interface RoundTripCase {
  /** `default` is the tracer's default HTTP header set-up; the rest name one wire format */
  format: string;
  /** what was injected: the ids (and baggage) the extracted context must carry */
  expected: ExtractedIds;
  /** injects the fixed context into a fresh header object and extracts it back */
  once(): unknown;
  /** the ids of what `once()` returned, or null if nothing usable was extracted */
  idsOf(extracted: unknown): ExtractedIds | null;
  /** how many spans `once()` should have produced (none): a guard against hidden work */
  note?: string;
}

export interface Peer {
  readonly name: PeerName;
  /** counts spans that reached the exporter; null for tracers that record nothing (noop, als) */
  readonly sink: SpanSink | null;
  /** W1: start a root span with two tags and finish it; null when the peer cannot (als) */
  rootSpan: ((i: number) => void) | null;
  /** W2: an async chain of three nested spans, each level awaiting a resolved promise */
  nestedChain: (() => Promise<void>) | null;
  /** how W2 finds parents: the tracer's active-span mechanism, or explicit childOf when it has none */
  readonly nestedVia: 'active span' | 'explicit childOf' | 'none';
  /** W3: the inject+extract cases this tracer speaks */
  roundTrips(): RoundTripCase[];
  /** W4: runs `fn` with a span active (finished afterwards); null when the tracer has no active span */
  withActiveSpan: (<T>(fn: () => Promise<T>) => Promise<T>) | null;
  /** W4 verification: the trace id of the span active right now, as this tracer sees it */
  activeTraceId(): string | null;
  /** hands every queued span to the exporter */
  flush(): Promise<void>;
  /** releases timers and the exporter */
  close(): Promise<void>;
}

/** How a peer's exporter behaves: discard at once, or hold every export (W5). */
export interface PeerOptions {
  /** never complete an export until `release()` is called: spans stay queued */
  stalled?: boolean;
  /** queue size for the batching path (W5 needs room for every span) */
  maxQueueSize?: number;
}

/** A peer plus, in stalled mode, the call that lets its exporter finish. */
export interface PeerHandle {
  peer: Peer;
  /** completes every held export and makes later ones complete at once */
  release(): void;
}

export const RESOLVED: Promise<void> = Promise.resolve();

/** The context every W3 case injects: fixed ids so extraction can be checked. */
export const W3_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
export const W3_SPAN_ID = '00f067aa0ba902b7';
export const W3_BAGGAGE: Record<string, string> = { 'tenant.id': 'acme', 'user.plan': 'gold tier' };
