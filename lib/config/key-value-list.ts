/**
 * The outcome of parsing `key1=value1,key2=value2`. A failure says what is wrong twice:
 * `problem` quotes the entry, `redactedProblem` only numbers it (for lists whose values
 * may be credentials).
 */
export type KeyValueListResult = { ok: true; pairs: Record<string, string> } | { ok: false; problem: string; redactedProblem: string };

/**
 * Parses the W3C-Baggage-style lists OpenTelemetry uses for `OTEL_RESOURCE_ATTRIBUTES`
 * and `OTEL_EXPORTER_OTLP_HEADERS`: comma-separated `key=value` entries, blanks around
 * keys and values ignored, values percent-decoded (`,` and `=` inside a value must be
 * written `%2C` and `%3D`). Empty entries (a trailing comma) are skipped. Any other
 * flaw fails the whole list, as the OTel resource specification asks.
 *
 *     parseKeyValueList('service.version=1.2,team=core%20infra');
 *     // { ok: true, pairs: { 'service.version': '1.2', team: 'core infra' } }
 */
export function parseKeyValueList(
  text: string,
  isValidKey: (key: string) => boolean = (key) => key !== '',
  isValidValue: (value: string) => boolean = () => true,
): KeyValueListResult {
  const pairs: Record<string, string> = Object.create(null) as Record<string, string>;
  const entries = text.split(',');
  for (let index = 0; index < entries.length; index++) {
    const entry = entries[index].trim();
    if (entry === '') continue;
    const numbered = `entry ${index + 1}`;
    const eq = entry.indexOf('=');
    if (eq < 0) return { ok: false, problem: `entry ${JSON.stringify(entry)} has no '='`, redactedProblem: `${numbered} has no '='` };
    const key = decode(entry.slice(0, eq).trim());
    const value = decode(entry.slice(eq + 1).trim());
    if (key === null || value === null) {
      const problem = 'has a malformed %-escape';
      return {
        ok: false,
        problem: `entry ${JSON.stringify(entry.slice(0, eq).trim())} ${problem}`,
        redactedProblem: `${numbered} ${problem}`,
      };
    }
    if (!isValidKey(key)) {
      return { ok: false, problem: `${JSON.stringify(key)} is not a valid key`, redactedProblem: `the key of ${numbered} is not valid` };
    }
    if (!isValidValue(value)) {
      const problem = `the value of ${JSON.stringify(key)} has characters that are not allowed`;
      return { ok: false, problem, redactedProblem: problem };
    }
    pairs[key] = value;
  }
  return { ok: true, pairs: { ...pairs } };
}

function decode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/** An HTTP header name: an RFC 9110 token. */
export function isHeaderName(key: string): boolean {
  return /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(key);
}

/** An HTTP header value Node.js will send: no control characters but tab. */
export function isHeaderValue(value: string): boolean {
  return /^[\t\x20-\x7e\x80-\xff]*$/.test(value);
}
