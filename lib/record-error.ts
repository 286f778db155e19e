import type * as opentracing from 'opentracing';
import { describeError } from './util/describe';
import { FaultLogger } from './util/fault-logger';

/** Where faults go when recordError is given something that is not a working span. */
let fallbackFaults: FaultLogger | undefined;

/** Reads `error.message` / `error.stack` of an Error; a getter that throws loses only its own field. */
function errorField(error: Error, field: 'message' | 'stack'): string | undefined {
  try {
    const value = error[field];
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

function isError(error: unknown): error is Error {
  try {
    return error instanceof Error;
  } catch {
    // A proxy whose getPrototypeOf trap throws, or a revoked one.
    return false;
  }
}

/**
 * Marks a span as failed the way OpenTracing's semantic conventions say: tags
 * `error: true` and logs `{ event: 'error', 'error.object', message, stack }`, exactly
 * as `startActiveSpan` does when its callback throws. Does nothing to a finished span.
 * Never throws, whatever it is given (a fault is reported once as a warning).
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
    span.setTag('error', true);
    span.log(errorLogFields(error));
  } catch (fault) {
    (fallbackFaults ??= new FaultLogger(console)).warnOnce(
      'recordError',
      `recordError could not record on the span it was given (${describeError(fault)}); pass a span started by a tracer.`,
    );
  }
}

/**
 * The fields of the log `recordError` writes: `{ event: 'error', 'error.object', message,
 * stack }`, the message and stack read from an Error (a getter that throws loses only its
 * own field), else the value described in one line. Never throws.
 *
 *     span.log(errorLogFields(new Error('boom'))); // { event: 'error', message: 'boom', ... }
 */
export function errorLogFields(error: unknown): Record<string, unknown> {
  let message: string | undefined;
  let stack: string | undefined;
  if (isError(error)) {
    message = errorField(error, 'message');
    stack = errorField(error, 'stack');
  }
  if (message === undefined) message = describeError(error);
  return { event: 'error', 'error.object': error, message, stack };
}
