import { type ClientOperationName, type ClientSettings } from '../middleware/client-span';
import type { HeaderCapture } from '../middleware/header-capture';
import { checkOptionalFunction, middlewareOptionError } from '../middleware/option-checks';
import { compileServerOptions, type ServerSettings, type ServerTracingOptions } from '../middleware/server-options';

/** What `instrument()` can trace: `http` (node:http/https servers and clients), `undici` (fetch). */
export type InstrumentationName = 'http' | 'undici';

/** Every instrumentation, in the order `instrument()` turns them on. */
export const INSTRUMENTATION_NAMES: readonly InstrumentationName[] = Object.freeze(['http', 'undici'] as const);

/**
 * `instrument()` options: the server options of `tracingMiddleware` (`ignorePaths`,
 * `pathTemplates`, `operationName`, `tags`, `redactQueryParameters`, `captureHeaders`,
 * the last two for outbound spans too), plus which instrumentations to turn on.
 */
export interface InstrumentOptions extends ServerTracingOptions {
  /**
   * Which instrumentations to turn on; default all of them.
   *
   *     instrumentations: ['http'] // servers and node:http clients, not fetch
   */
  instrumentations?: readonly InstrumentationName[];
  /**
   * Names outbound (client) spans; default `METHOD host[:port]`.
   *
   *     clientOperationName: (method, url) => `${method} ${url.hostname}`
   */
  clientOperationName?: ClientOperationName;
}

/** The options, checked (TypeError naming the bad one) and compiled once. */
export interface InstrumentSettings {
  readonly names: ReadonlySet<InstrumentationName>;
  readonly server: ServerSettings;
  readonly clientOperationName: ClientOperationName | null;
  readonly headers: HeaderCapture;
}

/** Checks and compiles `instrument()`'s options. */
export function compileInstrumentOptions(owner: string, options: unknown): InstrumentSettings {
  const server = compileServerOptions(owner, options, ['instrumentations', 'clientOperationName']);
  const o = (options ?? {}) as Record<string, unknown>;
  checkOptionalFunction(owner, 'clientOperationName', o.clientOperationName);
  const expected = `an array of instrumentation names (${INSTRUMENTATION_NAMES.join(', ')})`;
  let names: Set<InstrumentationName>;
  if (o.instrumentations === undefined) names = new Set(INSTRUMENTATION_NAMES);
  else if (!Array.isArray(o.instrumentations)) throw middlewareOptionError(owner, 'options.instrumentations', expected, o.instrumentations);
  else {
    names = new Set();
    for (const name of o.instrumentations as unknown[]) {
      if (!INSTRUMENTATION_NAMES.includes(name as InstrumentationName)) {
        throw middlewareOptionError(owner, 'options.instrumentations', expected, name);
      }
      names.add(name as InstrumentationName);
    }
  }
  return {
    names,
    server,
    clientOperationName: (o.clientOperationName as ClientOperationName | undefined) ?? null,
    headers: server.headers,
  };
}

/** The client settings outbound spans of one instrumentation use. */
export function clientSettingsFor(settings: InstrumentSettings, component: string): ClientSettings {
  return { component, operationName: settings.clientOperationName, redaction: settings.server.redaction };
}
