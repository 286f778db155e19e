import { ENV_DEFAULTS } from './env-defaults';
import type { EnvReader } from './env-reader';

/**
 * The URL OTLP/HTTP trace exports go to, by the OpenTelemetry exporter rules:
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is used exactly as written; otherwise
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is a base URL and `v1/traces` is resolved under
 * its path (`http://c:4318` and `http://c:4318/` both give `http://c:4318/v1/traces`,
 * `http://c:4318/otlp` gives `http://c:4318/otlp/v1/traces`). Default
 * `http://localhost:4318/v1/traces`.
 *
 *     otlpTracesUrl(reader); // 'http://localhost:4318/v1/traces'
 */
export function otlpTracesUrl(reader: EnvReader): string {
  const base = reader.url('OTEL_EXPORTER_OTLP_ENDPOINT', `the default ${ENV_DEFAULTS.OTEL_EXPORTER_OTLP_ENDPOINT}`);
  const fromBase = appendTracesPath(base ?? ENV_DEFAULTS.OTEL_EXPORTER_OTLP_ENDPOINT);
  const traces = reader.url('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', fromBase);
  return traces ?? fromBase;
}

/** `base` with `v1/traces` added to its path; query and fragment are kept where they were. */
function appendTracesPath(base: string): string {
  const url = new URL(base);
  url.pathname = (url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`) + ENV_DEFAULTS.OTLP_TRACES_PATH;
  return url.href;
}
