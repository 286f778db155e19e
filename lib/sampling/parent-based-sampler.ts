import type { SpanContext } from '../span-context';
import { optionError } from '../util/option-error';
import type { Sampler, SamplingDecision } from './sampler';

const FOLLOW_SAMPLED: SamplingDecision = Object.freeze({ sampled: true });
const FOLLOW_UNSAMPLED: SamplingDecision = Object.freeze({ sampled: false });

/** Options of `ParentBasedSampler`: which sampler decides for each kind of parent. */
export interface ParentBasedSamplerOptions {
  /** for a remote parent that was sampled; default: follow it (sample) */
  remoteParentSampled?: Sampler;
  /** for a remote parent that was not sampled; default: follow it (drop) */
  remoteParentNotSampled?: Sampler;
}

/**
 * Follows the sampled flag that arrived from upstream, and asks `root` only for
 * new traces. This keeps a trace whole: every service records it, or none does.
 * An upstream Jaeger or B3 debug flag always samples. (Children of a local span
 * never reach a sampler: they inherit their parent's decision.)
 *
 *     new ParentBasedSampler(new ProbabilisticSampler(0.1));
 */
export class ParentBasedSampler implements Sampler {
  constructor(
    readonly root: Sampler,
    private readonly options: ParentBasedSamplerOptions = {},
  ) {
    if (!isSampler(root)) {
      throw optionError('ParentBasedSampler root', 'a Sampler (with shouldSample)', root);
    }
    if (options === null || typeof options !== 'object') {
      throw optionError('ParentBasedSampler options', 'an object', options);
    }
    for (const name of ['remoteParentSampled', 'remoteParentNotSampled'] as const) {
      if (options[name] !== undefined && !isSampler(options[name])) {
        throw optionError(`ParentBasedSampler options.${name}`, 'a Sampler (with shouldSample)', options[name]);
      }
    }
  }

  /**
   * `root` decides for a new trace (`parent` null); otherwise the remote parent's flags do.
   *
   *     sampler.shouldSample(traceId, 'GET /', extractedContext).sampled;
   */
  shouldSample(traceId: string, operationName: string, parent: SpanContext | null): SamplingDecision {
    if (parent === null) return this.root.shouldSample(traceId, operationName, null);
    if (parent.debug) return FOLLOW_SAMPLED;
    if (parent.sampled) {
      const s = this.options.remoteParentSampled;
      return s ? s.shouldSample(traceId, operationName, parent) : FOLLOW_SAMPLED;
    }
    const s = this.options.remoteParentNotSampled;
    return s ? s.shouldSample(traceId, operationName, parent) : FOLLOW_UNSAMPLED;
  }

  toString(): string {
    const { remoteParentSampled, remoteParentNotSampled } = this.options;
    const extra =
      (remoteParentSampled ? `, remoteParentSampled: ${remoteParentSampled.toString()}` : '') +
      (remoteParentNotSampled ? `, remoteParentNotSampled: ${remoteParentNotSampled.toString()}` : '');
    return `ParentBasedSampler(${this.root.toString()}${extra})`;
  }
}

function isSampler(value: unknown): value is Sampler {
  return value !== null && typeof value === 'object' && typeof (value as Sampler).shouldSample === 'function';
}
