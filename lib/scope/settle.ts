import type { Span } from '../span';
import { describeError } from '../util/fault-logger';

/** Tags and logs an error on a span the way OpenTracing's semantic conventions say. */
export function recordError(span: Span, error: unknown): void {
  if (span.isFinished()) return;
  const isError = error instanceof Error;
  span.setTag('error', true);
  span.log({
    event: 'error',
    'error.object': error,
    message: isError ? error.message : describeError(error),
    stack: isError ? error.stack : undefined,
  });
}

/** Whether a value is a promise or promise-like (has a callable `then`). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Completes a span after the callback that had it active returned: at once for a
 * plain value, when settled for a promise. Returns what the callback returned (for a
 * promise, a promise of the same outcome, so a rejection nobody handles still surfaces).
 */
export function settleSpan<T>(span: Span, result: T, finishOnClose: boolean): T {
  if (!isThenable(result)) {
    if (finishOnClose && !span.isFinished()) span.finish();
    return result;
  }
  return Promise.resolve(result).then(
    (value) => {
      if (finishOnClose && !span.isFinished()) span.finish();
      return value;
    },
    (error: unknown) => {
      recordError(span, error);
      if (finishOnClose && !span.isFinished()) span.finish();
      throw error;
    },
  ) as T;
}

/** The synchronous-throw half of `settleSpan`. */
export function failSpan(span: Span, error: unknown, finishOnClose: boolean): void {
  recordError(span, error);
  if (finishOnClose && !span.isFinished()) span.finish();
}
