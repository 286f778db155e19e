import { validateHeaderName, validateHeaderValue } from 'node:http';
import type { Logger } from '../util/fault-logger';
import { RETRY_DEFAULTS } from './retry-policy';
import type { RetryOptions } from './retry-policy';
import { MAX_TIMER_MILLIS } from '../recording/batch-options';

/** Options every HTTP exporter takes. */
export interface HttpExporterOptions {
  /** the full endpoint URL, http: or https: */
  url: string;
  /** sent with every request, e.g. `{ authorization: 'Bearer …' }` */
  headers?: Record<string, string>;
  /** bound on each HTTP request, in ms; default 10000 */
  timeoutMillis?: number;
  /** export baggage items as `baggage.<key>` attributes/tags; default false */
  includeBaggage?: boolean;
  /** retry policy for 429/502/503/504 and network errors; see `RETRY_DEFAULTS` */
  retry?: RetryOptions;
  /** where faults go until a tracer attaches its own logger; default console */
  logger?: Logger;
}

export const HTTP_EXPORTER_DEFAULTS = Object.freeze({ timeoutMillis: 10_000, includeBaggage: false });

export interface ResolvedHttpExporterOptions {
  url: URL;
  headers: Record<string, string>;
  timeoutMillis: number;
  includeBaggage: boolean;
  retry: Required<RetryOptions>;
  logger: Logger | undefined;
}

function shown(value: unknown): string {
  try {
    return typeof value === 'string' ? JSON.stringify(value) : String(value);
  } catch {
    return typeof value;
  }
}

/** Validates the common options; TypeErrors name the option as `<owner>.<name>`. */
export function resolveHttpExporterOptions(options: unknown, owner: string): ResolvedHttpExporterOptions {
  const fail = (name: string, expected: string, got: unknown): TypeError =>
    new TypeError(`sextant: ${owner}.${name} must be ${expected}, got ${shown(got)}`);
  if (options === null || typeof options !== 'object')
    throw new TypeError(`sextant: ${owner} must be an object with a url, got ${shown(options)}`);
  const o = options as Record<string, unknown>;

  let url: URL;
  try {
    url = new URL(String(o.url));
  } catch {
    throw fail('url', 'an absolute http(s) URL', o.url);
  }
  if (typeof o.url !== 'string' || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw fail('url', 'an absolute http(s) URL', o.url);

  const headers: Record<string, string> = {};
  if (o.headers !== undefined) {
    if (o.headers === null || typeof o.headers !== 'object' || Array.isArray(o.headers))
      throw fail('headers', 'an object of header names to strings', o.headers);
    for (const [name, value] of Object.entries(o.headers as Record<string, unknown>)) {
      if (typeof value !== 'string') throw fail(`headers[${JSON.stringify(name)}]`, 'a string', value);
      try {
        validateHeaderName(name);
        validateHeaderValue(name, value);
      } catch {
        throw fail(`headers[${JSON.stringify(name)}]`, 'a valid HTTP header', value);
      }
      headers[name.toLowerCase()] = value;
    }
  }

  const timeoutMillis = o.timeoutMillis ?? HTTP_EXPORTER_DEFAULTS.timeoutMillis;
  if (typeof timeoutMillis !== 'number' || !Number.isFinite(timeoutMillis) || timeoutMillis < 1 || timeoutMillis > MAX_TIMER_MILLIS) {
    throw fail('timeoutMillis', `a number of milliseconds from 1 to ${MAX_TIMER_MILLIS}`, timeoutMillis);
  }

  const includeBaggage = o.includeBaggage ?? HTTP_EXPORTER_DEFAULTS.includeBaggage;
  if (typeof includeBaggage !== 'boolean') throw fail('includeBaggage', 'a boolean', includeBaggage);

  if (o.logger !== undefined && (o.logger === null || typeof (o.logger as Logger).warn !== 'function')) {
    throw fail('logger', 'an object with a warn(message) method', o.logger);
  }

  return { url, headers, timeoutMillis, includeBaggage, retry: resolveRetry(o.retry, owner), logger: o.logger as Logger | undefined };
}

function resolveRetry(value: unknown, owner: string): Required<RetryOptions> {
  if (value === undefined) return { ...RETRY_DEFAULTS };
  if (value === null || typeof value !== 'object') throw new TypeError(`sextant: ${owner}.retry must be an object, got ${shown(value)}`);
  const r = value as Record<string, unknown>;
  const pick = (name: keyof RetryOptions, min: number, integer: boolean): number => {
    const v = r[name] ?? RETRY_DEFAULTS[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > MAX_TIMER_MILLIS || (integer && !Number.isInteger(v))) {
      throw new TypeError(
        `sextant: ${owner}.retry.${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${MAX_TIMER_MILLIS}, got ${shown(v)}`,
      );
    }
    return v;
  };
  const maxAttempts = pick('maxAttempts', 1, true);
  const initialBackoffMillis = pick('initialBackoffMillis', 0, false);
  const maxBackoffMillis = pick('maxBackoffMillis', 0, false);
  return { maxAttempts, initialBackoffMillis, maxBackoffMillis: Math.max(maxBackoffMillis, initialBackoffMillis) };
}
