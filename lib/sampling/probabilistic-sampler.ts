import type { SpanContext } from '../span-context';
import type { Sampler, SamplingDecision } from './sampler';
import { optionError } from '../util/option-error';
import { samplingDecision } from './sampler';

/** The randomness a decision reads: the rightmost 56 bits (14 hex digits) of the trace id. */
const RANDOM_HEX_DIGITS = 14;
const TWO_POW_56 = 2 ** 56;

/**
 * Samples a fixed share of traces, deciding from the trace id alone, so every
 * service with the same ratio makes the same decision for a trace and a trace
 * kept at ratio r is also kept at any ratio above r.
 *
 * The algorithm is OpenTelemetry's consistent probability sampling (the one W3C
 * Trace Context level 2 and the OTel `ProbabilitySampler` use): the rightmost 56
 * bits of the trace id are the randomness R; the rejection threshold is
 * T = 2^56 - round(ratio * 2^56); the trace is kept when R >= T. Ratios 0 and 1
 * are exact (never, always); a ratio below 2^-57 rounds to 0.
 *
 *     new ProbabilisticSampler(0.1);                     // about one trace in ten
 *     new ParentBasedSampler(new ProbabilisticSampler(0.1)); // and follow upstream
 */
export class ProbabilisticSampler implements Sampler {
  /** T as the char codes of 14 lowercase hex digits, or null when nothing is kept (T = 2^56) */
  private readonly threshold: number[] | null;
  private readonly sampled: SamplingDecision;
  private readonly notSampled: SamplingDecision;

  /** @param ratio the share of traces to keep, from 0 to 1 inclusive. */
  constructor(readonly ratio: number) {
    if (typeof ratio !== 'number' || !(ratio >= 0 && ratio <= 1)) {
      throw optionError('ProbabilisticSampler ratio', 'a number from 0 to 1', ratio);
    }
    // ratio * 2^56 is exact in a double (only the exponent changes), so rounding it
    // keeps every bit of the ratio's precision down to 2^-56.
    const kept = BigInt(Math.round(ratio * TWO_POW_56));
    const hex = (BigInt(TWO_POW_56) - kept).toString(16).padStart(RANDOM_HEX_DIGITS, '0');
    this.threshold = kept === 0n ? null : Array.from(hex, (c) => c.charCodeAt(0));
    this.sampled = samplingDecision(true, 'probabilistic', ratio);
    this.notSampled = samplingDecision(false, 'probabilistic', ratio);
  }

  /**
   * Keeps the trace when the rightmost 56 bits of `traceId` reach the threshold.
   *
   *     sampler.shouldSample('4bf92f3577b34da6a3ce929d0e0e4736', 'GET /', null).sampled;
   */
  shouldSample(traceId: string, _operationName?: string, _parent?: SpanContext | null): SamplingDecision {
    const threshold = this.threshold;
    if (threshold === null) return this.notSampled;
    if (this.ratio === 1) return this.sampled; // whatever the id looks like
    // R >= T, digit by digit from the most significant: lowercase hex digits' char codes
    // are ordered like their values, and no substring is allocated.
    const offset = traceId.length - RANDOM_HEX_DIGITS;
    for (let i = 0; i < RANDOM_HEX_DIGITS; i++) {
      const digit = traceId.charCodeAt(offset + i);
      if (digit !== threshold[i]) return digit > threshold[i] ? this.sampled : this.notSampled;
    }
    return this.sampled;
  }

  toString(): string {
    return `ProbabilisticSampler(${this.ratio})`;
  }
}
