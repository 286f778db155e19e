import * as opentracing from 'opentracing';
import {
  ConstSampler,
  InMemoryRecorder,
  ParentBasedSampler,
  ProbabilisticSampler,
  RateLimitingSampler,
  SpanContext,
  Tracer,
} from '../../lib';
import type { Sampler } from '../../lib';

function setup(sampler?: Sampler) {
  const recorder = new InMemoryRecorder();
  const warnings: string[] = [];
  const tracer = new Tracer({ serviceName: 'sampling-test', recorder, sampler, logger: { warn: (m) => warnings.push(m) } });
  return { tracer, recorder, warnings };
}

function remoteParent(sampled: boolean, debug = false): SpanContext {
  return new SpanContext({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled, debug, remote: true });
}

function traceFlagsInjected(tracer: Tracer, span: opentracing.Span): string {
  const headers: Record<string, string> = {};
  tracer.inject(span, opentracing.FORMAT_HTTP_HEADERS, headers);
  return headers.traceparent.slice(-2);
}

describe('the default sampler', () => {
  it('is ParentBasedSampler(ConstSampler(true)): new traces are sampled, remote decisions followed', () => {
    const { tracer, recorder } = setup();
    tracer.startSpan('root').finish();
    tracer.startSpan('follows-unsampled', { childOf: remoteParent(false) }).finish();
    tracer.startSpan('follows-sampled', { childOf: remoteParent(true) }).finish();
    expect(recorder.spans().map((s) => s.operationName)).toEqual(['root', 'follows-sampled']);
    expect(recorder.spans()[0].tags).toEqual({ 'sampler.type': 'const', 'sampler.param': true });
  });
});

describe('sampler decision tags', () => {
  it.each([
    ['const', new ConstSampler(true), true],
    ['probabilistic', new ProbabilisticSampler(1), 1],
    ['ratelimiting', new RateLimitingSampler(100), 100],
    ['probabilistic', new ParentBasedSampler(new ProbabilisticSampler(1)), 1],
  ])('are recorded on sampled root spans (%s)', (type, sampler, param) => {
    const { tracer, recorder } = setup(sampler);
    tracer.startActiveSpan('root', { tags: { 'http.method': 'GET' } }, () => tracer.startSpan('child').finish());
    const [child, root] = recorder.spans();
    expect(root.tags).toEqual({ 'sampler.type': type, 'sampler.param': param, 'http.method': 'GET' });
    expect(child.tags).toEqual({});
  });

  it('are not added to a span that continues a remote trace', () => {
    const { tracer, recorder } = setup(new ParentBasedSampler(new ProbabilisticSampler(1)));
    tracer.startSpan('server', { childOf: remoteParent(true) }).finish();
    expect(recorder.spans()[0].tags).toEqual({});
  });

  it("never modify the caller's tags object", () => {
    const { tracer, recorder } = setup(new ConstSampler(true));
    const tags = Object.freeze({ a: 1 });
    tracer.startSpan('root', { tags }).finish();
    expect(tags).toEqual({ a: 1 });
    expect(recorder.spans()[0].tags).toEqual({ 'sampler.type': 'const', 'sampler.param': true, a: 1 });
  });
});

describe('sampling.priority', () => {
  it('> 0 at start forces a span on that the sampler dropped, and it records and propagates sampled', () => {
    const { tracer, recorder } = setup(new ConstSampler(false));
    const span = tracer.startSpan('forced', { tags: { [opentracing.Tags.SAMPLING_PRIORITY]: 1 } });
    expect(span.context().sampled).toBe(true);
    expect(traceFlagsInjected(tracer, span)).toBe('01');
    const child = tracer.startSpan('child', { childOf: span });
    child.finish();
    span.finish();
    expect(recorder.spans().map((s) => s.operationName)).toEqual(['child', 'forced']);
  });

  it('0 at start forces a span off that the sampler kept, and it is neither recorded nor propagated sampled', () => {
    const { tracer, recorder } = setup(new ConstSampler(true));
    const span = tracer.startSpan('dropped', { tags: { 'sampling.priority': 0 } });
    expect(traceFlagsInjected(tracer, span)).toBe('00');
    tracer.startSpan('child', { childOf: span }).finish();
    span.finish();
    expect(recorder.spans()).toEqual([]);
  });

  it('0 also overrides a sampled remote parent', () => {
    const { tracer, recorder } = setup();
    tracer.startSpan('server', { childOf: remoteParent(true), tags: { 'sampling.priority': 0 } }).finish();
    expect(recorder.spans()).toEqual([]);
  });

  it('set later, while the span is unfinished, turns sampling on (> 0) for the span and children started after', () => {
    const { tracer, recorder } = setup(new ConstSampler(false));
    const span = tracer.startSpan('late');
    const before = tracer.startSpan('before', { childOf: span });
    expect(traceFlagsInjected(tracer, span)).toBe('00');
    span.setTag('sampling.priority', 2);
    expect(traceFlagsInjected(tracer, span)).toBe('01');
    const after = tracer.startSpan('after', { childOf: span });
    before.finish();
    after.finish();
    span.finish();
    expect(recorder.spans().map((s) => s.operationName)).toEqual(['after', 'late']);
    expect(recorder.spans()[1].tags['sampling.priority']).toBe(2);
  });

  it('set later to 0 turns sampling off; addTags works like setTag', () => {
    const { tracer, recorder } = setup(new ConstSampler(true));
    const a = tracer.startSpan('a');
    a.setTag('sampling.priority', 0);
    a.finish();
    const b = tracer.startSpan('b');
    b.addTags({ 'sampling.priority': 0 });
    b.finish();
    expect(recorder.spans()).toEqual([]);
  });

  it('has no effect once the span is finished', () => {
    const { tracer, recorder, warnings } = setup(new ConstSampler(false));
    const span = tracer.startSpan('done');
    span.finish();
    span.setTag('sampling.priority', 1);
    expect(span.context().sampled).toBe(false);
    expect(recorder.spans()).toEqual([]);
    expect(warnings.join('\n')).toMatch(/setTag\(\) called after finish/);
  });
});

describe('debug flag', () => {
  it('forces sampling on for a remote parent under the default sampler', () => {
    const { tracer, recorder } = setup();
    tracer.startSpan('debugged', { childOf: remoteParent(false, true) }).finish();
    expect(recorder.spans().map((s) => s.operationName)).toEqual(['debugged']);
  });

  it('forces sampling on whatever the sampler, and passes on to local children', () => {
    const { tracer, recorder } = setup(new ProbabilisticSampler(0));
    const server = tracer.startSpan('server', { childOf: remoteParent(false, true) });
    const child = tracer.startSpan('child', { childOf: server });
    expect(child.context().debug).toBe(true);
    child.finish();
    server.finish();
    expect(recorder.spans().map((s) => s.operationName)).toEqual(['child', 'server']);
  });
});

describe('debug flags on the wire', () => {
  function tracerSpeaking(propagation: ('b3' | 'b3multi' | 'jaeger')[]) {
    const recorder = new InMemoryRecorder();
    const tracer = new Tracer({ serviceName: 'debug-wire', recorder, sampler: new ProbabilisticSampler(0), propagation });
    return { tracer, recorder };
  }

  it.each([
    [
      'B3 multi X-B3-Flags: 1',
      ['b3multi'] as const,
      { 'x-b3-traceid': '4bf92f3577b34da6a3ce929d0e0e4736', 'x-b3-spanid': '00f067aa0ba902b7', 'x-b3-sampled': '0', 'x-b3-flags': '1' },
    ],
    ['B3 single, sampling state d', ['b3'] as const, { b3: '4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-d' }],
    ['Jaeger flags 0x02', ['jaeger'] as const, { 'uber-trace-id': '4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7:0:2' }],
  ])('%s forces sampling on, even under a sampler that keeps nothing', (_label, propagation, headers) => {
    const { tracer, recorder } = tracerSpeaking([...propagation]);
    const parent = tracer.extract(opentracing.FORMAT_HTTP_HEADERS, headers);
    expect((parent as SpanContext | null)?.debug).toBe(true);
    tracer.startSpan('server', { childOf: parent ?? undefined }).finish();
    tracer.startSpan('unrelated-root').finish();
    expect(recorder.spans().map((s) => s.operationName)).toEqual(['server']);
  });
});

describe('a sampler that throws', () => {
  it('does not break startSpan: the trace is not sampled and the fault is reported once', () => {
    const broken: Sampler = {
      shouldSample() {
        throw new Error('boom');
      },
      toString: () => 'Broken',
    };
    const { tracer, recorder, warnings } = setup(broken);
    for (let i = 0; i < 3; i++) tracer.startSpan('x').finish();
    expect(recorder.spans()).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/sampler\.shouldSample\(\) threw: Error: boom/)]);
  });
});
