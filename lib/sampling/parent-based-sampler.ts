import type { SpanContext } from '../span-context';
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
 *
 *     new ParentBasedSampler(new ProbabilisticSampler(0.1));
 */
export class ParentBasedSampler implements Sampler {
  constructor(
    readonly root: Sampler,
    private readonly options: ParentBasedSamplerOptions = {},
  ) {
    if (!root || typeof root.shouldSample !== 'function') {
      throw new TypeError('ParentBasedSampler: root must be a Sampler');
    }
  }

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
    return `ParentBasedSampler(${this.root.toString()})`;
  }
}
