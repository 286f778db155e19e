import { withoutCredentials } from '../export/http-exporter-options';
import type { Logger } from '../util/fault-logger';
import { MAX_TIMER_MILLIS } from '../util/timers';
import { parseKeyValueList } from './key-value-list';

/** A plain decimal number (`0.25`, `.5`, `1e-3`); not hex, not `Infinity`. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * Reads `OTEL_*` variables the way the OpenTelemetry environment specification
 * says: an empty value is the same as unset, enums are case-insensitive, and a
 * value that cannot be used is reported once, naming the variable and the value,
 * and then ignored (the caller uses its documented default).
 */
export class EnvReader {
  constructor(
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly logger: Logger,
  ) {}

  /** The trimmed value, or undefined when unset or empty. */
  string(name: string): string | undefined {
    const raw = this.env[name];
    if (typeof raw !== 'string') return undefined;
    const value = raw.trim();
    return value === '' ? undefined : value;
  }

  /** Only a case-insensitive `true` is true; anything but `false` is also reported. */
  boolean(name: string): boolean {
    const value = this.string(name);
    if (value === undefined) return false;
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower !== 'false') this.reject(name, value, 'expected true or false', 'false');
    return false;
  }

  /** One of `allowed` (case-insensitive), else `fallback`. */
  choice<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.string(name);
    if (value === undefined) return fallback;
    const lower = value.toLowerCase() as T;
    if (allowed.includes(lower)) return lower;
    this.reject(name, value, `expected one of ${allowed.join(', ')}`, fallback);
    return fallback;
  }

  /** A comma-separated list, lowercased, trimmed, without empty entries or duplicates; undefined when unset. */
  list(name: string): string[] | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const entries = value
      .split(',')
      .map((entry) => entry.trim().toLowerCase())
      .filter((entry) => entry !== '');
    return [...new Set(entries)];
  }

  /** An integer from 1 to 2^31 - 1, else `fallback`. */
  positiveInteger(name: string, fallback: number): number {
    return this.integer(name, 1, fallback, 'a whole number from 1 to 2147483647');
  }

  /** An OTel Duration: whole milliseconds from 0 to 2^31 - 1, else `fallback`. */
  duration(name: string, fallback: number): number {
    return this.integer(name, 0, fallback, 'a whole number of milliseconds from 0 to 2147483647');
  }

  /**
   * An OTel Timeout: like a duration, but 0 means no limit, which is returned as the
   * longest delay a timer can wait (about 24.8 days).
   */
  timeout(name: string, fallback: number): number {
    const millis = this.integer(name, 0, fallback, 'a whole number of milliseconds from 0 (no limit) to 2147483647');
    return millis === 0 ? MAX_TIMER_MILLIS : millis;
  }

  /** A number from `min` to `max`, else undefined (the caller knows the default). */
  number(name: string, min: number, max: number, fallbackText: string): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const parsed = DECIMAL.test(value) ? Number(value) : NaN;
    if (Number.isFinite(parsed) && parsed >= min && parsed <= max) return parsed;
    this.reject(name, value, `expected a number from ${min} to ${max}`, fallbackText);
    return undefined;
  }

  /**
   * An absolute http: or https: URL, else undefined. The value is returned as written;
   * a warning shows it without its user name and password.
   */
  url(name: string, fallbackText: string): string | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    let url: URL | null = null;
    try {
      url = new URL(value);
    } catch {
      url = null;
    }
    if (url !== null && (url.protocol === 'http:' || url.protocol === 'https:')) return value;
    this.reject(name, withoutCredentials(value), 'expected an absolute http:// or https:// URL', withoutCredentials(fallbackText));
    return undefined;
  }

  /**
   * A W3C-Baggage-style list, `key1=value1,key2=value2`, values percent-decoded.
   * A malformed list is discarded whole (OTel's rule for resource attributes and
   * headers). `redact` keeps everything but valid keys out of the warning: values, and
   * whatever a malformed entry holds, may be credentials.
   */
  keyValues(
    name: string,
    options: { isValidKey?: (key: string) => boolean; isValidValue?: (value: string) => boolean; redact?: boolean; fallbackText: string },
  ): Record<string, string> | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const parsed = parseKeyValueList(value, options.isValidKey, options.isValidValue);
    if (parsed.ok) return parsed.pairs;
    if (options.redact) this.reject(name, redactValues(value, options.isValidKey), parsed.redactedProblem, options.fallbackText);
    else this.reject(name, value, parsed.problem, options.fallbackText);
    return undefined;
  }

  /** Reports a value that cannot be used; never throws, even if the logger does. */
  reject(name: string, value: string, problem: string, fallbackText: string): void {
    try {
      this.logger.warn(`sextant: ignoring ${name}=${JSON.stringify(value)}: ${problem}; using ${fallbackText}.`);
    } catch {
      // A broken logger must not turn a configuration warning into a crash.
    }
  }

  private integer(name: string, min: number, fallback: number, expected: string): number {
    const value = this.string(name);
    if (value === undefined) return fallback;
    const parsed = /^[+-]?\d+$/.test(value) ? Number(value) : NaN;
    if (Number.isSafeInteger(parsed) && parsed >= min && parsed <= MAX_TIMER_MILLIS) return parsed;
    this.reject(name, value, `expected ${expected}`, `the default ${fallback}`);
    return fallback;
  }
}

/**
 * `a=secret,Authorization: Bearer x` shown as `a=***,***`: valid keys, so the entry can be
 * found; nothing else, since a malformed entry may be a credential typed wrong.
 */
function redactValues(list: string, isValidKey: (key: string) => boolean = () => false): string {
  return list
    .split(',')
    .map((entry) => {
      const eq = entry.indexOf('=');
      const key = eq < 0 ? '' : entry.slice(0, eq).trim();
      return key !== '' && isValidKey(key) ? `${key}=***` : entry.trim() === '' ? '' : '***';
    })
    .join(',');
}
