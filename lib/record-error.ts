import type * as opentracing from 'opentracing';
import { describeError } from './util/describe';

/**
 * Marks a span as failed the way OpenTracing's semantic conventions say: tags
 * `error: true` and logs `{ event: 'error', 'error.object', message, stack }`, exactly
 * as `startActiveSpan` does when its callback throws. Does nothing to a finished span.
 *
 *     try {
 *       await charge(card);
 *     } catch (error) {
 *       recordError(span, error);
 *       throw error;
 *     }
 */
export function recordError(span: opentracing.Span, error: unknown): void {
  const finished = (span as { isFinished?: () => boolean }).isFinished;
  if (typeof finished === 'function' && finished.call(span) === true) return;
  span.setTag('error', true);
  span.log(errorLogFields(error));
}

/**
 * The fields of the log `recordError` writes: `{ event: 'error', 'error.object', message,
 * stack }`, the message and stack read from an Error, else the value described in one line.
 *
 *     span.log(errorLogFields(new Error('boom'))); // { event: 'error', message: 'boom', ... }
 */
export function errorLogFields(error: unknown): Record<string, unknown> {
  let isError = false;
  let message: string;
  let stack: string | undefined;
  try {
    isError = error instanceof Error;
    message = isError ? (error as Error).message : describeError(error);
    stack = isError ? (error as Error).stack : undefined;
  } catch {
    message = describeError(error);
  }
  return { event: 'error', 'error.object': error, message, stack };
}
