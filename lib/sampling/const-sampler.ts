import type { SpanContext } from '../span-context';
import type { Sampler, SamplingDecision } from './sampler';
import { optionError } from '../util/option-error';
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
      throw optionError('ConstSampler decision', 'a boolean', decisionValue);
    }
    this.decision = samplingDecision(decisionValue, 'const', decisionValue);
  }

  /** The same decision for every trace; tags `sampler.type: 'const'`, `sampler.param: decision`. */
  shouldSample(_traceId?: string, _operationName?: string, _parent?: SpanContext | null): SamplingDecision {
    return this.decision;
  }

  toString(): string {
    return `ConstSampler(${this.decisionValue})`;
  }
}
