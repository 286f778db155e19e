import type { SpanContext } from '../span-context';
import { performance } from 'node:perf_hooks';
import type { Sampler, SamplingDecision } from './sampler';
import { optionError } from '../util/option-error';
import { samplingDecision } from './sampler';

/** Monotonic milliseconds; never goes back when the wall clock is moved. */
export type MonotonicClock = () => number;

const monotonicNow: MonotonicClock = () => performance.now();

/** Credit is summed from many small float increments; this absorbs their rounding. */
const ROUNDING_SLACK = 1e-9;

/**
 * Samples at most `maxTracesPerSecond` new traces per second, with a token bucket:
 * credit accrues continuously at that rate up to `max(1, maxTracesPerSecond)`, and
 * each sampled trace spends one. A quiet service therefore keeps a short burst
 * (up to one second's worth) and fractional rates work: at 0.1, one trace every ten
 * seconds. The bucket is refilled from a monotonic clock read on each call, so it
 * costs no timer. It starts full. A rate of 0 samples nothing.
 *
 *     new RateLimitingSampler(2);   // up to 2 traces a second, bursts of 2
 *     new RateLimitingSampler(0.1); // one trace every 10 seconds
 */
export class RateLimitingSampler implements Sampler {
  private readonly creditPerMilli: number;
  private readonly maxBalance: number;
  private balance: number;
  private lastTick: number;
  private readonly sampled: SamplingDecision;
  private readonly notSampled: SamplingDecision;

  /**
   * @param maxTracesPerSecond a finite number >= 0; fractions allowed.
   * @param clock monotonic milliseconds; default `performance.now`. Pass a fake one in tests.
   */
  constructor(
    readonly maxTracesPerSecond: number,
    private readonly clock: MonotonicClock = monotonicNow,
  ) {
    if (typeof maxTracesPerSecond !== 'number' || !Number.isFinite(maxTracesPerSecond) || maxTracesPerSecond < 0) {
      throw optionError('RateLimitingSampler maxTracesPerSecond', 'a finite number >= 0', maxTracesPerSecond);
    }
    if (typeof clock !== 'function') throw optionError('RateLimitingSampler clock', 'a function', clock);
    this.creditPerMilli = maxTracesPerSecond / 1000;
    this.maxBalance = Math.max(1, maxTracesPerSecond);
    this.balance = maxTracesPerSecond === 0 ? 0 : this.maxBalance;
    this.lastTick = clock();
    this.sampled = samplingDecision(true, 'ratelimiting', maxTracesPerSecond);
    this.notSampled = samplingDecision(false, 'ratelimiting', maxTracesPerSecond);
  }

  /**
   * Spends one credit if there is one.
   *
   *     if (sampler.shouldSample(traceId, 'GET /', null).sampled) { ... }
   */
  shouldSample(_traceId?: string, _operationName?: string, _parent?: SpanContext | null): SamplingDecision {
    const now = this.clock();
    const elapsed = now - this.lastTick;
    this.lastTick = now;
    // A clock that stalls or steps back (only a test clock can) adds no credit.
    if (elapsed > 0) this.balance = Math.min(this.maxBalance, this.balance + elapsed * this.creditPerMilli);
    if (this.balance >= 1 - ROUNDING_SLACK) {
      this.balance -= 1;
      return this.sampled;
    }
    return this.notSampled;
  }

  toString(): string {
    return `RateLimitingSampler(${this.maxTracesPerSecond})`;
  }
}
