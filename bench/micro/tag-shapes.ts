/**
 * `node -r ./bench/register.js bench/micro/tag-shapes.ts`: ns per span for the tag shapes a
 * service's spans take, on the running Node. Not a peer comparison: a guard for the
 * copies in `span-fields.ts` (`copyFields`), where how an object is copied decides what
 * every later key costs (on Node 20, a key added to a spread copy of a literal costs
 * over a microsecond). Run it on each Node before changing how tags are copied.
 */
import { SpanContext, Tracer } from '../../lib';
import type { FinishedSpan, Recorder } from '../../lib';

const ROUNDS = 7;
const SPANS_PER_ROUND = 200_000;

let recorded = 0;
const countingRecorder: Recorder = {
  record(_span: FinishedSpan): void {
    recorded++;
  },
  flush: () => Promise.resolve(),
  close: () => Promise.resolve(),
};
const tracer = new Tracer({ serviceName: 'bench', recorder: countingRecorder });
const upstream = new SpanContext({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: true, remote: true });

const SHAPES: Record<string, (i: number) => void> = {
  // W1's span: a root with two tags given at the start.
  'root, 2 start tags': (i) => tracer.startSpan('root', { tags: { component: 'bench', iteration: i } }).finish(),
  // A server span of a fleet: the upstream context, tags at the start, more at the end.
  'upstream parent, 3 start tags + 2 setTag': (i) => {
    const span = tracer.startSpan('GET /items/:id', {
      childOf: upstream,
      tags: { 'span.kind': 'server', 'http.method': 'GET', 'http.url': `/items/${i}` },
    });
    span.setTag('http.status_code', 200);
    span.setTag('http.route', '/items/:id');
    span.finish();
  },
  'root, 3 start tags + 2 setTag': (i) => {
    const span = tracer.startSpan('GET /items/:id', { tags: { 'span.kind': 'server', 'http.method': 'GET', 'http.url': `/items/${i}` } });
    span.setTag('http.status_code', 200);
    span.setTag('http.route', '/items/:id');
    span.finish();
  },
};

for (const [shape, makeSpan] of Object.entries(SHAPES)) {
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < SPANS_PER_ROUND; i++) makeSpan(i);
    best = Math.min(best, Number(process.hrtime.bigint() - started) / SPANS_PER_ROUND);
  }
  console.log(`${process.version}  ${shape.padEnd(44)} ${best.toFixed(0).padStart(6)} ns/span (best of ${ROUNDS} rounds)`);
}
if (recorded !== ROUNDS * SPANS_PER_ROUND * Object.keys(SHAPES).length) throw new Error(`only ${recorded} spans were recorded`);
