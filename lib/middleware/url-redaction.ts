import { middlewareOptionError } from './option-checks';

/**
 * Query parameters whose values never reach a trace: cloud-storage signatures
 * (S3, GCS, Azure SAS), OAuth codes and tokens, API keys, passwords. Matched
 * case-insensitively; the value becomes `REDACTED`, the name stays.
 */
export const DEFAULT_REDACTED_QUERY_PARAMETERS: readonly string[] = Object.freeze([
  'AWSAccessKeyId',
  'Signature',
  'sig',
  'X-Goog-Signature',
  'X-Amz-Signature',
  'X-Amz-Credential',
  'X-Amz-Security-Token',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'password',
  'passwd',
  'secret',
  'client_secret',
  'api_key',
  'apikey',
  'key',
  'code',
]);

/** What a redacted value is replaced with. */
export const REDACTED = 'REDACTED';

/** Parameter names to redact, compiled once per middleware, helper or instrument(). */
export interface QueryRedaction {
  /** lower-cased */
  readonly names: ReadonlySet<string>;
  /**
   * Finds a listed name as written (`&token=`, any case): most queries hold none, and
   * one test answers for them without splitting the query. A name written with
   * %-escapes or '+' is found by the full parse, which a '%' or '+' in the query forces.
   */
  readonly literal: RegExp | null;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function compileNames(names: Iterable<string>): QueryRedaction {
  const set = new Set([...names].map((name) => name.toLowerCase()));
  const literal = set.size === 0 ? null : new RegExp(`(?:^|&)(?:${[...set].map(escapeRegExp).join('|')})=`, 'i');
  return { names: set, literal };
}

const DEFAULT_REDACTION: QueryRedaction = compileNames(DEFAULT_REDACTED_QUERY_PARAMETERS);

/** Checks and compiles `options.redactQueryParameters` (default: the list above). */
export function compileQueryRedaction(owner: string, value: unknown): QueryRedaction {
  if (value === undefined) return DEFAULT_REDACTION;
  const expected = 'an array of query parameter names, e.g. [...DEFAULT_REDACTED_QUERY_PARAMETERS, "session"]';
  if (!Array.isArray(value)) throw middlewareOptionError(owner, 'options.redactQueryParameters', expected, value);
  for (const name of value as unknown[]) {
    if (typeof name !== 'string' || name === '') throw middlewareOptionError(owner, 'options.redactQueryParameters', expected, name);
  }
  return compileNames(value as string[]);
}

function decodedName(raw: string): string {
  // %74oken must not slip through; a malformed escape is compared as written.
  if (!raw.includes('%') && !raw.includes('+')) return raw.toLowerCase();
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    return raw.toLowerCase();
  }
}

function redactQuery(query: string, redaction: QueryRedaction): string {
  if (redaction.literal === null) return query;
  if (!redaction.literal.test(query) && !query.includes('%') && !query.includes('+')) return query;
  const names = redaction.names;
  const parts = query.split('&');
  let changed = false;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const equals = part.indexOf('=');
    if (equals === -1) continue;
    if (names.has(decodedName(part.slice(0, equals))) && part.length > equals + 1) {
      parts[i] = `${part.slice(0, equals + 1)}${REDACTED}`;
      changed = true;
    }
  }
  return changed ? parts.join('&') : query;
}

/** `scheme://user:pass@host/...` without `user:pass@`; anything else unchanged. */
function withoutUserInfo(url: string): string {
  const scheme = url.indexOf('://');
  if (scheme === -1) return url;
  const authorityStart = scheme + 3;
  let authorityEnd = url.length;
  for (const stop of ['/', '?', '#']) {
    const at = url.indexOf(stop, authorityStart);
    if (at !== -1 && at < authorityEnd) authorityEnd = at;
  }
  const at = url.lastIndexOf('@', authorityEnd - 1);
  if (at < authorityStart) return url;
  return `${url.slice(0, authorityStart)}${url.slice(at + 1)}`;
}

/**
 * The `http.url` tag for a URL or a request target (`/path?query`): user name and
 * password removed, and the values of credential-like query parameters replaced with
 * `REDACTED`. Costs one `indexOf` when there is neither a query nor a user part.
 *
 *     redactUrl('/download?sig=abc&x=1', DEFAULT_REDACTION); // '/download?sig=REDACTED&x=1'
 */
export function redactUrl(url: string, redaction: QueryRedaction): string {
  const out = url.charCodeAt(0) === 47 /* '/' */ ? url : withoutUserInfo(url);
  const query = out.indexOf('?');
  if (query === -1 || redaction.literal === null) return out;
  const hash = out.indexOf('#', query);
  const end = hash === -1 ? out.length : hash;
  const original = out.slice(query + 1, end);
  const redacted = redactQuery(original, redaction);
  return redacted === original ? out : `${out.slice(0, query + 1)}${redacted}${out.slice(end)}`;
}
