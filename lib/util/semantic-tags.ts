/**
 * The OpenTracing tags whose values mean something to the tracer and its exporters,
 * not only to the people reading a trace.
 */

/** `server`, `client`, `producer` or `consumer`: what side of a remote call a span is. */
export const SPAN_KIND_TAG = 'span.kind';

/** Where a span started through `@opentelemetry/api` keeps `setStatus`'s code: `'OK'` or `'ERROR'`. */
export const OTEL_STATUS_CODE_TAG = 'otel.status_code';

/** Where it keeps the message of `setStatus(ERROR, message)`. */
export const OTEL_STATUS_DESCRIPTION_TAG = 'otel.status_description';

/** Forces sampling on (> 0) or off (0) for the span's trace from here on. */
export const SAMPLING_PRIORITY_TAG = 'sampling.priority';

/** Whether an `error` tag marks the span as failed: `true` or `'true'`, as OpenTracing writes it. */
export function isErrorTag(value: unknown): boolean {
  return value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
}

/**
 * What a `sampling.priority` value decides: true (sample), false (do not), or undefined
 * when it decides nothing. Only a real number decides: `Number(null)` and `Number('')`
 * are 0, and must not silently unsample a trace.
 *
 *     samplingPriorityDecision(1);    // true
 *     samplingPriorityDecision('0');  // false
 *     samplingPriorityDecision(null); // undefined
 */
export function samplingPriorityDecision(value: unknown): boolean | undefined {
  const priority = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isNaN(priority) ? undefined : priority > 0;
}
