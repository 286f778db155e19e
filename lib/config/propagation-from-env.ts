import { PROPAGATION_NAMES } from '../propagation/propagation-name';
import type { PropagationName } from '../propagation/propagation-name';
import { ENV_DEFAULTS } from './env-defaults';
import type { EnvReader } from './env-reader';

/**
 * The wire formats `OTEL_PROPAGATORS` lists, in its order: `tracecontext`, `baggage`, `b3`,
 * `b3multi`, `jaeger`, `ottrace`, `xray`. `none` alone means no propagation at all. Unknown
 * names (`opencensus`, typos) are reported in one warning and skipped; if nothing usable is
 * left, the default `tracecontext,baggage`.
 *
 *     // OTEL_PROPAGATORS=xray,tracecontext
 *     propagationFromEnv(reader); // ['xray', 'tracecontext']
 */
export function propagationFromEnv(reader: EnvReader): PropagationName[] {
  const fallback = [...ENV_DEFAULTS.OTEL_PROPAGATORS];
  const entries = reader.list('OTEL_PROPAGATORS');
  if (entries === undefined) return fallback;
  if (entries.length === 1 && entries[0] === 'none') return [];
  const known = entries.filter((e): e is PropagationName => PROPAGATION_NAMES.includes(e as PropagationName));
  const unknown = entries.filter((e) => e !== 'none' && !known.includes(e as PropagationName));
  const value = reader.string('OTEL_PROPAGATORS') ?? '';
  if (known.length === 0) {
    reader.reject(
      'OTEL_PROPAGATORS',
      value,
      `no supported propagator in it (supported: ${PROPAGATION_NAMES.join(', ')}, none)`,
      `the default ${fallback.join(',')}`,
    );
    return fallback;
  }
  const problems: string[] = [];
  if (unknown.length > 0) problems.push(`${unknown.join(', ')} not supported (supported: ${PROPAGATION_NAMES.join(', ')}, none)`);
  if (entries.includes('none')) problems.push(`'none' cannot be combined with other propagators`);
  if (problems.length > 0) reader.reject('OTEL_PROPAGATORS', value, problems.join('; '), known.join(','));
  return known;
}
