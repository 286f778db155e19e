import type { EnvReader } from '../config/env-reader';
import { INSTRUMENTATION_NAMES, type InstrumentationName } from './instrument-options';

/**
 * The instrumentations `OTEL_NODE_ENABLED_INSTRUMENTATIONS` and
 * `OTEL_NODE_DISABLED_INSTRUMENTATIONS` leave on, as OpenTelemetry's
 * auto-instrumentations read them: the enabled list (default: all), minus the disabled
 * list. Names sextant does not have (`express`, `pg`, ... — OpenTelemetry's other
 * instrumentations) are reported in one warning per variable and skipped.
 *
 *     // OTEL_NODE_DISABLED_INSTRUMENTATIONS=undici
 *     instrumentationsFromEnv(reader); // ['http']
 */
export function instrumentationsFromEnv(reader: EnvReader): InstrumentationName[] {
  const enabled = known(reader, 'OTEL_NODE_ENABLED_INSTRUMENTATIONS') ?? [...INSTRUMENTATION_NAMES];
  const disabled = known(reader, 'OTEL_NODE_DISABLED_INSTRUMENTATIONS') ?? [];
  return enabled.filter((name) => !disabled.includes(name));
}

function known(reader: EnvReader, variable: string): InstrumentationName[] | undefined {
  const entries = reader.list(variable);
  if (entries === undefined) return undefined;
  const names = entries.filter((e): e is InstrumentationName => INSTRUMENTATION_NAMES.includes(e as InstrumentationName));
  const unknown = entries.filter((e) => !names.includes(e as InstrumentationName));
  if (unknown.length > 0) {
    reader.reject(
      variable,
      reader.string(variable) ?? '',
      `sextant has no instrumentation named ${unknown.join(', ')} (it has ${INSTRUMENTATION_NAMES.join(', ')}; frameworks such as express are traced through http)`,
      names.length > 0 ? names.join(',') : 'nothing from it',
    );
  }
  return names;
}
