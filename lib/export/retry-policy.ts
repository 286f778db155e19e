/** How an exporter retries a batch the backend could not take yet. */
export interface RetryOptions {
  /** attempts per batch, the first included; default 5 */
  maxAttempts?: number;
  /** pause before the first retry, in ms; doubles each time; default 1000 */
  initialBackoffMillis?: number;
  /** longest pause between attempts, in ms; default 5000 */
  maxBackoffMillis?: number;
}

export const RETRY_DEFAULTS = Object.freeze({ maxAttempts: 5, initialBackoffMillis: 1000, maxBackoffMillis: 5000 });

/**
 * Status codes the OTLP specification lists as retryable (Zipkin collectors use them
 * the same way). Every other 4xx and 5xx is final.
 */
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

/** Whether an HTTP status calls for another attempt. */
export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUS.has(status);
}

/**
 * The pause before retry number `retry` (1 for the first retry): exponential, capped,
 * with ±20% random jitter so that many processes restarted together do not retry in step.
 */
export function backoffMillis(retry: number, options: Required<RetryOptions>, random: () => number = Math.random): number {
  const exponential = options.initialBackoffMillis * 2 ** Math.max(0, retry - 1);
  const capped = Math.min(options.maxBackoffMillis, exponential);
  return Math.max(0, Math.round(capped * (0.8 + 0.4 * random())));
}

/**
 * The wait a `Retry-After` header asks for, in ms: delta-seconds (`120`) or an HTTP
 * date (`Wed, 21 Oct 2015 07:28:00 GMT`). Undefined when absent or unreadable; a
 * date in the past means no wait.
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (text === undefined || text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
