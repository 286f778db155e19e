import type { Exporter, ExportResult } from './exporter';
import { FaultLogger, isFaultLogger } from '../util/fault-logger';
import { describeError } from '../util/describe';
import { resolveBatchOptions } from './batch-options';
import type { BatchOptions, ResolvedBatchOptions } from './batch-options';
import { registerExitFlush, unregisterExitFlush } from './exit-hooks';
import type { ExitFlushable } from './exit-hooks';
import type { FinishedSpan } from './finished-span';
import type { Recorder, TracerProcess } from './recorder';
import { SpanQueue } from './span-queue';

/**
 * What happened to the spans a `BatchRecorder` was given, so an operator can see loss.
 * At any moment `recorded = exported + dropped + failed + queued + exporting`.
 */
export interface RecorderStats {
  /** spans handed to `record()` before `close()` */
  recorded: number;
  /** spans the backend accepted */
  exported: number;
  /** spans refused because the queue was full */
  dropped: number;
  /** spans lost to a failed or timed-out export, or still queued when `close()` gave up */
  failed: number;
  /** export calls made (one per batch; the exporter's own retries are not counted) */
  exportRequests: number;
  /** spans waiting in the queue now */
  queued: number;
  /** spans in the export under way now */
  exporting: number;
  /** the error of the most recent failed export, if any */
  lastError?: string;
}

/**
 * Buffers finished spans and hands them to an exporter in batches: when `maxBatchSize`
 * spans are waiting, or `scheduledDelayMillis` after the first one was queued. One
 * export runs at a time; while it runs, spans queue up to `maxQueueSize`, and beyond
 * that new spans are dropped and counted. `record` is O(1) and never throws; timers
 * never keep the process alive.
 *
 *     const recorder = new BatchRecorder(new OtlpHttpExporter({ url: 'http://127.0.0.1:4318/v1/traces' }), {
 *       scheduledDelayMillis: 1000,
 *       flushOnExit: true,
 *     });
 *     const tracer = new Tracer({ serviceName: 'checkout', recorder });
 *     // ...
 *     await tracer.close(); // flushes, then shuts the exporter down
 */
export class BatchRecorder implements Recorder {
  private readonly exporter: Exporter;
  private readonly options: ResolvedBatchOptions;
  private readonly queue: SpanQueue;
  private faults = new FaultLogger(console);
  private attachedLogger = false;

  private recordedCount = 0;
  private exportedCount = 0;
  private droppedCount = 0;
  private failedCount = 0;
  private requestCount = 0;
  private inFlight = 0;
  private lastError: string | undefined;

  /** the export loop under way, or null when idle */
  private loop: Promise<void> | null = null;
  /** export even a partial batch, and keep going until the queue is empty */
  private drainRequested = false;
  private timer: NodeJS.Timeout | null = null;
  private timerArmed = false;
  private batchStartScheduled = false;
  private closed = false;
  private closing: Promise<void> | null = null;
  private readonly exitHook: ExitFlushable | null;

  /**
   * @param exporter where batches go, e.g. `new OtlpHttpExporter({ url })`
   * @param options see `BatchOptions`; invalid values throw a TypeError naming the option
   */
  constructor(exporter: Exporter, options?: BatchOptions) {
    if (
      exporter === null ||
      typeof exporter !== 'object' ||
      typeof exporter.export !== 'function' ||
      typeof exporter.shutdown !== 'function'
    ) {
      throw new TypeError('sextant: BatchRecorder needs an Exporter (an object with export(spans) and shutdown())');
    }
    this.exporter = exporter;
    this.options = resolveBatchOptions(options);
    this.queue = new SpanQueue(this.options.maxQueueSize);
    if (this.options.flushOnExit) {
      this.exitHook = {
        exitFlushMillis: this.options.exportTimeoutMillis,
        hasPendingWork: () => this.queue.size > 0 || this.loop !== null,
        flush: () => this.flush(),
      };
      registerExitFlush(this.exitHook);
    } else {
      this.exitHook = null;
    }
  }

  /**
   * Queues a finished span; called by the tracer. O(1), never throws, never blocks:
   * a full queue drops the span and counts it.
   */
  record(span: FinishedSpan): void {
    if (this.closed) return;
    this.recordedCount++;
    if (!this.queue.push(span)) {
      this.droppedCount++;
      if (this.droppedCount === 1) this.reportFullQueue();
      return;
    }
    const size = this.queue.size;
    if (size >= this.options.maxBatchSize) {
      if (this.loop === null) this.scheduleBatchStart();
    } else if (size === 1 && this.loop === null) {
      this.armTimer();
    }
  }

  /**
   * Exports every span queued so far (and any queued meanwhile) and resolves when the
   * queue is empty or `exportTimeoutMillis` has passed. Never rejects.
   *
   *     await recorder.flush();
   *     recorder.stats().queued; // 0 unless the backend is too slow
   */
  flush(): Promise<void> {
    if (this.queue.size === 0 && this.loop === null) return Promise.resolve();
    this.drainRequested = true;
    const loop = this.startLoop();
    return withTimeout(loop, this.options.exportTimeoutMillis);
  }

  /**
   * Flushes, shuts the exporter down and releases timers and exit hooks. Later
   * `record` calls do nothing. Resolves within about twice `exportTimeoutMillis`,
   * whatever the backend does; a second call returns the same promise.
   *
   *     process.on('SIGTERM', () => void tracer.close().then(() => process.exit(0)));
   */
  close(): Promise<void> {
    if (this.closing === null) this.closing = this.closeOnce();
    return this.closing;
  }

  /**
   * Counts of what happened to the spans recorded so far.
   *
   *     const { dropped, failed } = recorder.stats();
   *     if (dropped + failed > 0) console.warn('tracing is losing spans');
   */
  stats(): RecorderStats {
    const stats: RecorderStats = {
      recorded: this.recordedCount,
      exported: this.exportedCount,
      dropped: this.droppedCount,
      failed: this.failedCount,
      exportRequests: this.requestCount,
      queued: this.queue.size,
      exporting: this.inFlight,
    };
    if (this.lastError !== undefined) stats.lastError = this.lastError;
    return stats;
  }

  /**
   * Called by each tracer using this recorder; reports faults through the first
   * tracer's logger and tells the exporter about the process.
   */
  attach(process: TracerProcess): void {
    if (!this.attachedLogger && isFaultLogger(process?.logger)) {
      this.faults = process.logger;
      this.attachedLogger = true;
    }
    if (typeof this.exporter.attach !== 'function') return;
    try {
      this.exporter.attach(process);
    } catch (error) {
      this.faults.warnOnce('exporter-attach', `exporter.attach() threw: ${describeError(error)}`);
    }
  }

  private async closeOnce(): Promise<void> {
    this.closed = true;
    if (this.exitHook !== null) unregisterExitFlush(this.exitHook);
    await this.flush();
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerArmed = false;
    const abandoned = this.queue.clear();
    if (abandoned > 0) {
      this.failedCount += abandoned;
      this.lastError = `${abandoned} spans still queued when close() timed out`;
      this.faults.warnOnce('close-abandoned', `close(): ${this.lastError}; they were not exported.`);
    }
    let shutdown: Promise<void>;
    try {
      shutdown = Promise.resolve(this.exporter.shutdown());
    } catch (error) {
      shutdown = Promise.reject(error);
    }
    await withTimeout(
      shutdown.catch((error: unknown) => {
        this.faults.warnOnce('exporter-shutdown', `exporter.shutdown() failed: ${describeError(error)}`);
      }),
      this.options.exportTimeoutMillis,
    );
  }

  private reportFullQueue(): void {
    this.faults.warnOnce(
      'queue-full',
      `BatchRecorder queue is full (maxQueueSize ${this.options.maxQueueSize}); new spans are dropped until the exporter catches up. See stats().dropped.`,
    );
  }

  private armTimer(): void {
    if (this.timerArmed) return;
    this.timerArmed = true;
    if (this.timer === null) {
      this.timer = setTimeout(() => this.onTimer(), this.options.scheduledDelayMillis);
      this.timer.unref();
    } else {
      // Re-arms the fired timer without allocating a new one.
      this.timer.refresh();
    }
  }

  private onTimer(): void {
    this.timerArmed = false;
    if (this.queue.size === 0) return;
    this.drainRequested = true;
    void this.startLoop();
  }

  private scheduleBatchStart(): void {
    // Not synchronously: record() runs inside the application's finish() call, and
    // serialising a batch there would put the export's cost on that call. But no later
    // than a microtask: a setImmediate would wait out an application busy in one long
    // promise chain, and the queue would overflow and drop spans meanwhile.
    if (this.batchStartScheduled) return;
    this.batchStartScheduled = true;
    queueMicrotask(() => {
      this.batchStartScheduled = false;
      void this.startLoop();
    });
  }

  private startLoop(): Promise<void> {
    if (this.loop === null) {
      this.loop = this.runLoop().finally(() => {
        this.loop = null;
        const size = this.queue.size;
        if (size >= this.options.maxBatchSize) this.scheduleBatchStart();
        else if (size > 0 && !this.closed) this.armTimer();
      });
    }
    return this.loop;
  }

  private async runLoop(): Promise<void> {
    const max = this.options.maxBatchSize;
    while (true) {
      const size = this.queue.size;
      if (size === 0) {
        this.drainRequested = false;
        return;
      }
      if (size < max && !this.drainRequested) return;
      const batch = this.queue.take(max);
      await this.exportBatch(batch);
    }
  }

  private async exportBatch(batch: FinishedSpan[]): Promise<void> {
    this.requestCount++;
    this.inFlight = batch.length;
    const timeoutMillis = this.options.exportTimeoutMillis;
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<ExportResult>((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        resolve({ ok: false, error: `export timed out after ${timeoutMillis} ms` });
      }, timeoutMillis);
      timer.unref();
    });
    let result: ExportResult;
    try {
      const exported = this.callExporter(batch, controller.signal, Date.now() + timeoutMillis);
      result = await Promise.race([exported, timedOut]);
    } finally {
      clearTimeout(timer);
      this.inFlight = 0;
    }
    if (result.ok) {
      this.exportedCount += batch.length;
    } else {
      this.failedCount += batch.length;
      this.lastError = typeof result.error === 'string' ? result.error : 'export failed';
      if (this.lastError.startsWith('export timed out')) {
        this.faults.warnOnce('export-timeout', `BatchRecorder: ${this.lastError}; ${batch.length} spans lost.`);
      }
    }
  }

  /** The exporter's answer, as a promise that always resolves with a well-formed result. */
  private callExporter(batch: FinishedSpan[], signal: AbortSignal, deadline: number): Promise<ExportResult> {
    const fail = (error: unknown): ExportResult => {
      this.faults.warnOnce('exporter-threw', `exporter.export() threw or rejected: ${describeError(error)}`);
      return { ok: false, error: describeError(error) };
    };
    try {
      return Promise.resolve(this.exporter.export(batch, { signal, deadline })).then(
        (result) =>
          result !== null && typeof result === 'object' && typeof result.ok === 'boolean'
            ? result
            : fail('export() resolved with something that is not an ExportResult'),
        fail,
      );
    } catch (error) {
      return Promise.resolve(fail(error));
    }
  }
}

/** Resolves when `promise` settles or after `millis`, whichever is first; never rejects. */
function withTimeout(promise: Promise<unknown>, millis: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, millis);
    timer.unref();
  });
  return Promise.race([promise.then(noop, noop), timeout]).finally(() => clearTimeout(timer));
}

function noop(): void {}
