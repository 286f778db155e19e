import type { Sampler, SamplingDecision } from './sampler';
import { samplingDecision } from './sampler';

/**
 * Samples everything or nothing.
 *
 *     new ConstSampler(true);  // record every trace
 *     new ConstSampler(false); // record none (context still propagates)
 */
export class ConstSampler implements Sampler {
  private readonly decision: SamplingDecision;

  constructor(readonly decisionValue: boolean) {
    if (typeof decisionValue !== 'boolean') {
      throw new TypeError(`ConstSampler: decision must be a boolean, got ${typeof decisionValue}`);
    }
    this.decision = samplingDecision(decisionValue, 'const', decisionValue);
  }

  shouldSample(): SamplingDecision {
    return this.decision;
  }

  toString(): string {
    return `ConstSampler(${this.decisionValue})`;
  }
}
