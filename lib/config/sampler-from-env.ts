import type { Sampler } from '../sampling/sampler';
import { ConstSampler } from '../sampling/const-sampler';
import { ParentBasedSampler } from '../sampling/parent-based-sampler';
import { ProbabilisticSampler } from '../sampling/probabilistic-sampler';
import { RateLimitingSampler } from '../sampling/rate-limiting-sampler';
import { ENV_DEFAULTS } from './env-defaults';
import type { EnvReader } from './env-reader';

/** `OTEL_TRACES_SAMPLER` values: OpenTelemetry's, plus sextant's two rate-limiting ones. */
const SAMPLER_NAMES = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
  'ratelimiting',
  'parentbased_ratelimiting',
] as const;

/**
 * The sampler `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG` describe.
 *
 *     // OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=0.25
 *     samplerFromEnv(reader).toString(); // 'ParentBasedSampler(ProbabilisticSampler(0.25))'
 */
export function samplerFromEnv(reader: EnvReader): Sampler {
  const name = reader.choice('OTEL_TRACES_SAMPLER', SAMPLER_NAMES, ENV_DEFAULTS.OTEL_TRACES_SAMPLER);
  const parentBased = name.startsWith('parentbased_');
  const root = rootSampler(parentBased ? name.slice('parentbased_'.length) : name, reader);
  return parentBased ? new ParentBasedSampler(root) : root;
}

function rootSampler(kind: string, reader: EnvReader): Sampler {
  switch (kind) {
    case 'always_off':
      return new ConstSampler(false);
    case 'traceidratio': {
      const fallback = ENV_DEFAULTS.OTEL_TRACES_SAMPLER_ARG_RATIO;
      const ratio = reader.number('OTEL_TRACES_SAMPLER_ARG', 0, 1, `the ratio ${fallback}`) ?? fallback;
      return new ProbabilisticSampler(ratio);
    }
    case 'ratelimiting': {
      const fallback = ENV_DEFAULTS.OTEL_TRACES_SAMPLER_ARG_RATE;
      const rate = reader.number('OTEL_TRACES_SAMPLER_ARG', 0, Number.MAX_VALUE, `${fallback} trace per second`) ?? fallback;
      return new RateLimitingSampler(rate);
    }
    default:
      return new ConstSampler(true);
  }
}
