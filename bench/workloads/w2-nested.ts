import { idProblems } from './checks';
import { timeAsync } from './measure';
import { expectExported } from './workload';
import type { MicroWorkload } from './workload';

const VERIFY_CHAINS = 200;

/** W2: an async chain of three nested active spans, each level awaiting a resolved promise. */
export const W2: MicroWorkload = {
  id: 'W2',
  title: 'async chain of three nested active spans',
  unit: 'chain',
  variants: (peer) => (peer.nestedChain === null ? [] : ['chain']),

  async verify(peer) {
    const chain = peer.nestedChain!;
    if (peer.sink === null) {
      for (let i = 0; i < 10; i++) await chain();
      return [];
    }
    await peer.flush();
    const startedAt = Date.now();
    peer.sink.startCapture();
    for (let i = 0; i < VERIFY_CHAINS; i++) await chain();
    await peer.flush();
    const spans = peer.sink.stopCapture();
    if (spans.length !== 3 * VERIFY_CHAINS) return [`${spans.length} of ${3 * VERIFY_CHAINS} spans reached the exporter`];
    const problems = idProblems(spans, startedAt);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const parentName: Record<string, string | undefined> = { 'w2.level1': undefined, 'w2.level2': 'w2.level1', 'w2.level3': 'w2.level2' };
    const perName = new Map<string, number>();
    for (const span of spans) {
      perName.set(span.name, (perName.get(span.name) ?? 0) + 1);
      const wanted = parentName[span.name];
      if (wanted === undefined) {
        if (span.parentSpanId !== undefined) problems.push(`${span.name} has a parent`);
        continue;
      }
      const parent = span.parentSpanId === undefined ? undefined : byId.get(span.parentSpanId);
      if (parent === undefined || parent.name !== wanted)
        problems.push(`${span.name}'s parent is ${parent?.name ?? 'missing'}, expected ${wanted}`);
      else if (parent.traceId !== span.traceId) problems.push(`${span.name} is in another trace than its parent`);
      if (problems.length > 5) break;
    }
    for (const name of Object.keys(parentName)) {
      if (perName.get(name) !== VERIFY_CHAINS) problems.push(`${perName.get(name) ?? 0} ${name} spans, expected ${VERIFY_CHAINS}`);
    }
    if (new Set(spans.map((s) => s.traceId)).size !== VERIFY_CHAINS) problems.push('chains share trace ids');
    return problems;
  },

  async run(peer, _variant, millis) {
    const before = peer.sink?.exported ?? 0;
    const sample = await timeAsync(peer.nestedChain!, millis, 32);
    await expectExported(peer, before, 3 * sample.ops);
    return sample;
  },
};
