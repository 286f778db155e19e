import { hasSubMillisecondTimes, idProblems } from './checks';
import { timeSync } from './measure';
import { expectExported } from './workload';
import type { MicroWorkload } from './workload';

const VERIFY_SPANS = 1000;

/** W1: a root span with two tags, started and finished, through the batching path. */
export const W1: MicroWorkload = {
  id: 'W1',
  title: 'root span with two tags, through the batching path',
  unit: 'span',
  variants: (peer) => (peer.rootSpan === null ? [] : ['root']),

  async verify(peer) {
    const rootSpan = peer.rootSpan!;
    if (peer.sink === null) {
      for (let i = 0; i < 10; i++) rootSpan(i);
      return [];
    }
    await peer.flush();
    const startedAt = Date.now();
    peer.sink.startCapture();
    for (let i = 0; i < VERIFY_SPANS; i++) rootSpan(i);
    await peer.flush();
    const spans = peer.sink.stopCapture();
    if (spans.length !== VERIFY_SPANS) return [`${spans.length} of ${VERIFY_SPANS} spans reached the exporter`];
    const problems = idProblems(spans, startedAt);
    const iterations = new Set<unknown>();
    for (const span of spans) {
      if (span.name !== 'w1.root') problems.push(`name ${span.name}`);
      if (span.parentSpanId !== undefined) problems.push(`root span has parent ${span.parentSpanId}`);
      if (span.tags.component !== 'bench') problems.push(`tag component=${String(span.tags.component)}`);
      iterations.add(span.tags.iteration);
      if (problems.length > 5) break;
    }
    if (iterations.size !== VERIFY_SPANS) problems.push(`${iterations.size} distinct iteration tags, expected ${VERIFY_SPANS}`);
    if (new Set(spans.map((s) => s.traceId)).size !== VERIFY_SPANS) problems.push('root spans share trace ids');
    if (peer.name === 'sextant' && !hasSubMillisecondTimes(spans)) problems.push('no sub-millisecond start times');
    return problems;
  },

  async run(peer, _variant, millis) {
    const before = peer.sink?.exported ?? 0;
    const sample = await timeSync(peer.rootSpan!, millis, 256);
    await expectExported(peer, before, sample.ops);
    return sample;
  },
};
