import { randomBytes } from 'node:crypto';
import {
  ConstSampler,
  InMemoryRecorder,
  ParentBasedSampler,
  ProbabilisticSampler,
  RateLimitingSampler,
  SpanContext,
  Tracer,
} from '../../lib';
import type { Logger, Sampler } from '../../lib';

const DRAWS = 100_000;

/** `count` random 32-hex trace ids, as the tracer makes them. */
function randomTraceIds(count: number): string[] {
  const bytes = randomBytes(count * 16);
  const ids: string[] = new Array(count);
  for (let i = 0; i < count; i++) ids[i] = bytes.toString('hex', i * 16, i * 16 + 16);
  return ids;
}

/** Whether `observed` successes out of `n` draws are within 5 standard deviations of ratio `p`. */
function withinFiveSigma(observed: number, n: number, p: number): boolean {
  const sigma = Math.sqrt(n * p * (1 - p));
  return Math.abs(observed - n * p) <= 5 * sigma + 1;
}

function countSampled(sampler: Sampler, traceIds: string[], parent: (i: number) => SpanContext | null = () => null): number {
  let sampled = 0;
  for (let i = 0; i < traceIds.length; i++) if (sampler.shouldSample(traceIds[i], 'op', parent(i)).sampled) sampled++;
  return sampled;
}

function remoteContext(traceId: string, sampled: boolean, debug = false): SpanContext {
  return new SpanContext({ traceId, spanId: 'a3ce929d0e0e4736', sampled, debug, remote: true });
}

/** A trace id whose rightmost 56 bits (14 hex digits) are `low14`. */
function traceIdEndingIn(low14: string): string {
  return '4bf92f3577b34da6a3' + low14;
}

describe('ConstSampler', () => {
  it('always answers with its decision, tagged const', () => {
    const on = new ConstSampler(true);
    const off = new ConstSampler(false);
    for (const id of randomTraceIds(100)) {
      expect(on.shouldSample(id, 'op', null)).toEqual({ sampled: true, tags: { 'sampler.type': 'const', 'sampler.param': true } });
      expect(off.shouldSample(id, 'op', null).sampled).toBe(false);
    }
    expect(on.toString()).toBe('ConstSampler(true)');
  });

  it('throws naming the decision when it is not a boolean', () => {
    expect(() => new ConstSampler(1 as never)).toThrow(/ConstSampler decision must be a boolean, got 1/);
  });
});

describe('ProbabilisticSampler', () => {
  it.each([-0.1, 1.5, NaN, Infinity, '0.5', undefined, null])('throws a TypeError naming the ratio for %p', (bad) => {
    expect(() => new ProbabilisticSampler(bad as never)).toThrow(TypeError);
    expect(() => new ProbabilisticSampler(bad as never)).toThrow(/ProbabilisticSampler ratio must be a number from 0 to 1/);
  });

  it('is exact at 0 and 1, even for the extreme trace ids', () => {
    const ids = [traceIdEndingIn('00000000000000'), traceIdEndingIn('ffffffffffffff'), ...randomTraceIds(1000)];
    const never = new ProbabilisticSampler(0);
    const always = new ProbabilisticSampler(1);
    expect(ids.filter((id) => never.shouldSample(id).sampled)).toEqual([]);
    expect(ids.filter((id) => !always.shouldSample(id).sampled)).toEqual([]);
  });

  it('compares the rightmost 56 bits of the trace id with 2^56 - ratio * 2^56', () => {
    const half = new ProbabilisticSampler(0.5); // threshold 0x80000000000000
    expect(half.shouldSample(traceIdEndingIn('80000000000000')).sampled).toBe(true);
    expect(half.shouldSample(traceIdEndingIn('7fffffffffffff')).sampled).toBe(false);
    // the leftmost 72 bits play no part
    expect(half.shouldSample('ffffffffffffffffff' + '7fffffffffffff').sampled).toBe(false);
    expect(half.shouldSample('000000000000000000' + '80000000000000').sampled).toBe(true);
    const smallest = new ProbabilisticSampler(2 ** -56); // keeps exactly one value of R in 2^56
    expect(smallest.shouldSample(traceIdEndingIn('ffffffffffffff')).sampled).toBe(true);
    expect(smallest.shouldSample(traceIdEndingIn('fffffffffffffe')).sampled).toBe(false);
  });

  it('decides from the trace id alone: two services with the same ratio agree on every trace', () => {
    const ids = randomTraceIds(20_000);
    const a = new ProbabilisticSampler(0.3);
    const b = new ProbabilisticSampler(0.3);
    const disagreements = ids.filter((id) => b.shouldSample(id, 'other-op', null).sampled !== a.shouldSample(id, 'op', null).sampled);
    expect(disagreements).toEqual([]);
  });

  it('keeps at a higher ratio every trace it keeps at a lower one', () => {
    const ratios = [0.001, 0.01, 0.1, 0.5, 0.9].map((r) => new ProbabilisticSampler(r));
    const violations = randomTraceIds(20_000).filter((id) => {
      const kept = ratios.map((s) => s.shouldSample(id).sampled);
      return kept.some((k, i) => i > 0 && kept[i - 1] && !k);
    });
    expect(violations).toEqual([]);
  });

  it('returns shared frozen decisions tagged probabilistic with the ratio', () => {
    const sampler = new ProbabilisticSampler(0.25);
    const yes = sampler.shouldSample(traceIdEndingIn('ffffffffffffff'));
    const no = sampler.shouldSample(traceIdEndingIn('00000000000000'));
    expect(yes).toEqual({ sampled: true, tags: { 'sampler.type': 'probabilistic', 'sampler.param': 0.25 } });
    expect(no.sampled).toBe(false);
    expect(Object.isFrozen(yes) && Object.isFrozen(yes.tags)).toBe(true);
    expect(sampler.shouldSample(traceIdEndingIn('fffffffffffff0'))).toBe(yes);
    expect(sampler.toString()).toBe('ProbabilisticSampler(0.25)');
  });
});

describe('RateLimitingSampler', () => {
  /** A hand-driven monotonic clock, in ms. */
  function manualClock() {
    let now = 0;
    return { now: () => now, advance: (ms: number) => void (now += ms) };
  }

  it.each([-1, NaN, Infinity, '5', undefined])('throws a TypeError naming maxTracesPerSecond for %p', (bad) => {
    expect(() => new RateLimitingSampler(bad as never)).toThrow(/RateLimitingSampler maxTracesPerSecond must be a finite number >= 0/);
  });

  it('allows a burst of max(1, rate) after a quiet spell, then one per 1/rate seconds', () => {
    const clock = manualClock();
    const sampler = new RateLimitingSampler(5, clock.now);
    const burst = Array.from({ length: 7 }, () => sampler.shouldSample().sampled);
    expect(burst).toEqual([true, true, true, true, true, false, false]);
    clock.advance(199);
    expect(sampler.shouldSample().sampled).toBe(false);
    clock.advance(1);
    expect(sampler.shouldSample().sampled).toBe(true);
    expect(sampler.shouldSample().sampled).toBe(false);
    clock.advance(60_000); // a long idle does not bank more than the bucket holds
    const afterIdle = Array.from({ length: 7 }, () => sampler.shouldSample().sampled).filter(Boolean).length;
    expect(afterIdle).toBe(5);
  });

  it('works for fractional rates: 0.1 per second is one trace every ten seconds', () => {
    const clock = manualClock();
    const sampler = new RateLimitingSampler(0.1, clock.now);
    const sampledAt: number[] = [];
    for (let t = 0; t <= 60_000; t += 100) {
      if (sampler.shouldSample().sampled) sampledAt.push(t);
      clock.advance(100);
    }
    expect(sampledAt).toEqual([0, 10_000, 20_000, 30_000, 40_000, 50_000, 60_000]);
  });

  it('samples nothing at rate 0', () => {
    const clock = manualClock();
    const sampler = new RateLimitingSampler(0, clock.now);
    for (let i = 0; i < 100; i++, clock.advance(1000)) expect(sampler.shouldSample().sampled).toBe(false);
  });

  it('reads the real monotonic clock on each call and needs no timer', () => {
    const handlesBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const started = performance.now();
    const sampler = new RateLimitingSampler(1000);
    let sampled = 0;
    for (let i = 0; i < 50_000; i++) if (sampler.shouldSample().sampled) sampled++;
    const elapsedSeconds = (performance.now() - started) / 1000;
    expect(sampled).toBeGreaterThanOrEqual(1000); // the initial burst
    expect(sampled).toBeLessThanOrEqual(1000 + Math.ceil(1000 * elapsedSeconds) + 1);
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(handlesBefore);
  });

  it('tags its decisions ratelimiting with the rate', () => {
    const sampler = new RateLimitingSampler(2.5, manualClock().now);
    expect(sampler.shouldSample()).toEqual({ sampled: true, tags: { 'sampler.type': 'ratelimiting', 'sampler.param': 2.5 } });
    expect(sampler.toString()).toBe('RateLimitingSampler(2.5)');
  });
});

describe('ParentBasedSampler', () => {
  const id = traceIdEndingIn('00000000000000');

  it('asks the root sampler for new traces, and follows the remote parent otherwise', () => {
    const onRoot = new ParentBasedSampler(new ConstSampler(true));
    const offRoot = new ParentBasedSampler(new ConstSampler(false));
    expect(onRoot.shouldSample(id, 'op', null).tags).toEqual({ 'sampler.type': 'const', 'sampler.param': true });
    expect(offRoot.shouldSample(id, 'op', null).sampled).toBe(false);
    expect(offRoot.shouldSample(id, 'op', remoteContext(id, true)).sampled).toBe(true);
    expect(onRoot.shouldSample(id, 'op', remoteContext(id, false)).sampled).toBe(false);
  });

  it('samples a remote parent that carries the debug flag, whatever its sampled flag', () => {
    const sampler = new ParentBasedSampler(new ConstSampler(false));
    expect(sampler.shouldSample(id, 'op', remoteContext(id, false, true)).sampled).toBe(true);
  });

  it('uses the samplers given for sampled and unsampled remote parents', () => {
    const sampler = new ParentBasedSampler(new ConstSampler(true), {
      remoteParentSampled: new ConstSampler(false),
      remoteParentNotSampled: new ConstSampler(true),
    });
    expect(sampler.shouldSample(id, 'op', remoteContext(id, true)).sampled).toBe(false);
    expect(sampler.shouldSample(id, 'op', remoteContext(id, false)).sampled).toBe(true);
    expect(sampler.toString()).toBe(
      'ParentBasedSampler(ConstSampler(true), remoteParentSampled: ConstSampler(false), remoteParentNotSampled: ConstSampler(true))',
    );
  });

  it('throws naming the argument that is not a sampler', () => {
    expect(() => new ParentBasedSampler(null as never)).toThrow(/ParentBasedSampler root must be a Sampler/);
    expect(() => new ParentBasedSampler(new ConstSampler(true), { remoteParentSampled: {} as never })).toThrow(
      /ParentBasedSampler options\.remoteParentSampled must be a Sampler/,
    );
  });
});

describe(`observed sampling rates over ${DRAWS} random trace ids (within 5 sigma)`, () => {
  const traceIds = randomTraceIds(DRAWS);

  it('ConstSampler: all or nothing', () => {
    expect(countSampled(new ConstSampler(true), traceIds)).toBe(DRAWS);
    expect(countSampled(new ConstSampler(false), traceIds)).toBe(0);
  });

  it.each([0.0001, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.99])('ProbabilisticSampler(%p)', (ratio) => {
    const observed = countSampled(new ProbabilisticSampler(ratio), traceIds);
    expect(withinFiveSigma(observed, DRAWS, ratio)).toBe(true);
  });

  it('ProbabilisticSampler(0) and (1) are exact', () => {
    expect(countSampled(new ProbabilisticSampler(0), traceIds)).toBe(0);
    expect(countSampled(new ProbabilisticSampler(1), traceIds)).toBe(DRAWS);
  });

  it.each([
    [10, 1],
    [0.5, 0.25],
    [100, 0.5],
  ])('RateLimitingSampler(%p/s) with calls arriving at random over the run keeps rate * duration (+ burst)', (rate, meanGapMs) => {
    let now = 0;
    const sampler = new RateLimitingSampler(rate, () => now);
    let sampled = 0;
    for (const id of traceIds) {
      if (sampler.shouldSample(id, 'op', null).sampled) sampled++;
      now += -Math.log(1 - Math.random()) * meanGapMs; // exponential gaps: a Poisson arrival stream
    }
    const expected = rate * (now / 1000);
    expect(sampled).toBeGreaterThanOrEqual(Math.floor(expected) - 1);
    expect(sampled).toBeLessThanOrEqual(Math.ceil(expected) + Math.max(1, rate) + 1);
  });

  it.each([0.05, 0.5, 0.95])('ParentBasedSampler follows remote parents sampled at %p', (parentRate) => {
    const sampler = new ParentBasedSampler(new ConstSampler(false));
    const parentSampled = traceIds.map(() => Math.random() < parentRate);
    const observed = countSampled(sampler, traceIds, (i) => remoteContext(traceIds[i], parentSampled[i]));
    expect(observed).toBe(parentSampled.filter(Boolean).length);
    expect(withinFiveSigma(observed, DRAWS, parentRate)).toBe(true);
  });

  it('ParentBasedSampler(ProbabilisticSampler(0.2)) through a Tracer records 20% of new traces', () => {
    const recorder = new InMemoryRecorder();
    const logger: Logger = { warn: () => undefined };
    const tracer = new Tracer({ serviceName: 'stats', recorder, logger, sampler: new ParentBasedSampler(new ProbabilisticSampler(0.2)) });
    for (let i = 0; i < DRAWS; i++) tracer.startSpan('root').finish();
    const recorded = recorder.spans();
    expect(withinFiveSigma(recorded.length, DRAWS, 0.2)).toBe(true);
    const check = new ProbabilisticSampler(0.2);
    for (const span of recorded.slice(0, 1000)) expect(check.shouldSample(span.traceId).sampled).toBe(true);
  });
});
