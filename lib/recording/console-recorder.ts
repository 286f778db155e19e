import { optionError } from '../util/option-error';
import { registerExitFlush, unregisterExitFlush } from './exit-hooks';
import type { ExitFlushable } from './exit-hooks';
import type { FinishedSpan } from './finished-span';
import type { Recorder } from './recorder';
import { renderTraceTree } from './trace-tree';

/** Options of `ConsoleRecorder`, each with a named default. */
export interface ConsoleRecorderOptions {
  /** where the text goes; default `process.stdout.write` */
  write?: (text: string) => void;
  /** how long a trace whose root is in another process waits for more spans; default 1000 ms */
  quietMillis?: number;
  /** spans held while their trace is incomplete; beyond it the oldest trace prints early; default 10000 */
  maxBufferedSpans?: number;
  /** waterfall width in characters; default 30 */
  barWidth?: number;
  /**
   * print the traces still waiting when the process ends by itself (`beforeExit`) or on
   * `SIGTERM`/`SIGINT`, then let the signal do what it would have done; default false
   * (`initTracerFromEnv` turns it on for `OTEL_TRACES_EXPORTER=console`)
   */
  flushOnExit?: boolean;
}

export const CONSOLE_RECORDER_DEFAULTS = Object.freeze({ quietMillis: 1000, maxBufferedSpans: 10_000, barWidth: 30, flushOnExit: false });

interface PendingTrace {
  spans: FinishedSpan[];
  timer: NodeJS.Timeout;
}

/**
 * Prints each finished trace as a tree with durations and a waterfall bar, as soon
 * as its root span finishes. A trace whose root lives in another process (a server
 * span continuing an upstream trace) prints once no span of it has finished for
 * `quietMillis`. Meant for development: one line per span, to stdout.
 *
 *     new Tracer({ serviceName: 'demo', recorder: new ConsoleRecorder() });
 */
export class ConsoleRecorder implements Recorder {
  private readonly write: (text: string) => void;
  private readonly quietMillis: number;
  private readonly maxBufferedSpans: number;
  private readonly barWidth: number;
  private readonly pending = new Map<string, PendingTrace>();
  private buffered = 0;
  private closed = false;
  private readonly exitHook: ExitFlushable | null = null;

  constructor(options: ConsoleRecorderOptions = {}) {
    this.write = options.write ?? ((text) => void process.stdout.write(text));
    this.quietMillis = positive(options.quietMillis, 'quietMillis', CONSOLE_RECORDER_DEFAULTS.quietMillis);
    this.maxBufferedSpans = positive(options.maxBufferedSpans, 'maxBufferedSpans', CONSOLE_RECORDER_DEFAULTS.maxBufferedSpans);
    this.barWidth = positive(options.barWidth, 'barWidth', CONSOLE_RECORDER_DEFAULTS.barWidth);
    const flushOnExit = options.flushOnExit ?? CONSOLE_RECORDER_DEFAULTS.flushOnExit;
    if (typeof flushOnExit !== 'boolean') throw optionError('ConsoleRecorderOptions.flushOnExit', 'a boolean', flushOnExit);
    if (flushOnExit) {
      // Printing is synchronous: the traces are out before the process goes on to exit.
      this.exitHook = { hasPendingWork: () => this.pending.size > 0, flushForExit: () => this.flush() };
      registerExitFlush(this.exitHook);
    }
  }

  record(span: FinishedSpan): void {
    if (this.closed) return;
    let trace = this.pending.get(span.traceId);
    if (trace === undefined) {
      const timer = setTimeout(() => this.print(span.traceId), this.quietMillis);
      timer.unref();
      trace = { spans: [], timer };
      this.pending.set(span.traceId, trace);
    } else {
      trace.timer.refresh();
    }
    trace.spans.push(span);
    this.buffered++;
    if (span.parentSpanId === undefined) {
      this.print(span.traceId);
    } else if (this.buffered > this.maxBufferedSpans) {
      const oldest = this.pending.keys().next().value;
      if (oldest !== undefined) this.print(oldest);
    }
  }

  /** Prints every trace still waiting, complete or not. */
  async flush(): Promise<void> {
    for (const traceId of [...this.pending.keys()]) this.print(traceId);
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    if (this.exitHook !== null) unregisterExitFlush(this.exitHook);
  }

  private print(traceId: string): void {
    const trace = this.pending.get(traceId);
    if (trace === undefined) return;
    clearTimeout(trace.timer);
    this.pending.delete(traceId);
    this.buffered -= trace.spans.length;
    try {
      this.write(renderTraceTree(trace.spans, { barWidth: this.barWidth }));
    } catch {
      // a closed stdout must not break the traced application
    }
  }
}

function positive(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0)) {
    throw optionError(`ConsoleRecorderOptions.${name}`, 'a positive number', value);
  }
  return value;
}
