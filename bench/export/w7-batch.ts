import * as api from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryRecorder, Tracer } from '../../lib';
import type { FinishedSpan } from '../../lib';

/** W7's batch: what BatchRecorder hands an exporter at a time, by default. */
export const BATCH_SPANS = 512;
/** Spans per trace in the batch: 64 requests of 8 spans each, as a busy service's batch holds them. */
const SPANS_PER_TRACE = 8;

const RESOURCE = { 'service.name': 'bench', 'service.version': '1.0.0' } as const;

/** The 10 tags (attributes) of span `i`: strings, ints, a double and a bool, as a web request has them. */
function tags(i: number): Record<string, string | number | boolean> {
  return {
    component: 'http',
    'http.method': 'GET',
    'http.url': `https://shop.example/api/items/${i}?page=2`,
    'http.status_code': 200,
    'peer.service': 'inventory',
    retry: false,
    ratio: 0.25,
    'user.id': `user-${i % 97}`,
    region: 'eu-west-1',
    iteration: i,
  };
}

function nameOf(i: number): string {
  return `GET /api/items/${i % 10}`;
}

/**
 * 512 spans as sextant's tracer records them: 10 tags and 1 log each, in 64 traces of 8,
 * children of a request span that is not part of the batch (roots would also carry
 * sampler tags).
 */
export function sextantBatch(): FinishedSpan[] {
  const recorder = new InMemoryRecorder();
  const tracer = new Tracer({ serviceName: RESOURCE['service.name'], recorder, tags: { 'service.version': RESOURCE['service.version'] } });
  let parent = tracer.startSpan('request');
  for (let i = 0; i < BATCH_SPANS; i++) {
    if (i % SPANS_PER_TRACE === 0) parent = tracer.startSpan('request');
    const span = tracer.startSpan(nameOf(i), { childOf: parent, tags: tags(i) });
    span.log({ event: 'cache-miss', key: `item:${i}` });
    span.finish();
  }
  return recorder.spans();
}

/** The same 512 spans as OpenTelemetry's SDK records them: 10 attributes and 1 event each, 64 traces of 8. */
export function openTelemetryBatch(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(RESOURCE),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('sextant');
  let parent = api.ROOT_CONTEXT;
  for (let i = 0; i < BATCH_SPANS; i++) {
    if (i % SPANS_PER_TRACE === 0) parent = api.trace.setSpan(api.ROOT_CONTEXT, tracer.startSpan('request'));
    const span = tracer.startSpan(nameOf(i), { attributes: tags(i) }, parent);
    span.addEvent('cache-miss', { key: `item:${i}` });
    span.end();
  }
  const spans = exporter.getFinishedSpans();
  void provider.shutdown();
  return spans;
}
