import { recordError } from '../record-error';
import type { Span } from '../span';
import { isThenable } from '../util/promises';

/**
 * Completes a span after the callback that had it active returned: at once for a
 * plain value, when settled for a promise. Returns what the callback returned (for a
 * promise, a promise of the same outcome, so a rejection nobody handles still surfaces).
 */
export function settleSpan<T>(span: Span, result: T, finishOnClose: boolean): T {
  if (!isThenable(result)) {
    if (finishOnClose) finishSpan(span);
    return result;
  }
  return Promise.resolve(result).then(
    (value) => {
      if (finishOnClose) finishSpan(span);
      return value;
    },
    (error: unknown) => {
      recordError(span, error);
      if (finishOnClose) finishSpan(span);
      throw error;
    },
  ) as T;
}

/** The synchronous-throw half of `settleSpan`. */
export function failSpan(span: Span, error: unknown, finishOnClose: boolean): void {
  recordError(span, error);
  if (finishOnClose) finishSpan(span);
}

/**
 * Finishes `span` unless it is finished. Never throws: what was activated may not be a
 * span at all (`activate(hostile, fn)`), and the callback's outcome must reach the caller.
 */
export function finishSpan(span: Span): void {
  try {
    if (!span.isFinished()) span.finish();
  } catch {
    // Not a span of ours, and a broken one: nothing to finish.
  }
}
