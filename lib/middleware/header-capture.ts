import { middlewareOptionError } from './option-checks';
import { REDACTED } from './url-redaction';

/**
 * Headers to record as tags: `http.request.header.<name>` and
 * `http.response.header.<name>` (lower-case names, as OpenTelemetry's semantic
 * conventions spell them). None by default. Credential-like headers (`authorization`,
 * `cookie`, `set-cookie`, `x-api-key`, names with `token`, `secret`, `password`, ...)
 * are recorded as `REDACTED`: the trace says they were sent, never what they held.
 *
 *     captureHeaders: { request: ['user-agent', 'x-request-id'], response: ['content-type'] }
 */
export interface HeaderCaptureOptions {
  request?: readonly string[];
  response?: readonly string[];
}

/** One header to capture: the name to look up and the tag it becomes. */
interface CapturedHeader {
  readonly name: string;
  readonly tag: string;
  readonly redact: boolean;
}

/** The compiled allow-lists; null when nothing is captured on that side. */
export interface HeaderCapture {
  readonly request: readonly CapturedHeader[] | null;
  readonly response: readonly CapturedHeader[] | null;
}

export const NO_HEADER_CAPTURE: HeaderCapture = Object.freeze({ request: null, response: null });

const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);
const CREDENTIAL_LIKE = /token|secret|passw|api-?key|auth|session|signature|credential/;
/** RFC 9110 token characters: what a header name may contain. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

function compileSide(owner: string, side: 'request' | 'response', value: unknown): CapturedHeader[] | null {
  if (value === undefined) return null;
  const expected = "an array of header names, e.g. ['user-agent']";
  if (!Array.isArray(value)) throw middlewareOptionError(owner, `options.captureHeaders.${side}`, expected, value);
  const out: CapturedHeader[] = [];
  for (const entry of value as unknown[]) {
    const name = typeof entry === 'string' ? entry.trim().toLowerCase() : '';
    if (!HEADER_NAME.test(name)) throw middlewareOptionError(owner, `options.captureHeaders.${side}`, expected, entry);
    if (out.some((h) => h.name === name)) continue;
    out.push({ name, tag: `http.${side}.header.${name}`, redact: CREDENTIAL_HEADERS.has(name) || CREDENTIAL_LIKE.test(name) });
  }
  return out.length === 0 ? null : out;
}

/** Checks and compiles `options.captureHeaders`. */
export function compileHeaderCapture(owner: string, value: unknown): HeaderCapture {
  if (value === undefined) return NO_HEADER_CAPTURE;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw middlewareOptionError(owner, 'options.captureHeaders', "an object such as { request: ['user-agent'] }", value);
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key !== 'request' && key !== 'response') {
      throw new TypeError(`sextant: ${owner} options.captureHeaders.${key} is not an option (known: request, response)`);
    }
  }
  const request = compileSide(owner, 'request', record.request);
  const response = compileSide(owner, 'response', record.response);
  return request === null && response === null ? NO_HEADER_CAPTURE : { request, response };
}

function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.map(String).join(', ');
  return undefined;
}

/**
 * Adds a tag for each listed header that `lookup` finds (Node's lower-case header
 * records, `getHeader`, or a raw list's reader).
 */
export function captureHeaders(tags: Record<string, unknown>, headers: readonly CapturedHeader[], lookup: (name: string) => unknown): void {
  for (const header of headers) {
    const text = headerText(lookup(header.name));
    if (text !== undefined) tags[header.tag] = header.redact ? REDACTED : text;
  }
}

/** A reader for a raw header list (`[name, value, name, value, ...]`, strings or Buffers, as undici gives them). */
export function rawHeaderLookup(raw: unknown): (name: string) => string | undefined {
  return (name) => {
    if (!Array.isArray(raw)) return undefined;
    const values: string[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      if (String(raw[i]).toLowerCase() === name) values.push(String(raw[i + 1]));
    }
    return values.length === 0 ? undefined : values.join(', ');
  };
}
