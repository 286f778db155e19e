import { validateHeaderName, validateHeaderValue } from 'node:http';
import { FaultLogger } from '../util/fault-logger';
import type { Logger } from '../util/fault-logger';
import { DEFAULT_MAX_REQUEST_BYTES, MAX_REQUEST_BYTES_RANGE } from './encoding-bounds';
import { RETRY_DEFAULTS } from './retry-policy';
import type { RetryOptions } from './retry-policy';
import { optionError, SECRET } from '../util/option-error';
import { MAX_TIMER_MILLIS } from '../util/timers';

/** Options every HTTP exporter takes. */
export interface HttpExporterOptions {
  /** the full endpoint URL, http: or https: */
  url: string;
  /**
   * sent with every request, e.g. `{ authorization: 'Bearer …' }`. Values never appear in
   * messages. Headers that frame the request (`content-length`, `transfer-encoding`,
   * `host`, `connection`) are the exporter's own: each is refused with a warning.
   */
  headers?: Record<string, string>;
  /**
   * bound on the whole export of one batch, in ms, retries (and the requests of a batch
   * sent in parts) included, as `OTEL_EXPORTER_OTLP_TIMEOUT` means in OpenTelemetry's SDKs;
   * also what `BatchRecorder` bounds `flush()` and `close()` by. Default 10000
   */
  timeoutMillis?: number;
  /**
   * the largest request body, in bytes, before compression; a batch whose encoding is
   * larger is sent as several requests, and a span larger alone is dropped and counted
   * (`stats().unencodable`). Default 4 MiB (`DEFAULT_MAX_REQUEST_BYTES`)
   */
  maxRequestBytes?: number;
  /** export baggage items as `baggage.<key>` attributes/tags; default false */
  includeBaggage?: boolean;
  /** retry policy for 429/502/503/504 and network errors; see `RETRY_DEFAULTS` */
  retry?: RetryOptions;
  /** where faults go until a tracer attaches its own logger; default console */
  logger?: Logger;
}

export const HTTP_EXPORTER_DEFAULTS = Object.freeze({
  timeoutMillis: 10_000,
  includeBaggage: false,
  maxRequestBytes: DEFAULT_MAX_REQUEST_BYTES,
});

/**
 * Headers that frame an HTTP request: the exporter sets them itself (or Node does), and
 * a second, different value would make a request the backend cannot read.
 */
export const FRAMING_HEADERS: ReadonlySet<string> = new Set(['content-length', 'transfer-encoding', 'host', 'connection']);

/** Whether a header name (any case) is one of `FRAMING_HEADERS`. */
export function isFramingHeader(name: string): boolean {
  return FRAMING_HEADERS.has(name.toLowerCase());
}

export interface ResolvedHttpExporterOptions {
  url: URL;
  headers: Record<string, string>;
  timeoutMillis: number;
  maxRequestBytes: number;
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
  if (o.logger !== undefined && (o.logger === null || typeof (o.logger as Logger).warn !== 'function')) {
    throw fail('logger', 'an object with a warn(message) method', o.logger);
  }

  if (o.headers !== undefined) {
    if (o.headers === null || typeof o.headers !== 'object' || Array.isArray(o.headers)) {
      throw fail('headers', 'an object of header names to strings', o.headers);
    }
    for (const [name, value] of Object.entries(o.headers as Record<string, unknown>)) {
      // Never the value in a message: it may be a credential, whatever its type.
      if (typeof value !== 'string') throw fail(`headers[${JSON.stringify(name)}]`, 'a string', SECRET);
      try {
        validateHeaderName(name);
        validateHeaderValue(name, value);
      } catch {
        throw fail(`headers[${JSON.stringify(name)}]`, 'a valid HTTP header', SECRET);
      }
      if (isFramingHeader(name)) {
        new FaultLogger((o.logger as Logger | undefined) ?? console).warn(
          `ignoring ${owner}.headers[${JSON.stringify(name)}]: it frames the request, which the exporter does itself; the other headers are kept.`,
        );
        continue;
      }
      headers[name.toLowerCase()] = value;
    }
  }

  const timeoutMillis = o.timeoutMillis ?? HTTP_EXPORTER_DEFAULTS.timeoutMillis;
  if (typeof timeoutMillis !== 'number' || !Number.isFinite(timeoutMillis) || timeoutMillis < 1 || timeoutMillis > MAX_TIMER_MILLIS) {
    throw fail('timeoutMillis', `a number of milliseconds from 1 to ${MAX_TIMER_MILLIS}`, timeoutMillis);
  }

  const maxRequestBytes = o.maxRequestBytes ?? HTTP_EXPORTER_DEFAULTS.maxRequestBytes;
  const { min, max } = MAX_REQUEST_BYTES_RANGE;
  if (typeof maxRequestBytes !== 'number' || !Number.isSafeInteger(maxRequestBytes) || maxRequestBytes < min || maxRequestBytes > max) {
    throw fail('maxRequestBytes', `a whole number of bytes from ${min} to ${max}`, maxRequestBytes);
  }

  const includeBaggage = o.includeBaggage ?? HTTP_EXPORTER_DEFAULTS.includeBaggage;
  if (typeof includeBaggage !== 'boolean') throw fail('includeBaggage', 'a boolean', includeBaggage);

  return {
    url,
    headers,
    timeoutMillis,
    maxRequestBytes,
    includeBaggage,
    retry: resolveRetry(o.retry, owner),
    logger: o.logger as Logger | undefined,
  };
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

/**
 * A URL as text without its user name and password, for messages. The user info ends
 * at the last `@` before the path (as URL parsers read it), so a password holding an
 * `@` is removed whole.
 *
 *     withoutCredentials('https://user:p@ss@otlp.example.com/v1/traces'); // 'https://otlp.example.com/v1/traces'
 */
export function withoutCredentials(url: string): string {
  return url.replace(/^((?:\s*[a-z][a-z0-9+.-]*:)?[\\/]*)[^/?#\\]*@/i, '$1');
}
