/**
 * Spans started through @opentelemetry/api are bounded by the tracer's span limits like
 * any other span: links added after the start count against maxReferences.
 */
import * as api from '@opentelemetry/api';
import { InMemoryRecorder, Tracer } from '../../lib';
import { registerOpenTelemetry } from '../../lib/opentelemetry';
import type { OpenTelemetryRegistration } from '../../lib/opentelemetry';

const recorder = new InMemoryRecorder();
const tracer = new Tracer({
  serviceName: 'otel-limits',
  recorder,
  limits: { maxReferences: 2, maxTags: 1 },
  logger: { warn: () => undefined },
});
let registration: OpenTelemetryRegistration;

beforeAll(() => {
  registration = registerOpenTelemetry(tracer);
});
afterAll(() => registration.disable());

const link = (n: number): api.Link => ({
  context: { traceId: `${n}`.repeat(32).slice(0, 32), spanId: `${n}`.repeat(16).slice(0, 16), traceFlags: api.TraceFlags.SAMPLED },
});

it('keeps the first maxReferences links, counting the parent, and counts the rest as dropped', () => {
  const otel = api.trace.getTracer('limits');
  otel.startActiveSpan('parent', (parent) => {
    const child = otel.startSpan('child', { links: [link(1)] });
    child.addLink(link(2));
    child.addLinks([link(3), link(4)]);
    child.setAttributes({ a: 1, b: 2 });
    child.end();
    parent.end();
  });
  const child = recorder.spans().find((s) => s.operationName === 'child')!;
  expect(child.references).toHaveLength(2);
  expect(child.references[0]).toMatchObject({ type: 'child_of' });
  expect(child.references[1]).toMatchObject({ type: 'follows_from', spanId: '1'.repeat(16) });
  expect(child.dropped).toEqual({ tags: 1, logs: 0, references: 3 });
});
