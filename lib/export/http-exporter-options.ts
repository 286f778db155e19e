import { validateHeaderName, validateHeaderValue } from 'node:http';
import type { Logger } from '../util/fault-logger';
import { RETRY_DEFAULTS } from './retry-policy';
import type { RetryOptions } from './retry-policy';
import { optionError, SECRET } from '../util/option-error';
import { MAX_TIMER_MILLIS } from '../util/timers';

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

/** Validates the common options; TypeErrors name the option as `<owner>.<name>` and never show a header value. */
export function resolveHttpExporterOptions(options: unknown, owner: string): ResolvedHttpExporterOptions {
  const fail = (name: string, expected: string, got: unknown): TypeError => optionError(`${owner}.${name}`, expected, got);
  if (options === null || typeof options !== 'object') throw optionError(owner, 'an object with a url', options);
  const o = options as Record<string, unknown>;

  let url: URL;
  try {
    url = new URL(String(o.url));
  } catch {
    throw fail('url', 'an absolute http(s) URL', typeof o.url === 'string' ? withoutCredentials(o.url) : o.url);
  }
  if (typeof o.url !== 'string' || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw fail('url', 'an absolute http(s) URL', typeof o.url === 'string' ? withoutCredentials(o.url) : o.url);
  }

  const headers: Record<string, string> = {};
  if (o.headers !== undefined) {
    if (o.headers === null || typeof o.headers !== 'object' || Array.isArray(o.headers)) {
      throw fail('headers', 'an object of header names to strings', o.headers);
    }
    for (const [name, value] of Object.entries(o.headers as Record<string, unknown>)) {
      if (typeof value !== 'string') throw fail(`headers[${JSON.stringify(name)}]`, 'a string', typeof value === 'string' ? SECRET : value);
      try {
        validateHeaderName(name);
        validateHeaderValue(name, value);
      } catch {
        throw fail(`headers[${JSON.stringify(name)}]`, 'a valid HTTP header', SECRET);
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
  if (value === null || typeof value !== 'object') throw optionError(`${owner}.retry`, 'an object', value);
  const r = value as Record<string, unknown>;
  const pick = (name: keyof RetryOptions, min: number, integer: boolean): number => {
    const v = r[name] ?? RETRY_DEFAULTS[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > MAX_TIMER_MILLIS || (integer && !Number.isInteger(v))) {
      throw optionError(`${owner}.retry.${name}`, `${integer ? 'an integer' : 'a number'} from ${min} to ${MAX_TIMER_MILLIS}`, v);
    }
    return v;
  };
  const maxAttempts = pick('maxAttempts', 1, true);
  const initialBackoffMillis = pick('initialBackoffMillis', 0, false);
  const maxBackoffMillis = pick('maxBackoffMillis', 0, false);
  return { maxAttempts, initialBackoffMillis, maxBackoffMillis: Math.max(maxBackoffMillis, initialBackoffMillis) };
}

/** A URL as text without its user name and password, for messages. */
function withoutCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1');
}
