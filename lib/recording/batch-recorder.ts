import type { Exporter, ExportResult } from './exporter';
import { FaultLogger, isFaultLogger } from '../util/fault-logger';
import { describeError } from '../util/describe';
import { MAX_FLUSH_MILLIS, resolveBatchOptions } from './batch-options';
import type { BatchOptions, ResolvedBatchOptions } from './batch-options';
import { registerExitFlush, unregisterExitFlush } from './exit-hooks';
import type { ExitFlushable } from './exit-hooks';
import type { FinishedSpan } from './finished-span';
import type { Recorder, TracerProcess } from './recorder';
import { SpanQueue } from './span-queue';
import { MAX_TIMER_MILLIS } from '../util/timers';

/**
 * What happened to the spans a `BatchRecorder` was given, so an operator can see loss.
 * At any moment `recorded = exported + dropped + failed + unencodable + queued + exporting`.
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
  /**
   * spans the exporter left out of their batch: they could not be encoded (a value that
   * throws, ids that are not hex), or one alone was larger than a request may be
   */
  unencodable: number;
  /** export calls made (one per batch; the exporter's own retries and split requests are not counted) */
  exportRequests: number;
  /** spans waiting in the queue now */
  queued: number;
  /** spans in the export under way now */
  exporting: number;
  /** the error of the most recent failed export (or left-out span), if any */
  lastError?: string;
}

/** A duration for a message: `250 ms`, `10 s`, `1.5 s`. */
/** An export with less time than this before a waiting caller's deadline does not start. */
const MIN_EXPORT_WINDOW_MILLIS = 20;

function duration(millis: number): string {
  return millis < 1000 ? `${Math.round(millis)} ms` : `${Number((millis / 1000).toFixed(1))} s`;
}

/** A count from an ExportResult, within 0 and `max` (0 for anything that is not a count). */
function countWithin(value: unknown, max: number): number {
  return typeof value === 'number' && value > 0 ? Math.min(Math.floor(value), max) : 0;
}

/**
 * The bound on one export and on every flush: the exporter's own `timeoutMillis` when it
 * states one and it is smaller than `exportTimeoutMillis`, never more than MAX_FLUSH_MILLIS.
 */
function exportBound(exporter: Exporter, exportTimeoutMillis: number): number {
  let stated: unknown;
  try {
    stated = exporter.timeoutMillis;
  } catch {
    stated = undefined;
  }
  const fromExporter = typeof stated === 'number' && stated > 0 ? stated : Infinity;
  return Math.min(exportTimeoutMillis, fromExporter, MAX_FLUSH_MILLIS);
}

/**
 * Buffers finished spans and hands them to an exporter in batches: when `maxBatchSize`
 * spans are waiting, or `scheduledDelayMillis` after the first one was queued. One
 * export runs at a time; while it runs, spans queue up to `maxQueueSize`, and beyond
 * that new spans are dropped and counted. `record` is O(1) and never throws.
 *
 * Time is bounded: each export, and the whole of `flush()`, `close()` and the exit flush
 * (whatever the queue holds, whatever the backend does), by the exporter's
 * `timeoutMillis` (10 s for sextant's exporters) or `exportTimeoutMillis` if smaller,
 * never more than 30 s. Its own timers never keep the process alive, except while a
 * caller awaits `flush()` or `close()` (or an exit flush runs): then the process stays up
 * until the spans are delivered or the bound has passed, and spans that could not be
 * delivered are reported in one warning.
 *
 *     const recorder = new BatchRecorder(new OtlpHttpExporter({ url: 'http://127.0.0.1:4318/v1/traces' }), {
 *       scheduledDelayMillis: 1000,
 *       flushOnExit: true,
 *     });
 *     const tracer = new Tracer({ serviceName: 'checkout', recorder });
 *     // ...
 *     await tracer.close(); // flushes (10 s at most), then shuts the exporter down
 */
export class BatchRecorder implements Recorder {
  private readonly exporter: Exporter;
  private readonly options: ResolvedBatchOptions;
  private readonly queue: SpanQueue;
  /** the bound on one export and on each flush, in ms */
  private readonly boundMillis: number;
  private faults = new FaultLogger(console);
  private attachedLogger = false;

  private recordedCount = 0;
  private exportedCount = 0;
  private droppedCount = 0;
  private failedCount = 0;
  private unencodableCount = 0;
  private requestCount = 0;
  private inFlight = 0;
  private lastError: string | undefined;
  /** the kind of the most recent failure (`network`, `http-503`, `timeout`, ...) */
  private lastKind: string | undefined;
  /** spans lost (failed, abandoned) that no warning has counted yet */
  private unreported = 0;
  /** the once-per-kind warnings this recorder has given */
  private readonly warned = new Set<string>();
  /** the first failure while a caller waits: the reason its warning gives */
  private firstWaitedError: string | undefined;
  private firstWaitedKind: string | undefined;

  /** the export loop under way, or null when idle */
  private loop: Promise<void> | null = null;
  /** export even a partial batch, and keep going until the queue is empty */
  private drainRequested = false;
  /** aborts the export under way */
  private current: AbortController | null = null;
  /** when the export under way gives up on its own (epoch ms), and how it says so */
  private currentGivesUpAt = Infinity;
  private currentTimeout: ExportResult | null = null;
  /** callers waiting for a flush (flush(), close(), an exit flush): failures are summed up for them */
  private waiting = 0;
  /** the deadlines of the drains under way: no export started meanwhile runs past the earliest */
  private readonly drainDeadlines = new Set<number>();
  private timer: NodeJS.Timeout | null = null;
  private timerArmed = false;
  private batchStartScheduled = false;
  private closed = false;
  /** no export starts any more */
  private stopped = false;
  private closing: Promise<void> | null = null;
  /** when the exit flushes (beforeExit, signals) must have ended, once the first began */
  private exitDeadline: number | null = null;
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
    this.boundMillis = exportBound(exporter, this.options.exportTimeoutMillis);
    this.queue = new SpanQueue(this.options.maxQueueSize);
    if (this.options.flushOnExit) {
      this.exitHook = {
        // Spans lost before the exit, that no warning counted yet, are said at the exit too.
        hasPendingWork: () => this.hasPendingWork() || this.unreported > 0,
        flushForExit: (reason) => this.flushForExit(reason),
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
   * queue is empty or the bound (the exporter's `timeoutMillis`, else
   * `exportTimeoutMillis`; 30 s at most) has passed, whatever the queue holds. Until then
   * it keeps the process alive. Spans that could not be delivered are reported in one
   * warning. Never rejects.
   *
   *     await recorder.flush();
   *     recorder.stats().queued; // 0 unless the backend is too slow
   */
  flush(): Promise<void> {
    return this.flushWithin(Date.now() + this.boundMillis, 'flush()');
  }

  /**
   * Flushes (within the same bound as `flush()`), then shuts the exporter down and
   * releases timers and exit hooks; spans still undelivered at the bound are given up
   * and reported in one warning with their count and the reason. Later `record` calls do
   * nothing. A second call returns the same promise.
   *
   *     process.once('SIGTERM', () => {
   *       server.close();
   *       void tracer.close().finally(() => process.exit(0));
   *     });
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
      unencodable: this.unencodableCount,
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

  private hasPendingWork(): boolean {
    return this.queue.size > 0 || this.loop !== null;
  }

  /**
   * The flush of an exit hook (`reason`: `exit`, `SIGTERM`, ...): every exit flush of the
   * process shares one deadline, set by the first, so a process that ends by itself is
   * held open no longer than the bound even if `beforeExit` comes again and again.
   */
  private flushForExit(reason: string): Promise<void> {
    if (!this.hasPendingWork()) {
      this.reportUndelivered(reason, 0, false, true);
      return Promise.resolve();
    }
    const now = Date.now();
    if (this.exitDeadline === null) this.exitDeadline = now + this.boundMillis;
    if (now < this.exitDeadline) return this.flushWithin(this.exitDeadline, reason, true);
    this.reportUndelivered(reason, this.queue.size + this.inFlight, true, true);
    return Promise.resolve();
  }

  /** Drains the queue until `deadline`, then reports what could not be delivered. */
  private async flushWithin(deadline: number, label: string, exiting = false): Promise<void> {
    if (!this.hasPendingWork() || this.stopped) return;
    this.startWaiting();
    try {
      const timedOut = await this.waitForDrain(deadline);
      const pending = timedOut ? this.queue.size + this.inFlight : 0;
      if (this.unreported + pending > 0) this.reportUndelivered(label, pending, timedOut, exiting);
      else if (exiting && !this.hasPendingWork()) this.exitDeadline = null;
    } finally {
      this.waiting--;
    }
  }

  /** A caller starts waiting; the first failure from now on is the reason its warning gives. */
  private startWaiting(): void {
    if (this.waiting === 0) {
      this.firstWaitedError = undefined;
      this.firstWaitedKind = undefined;
    }
    this.waiting++;
  }

  /**
   * Resolves true at `deadline`, or false once the queue is empty. Its timer is the one
   * that keeps the process alive while a caller waits (the exports' own are unref'd).
   * Exports started meanwhile end by `deadline` too, so what a timed-out drain leaves
   * is already booked when it resolves.
   */
  private waitForDrain(deadline: number): Promise<boolean> {
    this.drainDeadlines.add(deadline);
    this.drainRequested = true;
    const loop = this.startLoop();
    return new Promise<boolean>((resolve) => {
      let settled = false;
      const settle = (timedOut: boolean): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.drainDeadlines.delete(deadline);
        resolve(timedOut);
      };
      const timer = setTimeout(
        () => {
          // The export under way ends by this deadline too: give it up now (its own timer
          // may be a millisecond behind), so its spans are booked before the drain reports.
          if (this.current !== null && this.currentTimeout !== null && this.currentGivesUpAt <= deadline) {
            this.current.abort(this.currentTimeout);
          }
          setImmediate(() => settle(true));
        },
        Math.min(Math.max(0, deadline - Date.now()), MAX_TIMER_MILLIS),
      );
      // The loop also ends, leaving spans queued, when the deadline has passed.
      const ended = (): void => settle(this.queue.size > 0);
      loop.then(ended, ended);
    });
  }

  private async closeOnce(): Promise<void> {
    this.closed = true;
    if (this.exitHook !== null) unregisterExitFlush(this.exitHook);
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerArmed = false;
    const deadline = Date.now() + this.boundMillis;
    this.startWaiting();
    try {
      await this.drainAndStop(deadline);
    } finally {
      this.waiting--;
    }
    let shutdown: Promise<void>;
    try {
      shutdown = Promise.resolve(this.exporter.shutdown());
    } catch (error) {
      shutdown = Promise.reject(error);
    }
    const reported = shutdown.catch((error: unknown) => {
      this.faults.warnOnce('exporter-shutdown', `exporter.shutdown() failed: ${describeError(error)}`);
    });
    // What is left of the bound, and no more: close() never waits past it for a shutdown.
    await withTimeout(reported, Math.max(0, deadline - Date.now()));
  }

  /** close()'s drain: until `deadline`, then the export under way is abandoned and the queue given up. */
  private async drainAndStop(deadline: number): Promise<void> {
    const timedOut = this.hasPendingWork() ? await this.waitForDrain(deadline) : false;
    this.stopped = true;
    if (this.current !== null) {
      const reason: ExportResult = {
        ok: false,
        error: `no answer from the exporter within ${duration(this.boundMillis)}`,
        kind: 'timeout',
      };
      this.current.abort(reason);
    }
    // Settles at once: an aborted export stops being waited for.
    if (this.loop !== null) await this.loop;
    const abandoned = this.queue.clear();
    this.failedCount += abandoned;
    this.unreported += abandoned;
    this.reportUndelivered('close()', 0, timedOut, false);
  }

  /**
   * One warning for the spans a flush, a close or an exit could not deliver: those lost
   * that no warning has counted yet, plus `pending` (still queued or exporting at the
   * deadline), with the reason. `close()` says it every time (it happens once); a
   * `flush()` or an exit says it once per kind of failure, so a flush called in a loop
   * against a backend that is down does not flood the logs (the count carries over).
   */
  private reportUndelivered(label: string, pending: number, timedOut: boolean, exiting: boolean): void {
    const count = this.unreported + pending;
    if (count === 0) return;
    const kind = this.firstWaitedKind ?? this.lastKind;
    const within = timedOut || kind === 'timeout' ? ` within ${duration(this.boundMillis)}` : '';
    const reason = this.firstWaitedError ?? this.lastError ?? 'the exporter did not answer in time';
    const message = `${label}: ${count} spans could not be delivered${within}: ${reason}; see tracer.stats().`;
    const key = label === 'close()' ? undefined : `undelivered-${exiting ? 'exit' : label}-${kind ?? 'timeout'}`;
    if (this.warn(key, message)) this.unreported = 0;
  }

  /**
   * Reports a failed export once per kind, with the spans lost since the last warning
   * that counted them; unless a caller is waiting: its flush sums it up for it.
   */
  private reportFailure(kind: string, error: string): void {
    if (this.waiting > 0) return;
    const message = `BatchRecorder: ${error}; ${this.unreported} spans lost. Further failures of this kind are not logged; see stats().`;
    if (this.warn(`export-${kind}`, message)) this.unreported = 0;
  }

  /** Warns once per `key` (always without one); says whether it did. */
  private warn(key: string | undefined, message: string): boolean {
    if (key !== undefined) {
      if (this.warned.has(key)) return false;
      this.warned.add(key);
    }
    this.faults.warn(message);
    return true;
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
        if (this.stopped) return;
        const size = this.queue.size;
        if (size >= this.options.maxBatchSize) this.scheduleBatchStart();
        else if (size > 0 && !this.closed) this.armTimer();
      });
    }
    return this.loop;
  }

  private async runLoop(): Promise<void> {
    const max = this.options.maxBatchSize;
    while (!this.stopped) {
      const size = this.queue.size;
      if (size === 0) {
        this.drainRequested = false;
        return;
      }
      // A caller's deadline has passed, or is too close for an export to end by it: none starts.
      if (this.drainDeadlines.size > 0 && Date.now() + this.minExportWindow() >= Math.min(...this.drainDeadlines)) return;
      if (size < max && !this.drainRequested) return;
      const batch = this.queue.take(max);
      await this.exportBatch(batch);
    }
  }

  /**
   * The least time worth starting an export in, for a caller who waits: a batch given up at
   * its bound a millisecond before the caller's deadline must not be followed by another
   * that has one millisecond to run. A tenth of the bound, at most MIN_EXPORT_WINDOW_MILLIS.
   */
  private minExportWindow(): number {
    return Math.min(MIN_EXPORT_WINDOW_MILLIS, this.boundMillis / 10);
  }

  private async exportBatch(batch: FinishedSpan[]): Promise<void> {
    this.requestCount++;
    this.inFlight = batch.length;
    const bound = this.boundMillis;
    const controller = new AbortController();
    this.current = controller;
    let timer: NodeJS.Timeout | undefined;
    const millis = Math.max(0, Math.min(bound, Math.min(...this.drainDeadlines) - Date.now()));
    const timeout: ExportResult = { ok: false, error: `export timed out after ${duration(bound)}`, kind: 'timeout' };
    this.currentGivesUpAt = Date.now() + millis;
    this.currentTimeout = timeout;
    // Settles when the export is given up: at the bound (or a waiting drain's deadline), or when close() aborts it.
    const givenUp = new Promise<ExportResult>((resolve) => {
      controller.signal.addEventListener('abort', () => resolve(controller.signal.reason as ExportResult), { once: true });
      timer = setTimeout(() => controller.abort(timeout), millis);
      // Nobody waiting for this export: it must not keep the process alive (a waiter's timer does).
      timer.unref();
    });
    let result: ExportResult;
    try {
      const exported = this.callExporter(batch, controller.signal, Date.now() + millis);
      result = await Promise.race([exported, givenUp]);
    } finally {
      clearTimeout(timer);
      this.inFlight = 0;
      this.current = null;
      this.currentTimeout = null;
    }
    this.account(batch.length, result);
  }

  /** Books an export's outcome: exported, left out as unencodable, or failed. */
  private account(size: number, result: ExportResult): void {
    const unencodable = countWithin(result.unencodable, size);
    this.unencodableCount += unencodable;
    if (result.ok) {
      this.exportedCount += size - unencodable;
      if (unencodable > 0) this.lastError = typeof result.error === 'string' ? result.error : `${unencodable} spans could not be encoded`;
      return;
    }
    const exported = countWithin(result.exported, size - unencodable);
    const failed = size - unencodable - exported;
    this.exportedCount += exported;
    this.failedCount += failed;
    this.unreported += failed;
    this.lastError = typeof result.error === 'string' ? result.error : 'export failed';
    const kind = typeof result.kind === 'string' ? result.kind : 'failed';
    this.lastKind = kind;
    if (this.waiting > 0 && this.firstWaitedError === undefined) {
      this.firstWaitedError = this.lastError;
      this.firstWaitedKind = kind;
    }
    this.reportFailure(kind, this.lastError);
  }

  /** The exporter's answer, as a promise that always resolves with a well-formed result. */
  private callExporter(batch: FinishedSpan[], signal: AbortSignal, deadline: number): Promise<ExportResult> {
    const fail = (error: unknown): ExportResult => ({
      ok: false,
      error: `exporter.export() threw or rejected: ${describeError(error)}`,
      kind: 'exporter-threw',
    });
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

/**
 * Resolves when `promise` settles or after `millis`, whichever is first; never rejects.
 * Its timer keeps the process alive: someone is waiting.
 */
function withTimeout(promise: Promise<unknown>, millis: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.min(millis, MAX_TIMER_MILLIS));
  });
  return Promise.race([promise.then(noop, noop), timeout]).finally(() => clearTimeout(timer));
}

function noop(): void {}
