import type * as opentracing from 'opentracing';
import { describeError } from './util/describe';

/**
 * Marks a span as failed the way OpenTracing's semantic conventions say: tags
 * `error: true` and logs `{ event: 'error', 'error.object', message, stack }`, exactly
 * as `startActiveSpan` does when its callback throws. Does nothing to a finished span.
 * Never throws, whatever `span` and `error` are.
 *
 *     try {
 *       await charge(card);
 *     } catch (error) {
 *       recordError(span, error);
 *       throw error;
 *     }
 */
export function recordError(span: opentracing.Span, error: unknown): void {
  try {
    const finished = (span as { isFinished?: () => boolean }).isFinished;
    if (typeof finished === 'function' && finished.call(span) === true) return;
  } catch {
    return;
  }
  let isError = false;
  let message: string;
  let stack: string | undefined;
  try {
    isError = error instanceof Error;
    message = isError ? String((error as Error).message) : describeError(error);
    stack = isError ? (error as Error).stack : undefined;
  } catch {
    message = describeError(error);
    stack = undefined;
  }
  try {
    span.setTag('error', true);
    span.log({ event: 'error', 'error.object': error, message, stack });
  } catch {
    // Not a span that can take tags (a hostile or foreign object): nothing to record on.
  }
}
