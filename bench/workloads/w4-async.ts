import { RESOLVED } from '../peers/peer';
import { timeAsync } from './measure';
import { expectExported } from './workload';
import type { MicroWorkload } from './workload';

/** The unit of W4: ten sequential awaits, nothing else. */
export async function tenAwaits(): Promise<void> {
  for (let i = 0; i < 10; i++) await RESOLVED;
}

export const IN_SPAN = 'in span';
export const OUTSIDE = 'outside';
/** The same awaits timed in the same process before the tracer ever made a span active. */
export const BEFORE = 'before any span';

/**
 * W4: what an active span costs async code. The same ten awaits are timed in one
 * process first before the tracer ever made a span active (`BEFORE`: on Node 20, before
 * AsyncLocalStorage was enabled), then inside an active span and outside any. The
 * slowdown is in-span against the same process's `BEFORE`, so processes are not
 * compared with each other. `noop` has no span to make: its `in span` runs the same
 * code path with nothing active, which shows the method's own noise.
 */
export const W4: MicroWorkload = {
  id: 'W4',
  title: 'ten sequential awaits, with and without an active span',
  unit: 'call',
  variants: (peer) => (peer.withActiveSpan === null ? [] : [IN_SPAN, OUTSIDE]),

  async verify(peer, variant) {
    // The floor activates nothing by design: its `in span` is the untraced baseline.
    if (peer.name === 'noop') return [];
    if (variant === OUTSIDE) {
      await tenAwaits();
      const active = peer.activeTraceId();
      return active === null ? [] : [`a span (${active}) is active outside any span`];
    }
    const problems: string[] = [];
    const before = peer.sink?.exported ?? 0;
    await peer.withActiveSpan!(async () => {
      const first = peer.activeTraceId();
      if (first === null) problems.push('no active span inside withActiveSpan');
      await tenAwaits();
      const after = peer.activeTraceId();
      if (after !== first) problems.push(`active span changed across awaits: ${first} then ${after}`);
    });
    if (peer.activeTraceId() !== null) problems.push('the span is still active after withActiveSpan returned');
    try {
      await expectExported(peer, before, 1);
    } catch (error) {
      problems.push((error as Error).message);
    }
    return problems;
  },

  async run(peer, variant, millis) {
    if (variant === OUTSIDE || variant === BEFORE) return timeAsync(tenAwaits, millis, 64);
    const before = peer.sink?.exported ?? 0;
    const sample = await peer.withActiveSpan!(() => timeAsync(tenAwaits, millis, 64));
    await expectExported(peer, before, 1);
    return sample;
  },
};
