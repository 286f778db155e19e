import { optionError } from '../util/option-error';
import { MAX_TIMER_MILLIS } from '../util/timers';

/** Options of `BatchRecorder`. Every one has a named default in `BATCH_RECORDER_DEFAULTS`. */
export interface BatchOptions {
  /** spans held while waiting for export; beyond it new spans are dropped and counted. Default 2048 */
  maxQueueSize?: number;
  /** spans per export call; a full batch starts an export at once. Default 512 (or maxQueueSize if smaller) */
  maxBatchSize?: number;
  /** longest wait, in ms, between a span being queued and its export starting. Default 5000 */
  scheduledDelayMillis?: number;
  /**
   * bound, in ms, on one export call (retries included) and on the whole of `flush()`,
   * `close()` and the exit flush, whatever the queue holds. An exporter that states its
   * own `timeoutMillis` (sextant's do) bounds them by that when it is smaller. Never more
   * than `MAX_FLUSH_MILLIS` (30 s). Default 30000
   */
  exportTimeoutMillis?: number;
  /**
   * flush on `beforeExit`, `SIGTERM` and `SIGINT` (holding the process open no longer
   * than the bound above), then let the signal do what it would have done. Default false
   */
  flushOnExit?: boolean;
}

/** The defaults of `BatchOptions` (the same as OpenTelemetry's BatchSpanProcessor). */
export const BATCH_RECORDER_DEFAULTS = Object.freeze({
  maxQueueSize: 2048,
  maxBatchSize: 512,
  scheduledDelayMillis: 5000,
  exportTimeoutMillis: 30000,
  flushOnExit: false,
});

/**
 * No export, `flush()`, `close()` or exit flush waits longer than this, whatever the
 * timeouts say: a timeout of 0 ("no limit" in the OTel environment variables) included,
 * so a shutdown always fits a Kubernetes grace period (30 s by default).
 */
export const MAX_FLUSH_MILLIS = 30_000;

/** `BatchOptions` with every default applied. */
export type ResolvedBatchOptions = Required<BatchOptions>;

function batchOptionError(name: string, expected: string, got: unknown): TypeError {
  return optionError(`BatchOptions.${name}`, expected, got);
}

function positiveInteger(o: Record<string, unknown>, name: keyof BatchOptions, fallback: number): number {
  const value = o[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw batchOptionError(name, 'a positive integer', value);
  return value;
}

function millis(o: Record<string, unknown>, name: keyof BatchOptions, fallback: number, min: number): number {
  const value = o[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > MAX_TIMER_MILLIS) {
    throw batchOptionError(name, `a number of milliseconds from ${min} to ${MAX_TIMER_MILLIS}`, value);
  }
  return value;
}

/**
 * Applies the defaults and throws a TypeError naming the option for any value that
 * cannot work. An unset `maxBatchSize` follows a smaller `maxQueueSize`.
 */
export function resolveBatchOptions(options: unknown): ResolvedBatchOptions {
  if (options === undefined) return { ...BATCH_RECORDER_DEFAULTS };
  if (options === null || typeof options !== 'object') {
    throw optionError('BatchOptions', 'an object', options);
  }
  const o = options as Record<string, unknown>;
  const maxQueueSize = positiveInteger(o, 'maxQueueSize', BATCH_RECORDER_DEFAULTS.maxQueueSize);
  const maxBatchSize = positiveInteger(o, 'maxBatchSize', Math.min(BATCH_RECORDER_DEFAULTS.maxBatchSize, maxQueueSize));
  if (maxBatchSize > maxQueueSize) {
    throw batchOptionError('maxBatchSize', `at most maxQueueSize (${maxQueueSize})`, maxBatchSize);
  }
  const scheduledDelayMillis = millis(o, 'scheduledDelayMillis', BATCH_RECORDER_DEFAULTS.scheduledDelayMillis, 0);
  const exportTimeoutMillis = millis(o, 'exportTimeoutMillis', BATCH_RECORDER_DEFAULTS.exportTimeoutMillis, 1);
  const flushOnExit = o.flushOnExit ?? BATCH_RECORDER_DEFAULTS.flushOnExit;
  if (typeof flushOnExit !== 'boolean') throw batchOptionError('flushOnExit', 'a boolean', flushOnExit);
  return { maxQueueSize, maxBatchSize, scheduledDelayMillis, exportTimeoutMillis, flushOnExit };
}
