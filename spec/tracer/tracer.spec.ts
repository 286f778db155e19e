import * as opentracing from 'opentracing';
import { ConstSampler, InMemoryRecorder, Span, SpanContext, Tracer } from '../../lib';
import type { Logger, Recorder } from '../../lib';

function setup(extra: Partial<ConstructorParameters<typeof Tracer>[0]> = {}) {
  const recorder = new InMemoryRecorder();
  const warnings: string[] = [];
  const logger: Logger = { warn: (m) => warnings.push(m) };
  const tracer = new Tracer({ serviceName: 'core-test', recorder, logger, ...extra });
  return { tracer, recorder, warnings };
}

describe('Tracer construction', () => {
  it('is an opentracing.Tracer', () => {
    expect(setup().tracer).toBeInstanceOf(opentracing.Tracer);
  });

  it.each([
    ['serviceName', { serviceName: '' }],
    ['serviceName', { serviceName: 42 }],
    ['recorder', { serviceName: 's', recorder: {} }],
    ['sampler', { serviceName: 's', sampler: { nope: true } }],
    ['scopeManager', { serviceName: 's', scopeManager: 1 }],
    ['logger', { serviceName: 's', logger: {} }],
    ['tags', { serviceName: 's', tags: 'x' }],
    ['propagation', { serviceName: 's', propagation: ['w3c'] }],
  ])('throws naming %s when it is invalid', (name, options) => {
    expect(() => new Tracer(options as never)).toThrow(new RegExp(`TracerOptions\\.${name}`));
  });

  it('throws without options', () => {
    expect(() => new Tracer(undefined as never)).toThrow(TypeError);
  });
});

describe('Span ids and times', () => {
  it('makes 32-hex trace ids and 16-hex span ids, all distinct', () => {
    const { tracer } = setup();
    const traceIds = new Set<string>();
    const spanIds = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const ctx = tracer.startSpan('s').context();
      expect(ctx.toTraceId()).toMatch(/^[0-9a-f]{32}$/);
      expect(ctx.toSpanId()).toMatch(/^[0-9a-f]{16}$/);
      traceIds.add(ctx.toTraceId());
      spanIds.add(ctx.toSpanId());
    }
    expect(traceIds.size).toBe(5000);
    expect(spanIds.size).toBe(5000);
  });

  it('records epoch-ms start times with sub-millisecond precision and non-negative durations', () => {
    const { tracer, recorder } = setup();
    const before = Date.now();
    for (let i = 0; i < 200; i++) tracer.startSpan('t').finish();
    const after = Date.now();
    const spans = recorder.spans();
    expect(spans.some((s) => !Number.isInteger(s.startTime))).toBe(true);
    for (const s of spans) {
      expect(s.startTime).toBeGreaterThanOrEqual(before - 50);
      expect(s.startTime).toBeLessThanOrEqual(after + 50);
      expect(s.duration).toBeGreaterThanOrEqual(0);
    }
  });

  it('takes startTime and finishTime from the caller, and clamps a negative duration to 0', () => {
    const { tracer, recorder } = setup();
    tracer.startSpan('given', { startTime: 1_700_000_000_000.5 }).finish(1_700_000_000_010.25);
    tracer.startSpan('backwards', { startTime: 1_700_000_000_000 }).finish(1_699_999_999_000);
    const [given, backwards] = recorder.spans();
    expect(given.startTime).toBe(1_700_000_000_000.5);
    expect(given.duration).toBeCloseTo(9.75, 6);
    expect(backwards.duration).toBe(0);
  });

  it('does not let a wall-clock jump make a duration negative', () => {
    const { tracer, recorder } = setup();
    const realNow = Date.now;
    const span = tracer.startSpan('jump');
    Date.now = () => realNow() - 3_600_000;
    try {
      span.finish();
    } finally {
      Date.now = realNow;
    }
    expect(recorder.spans()[0].duration).toBeGreaterThanOrEqual(0);
    expect(recorder.spans()[0].duration).toBeLessThan(1000);
  });
});

describe('FinishedSpan', () => {
  it('has exactly the fields of the contract', () => {
    const { tracer, recorder } = setup();
    const root = tracer.startSpan('root', { tags: { a: 1 } });
    root.setBaggageItem('k', 'v');
    const child = tracer.startSpan('child', { childOf: root });
    child.log({ event: 'hello' }, 1234.5);
    child.finish();
    root.finish();
    const [c, r] = recorder.spans();
    expect(Object.keys(r).sort()).toEqual(
      [
        'baggage',
        'duration',
        'logs',
        'operationName',
        'process',
        'references',
        'serviceName',
        'spanId',
        'startTime',
        'tags',
        'traceId',
      ].sort(),
    );
    expect('parentSpanId' in r).toBe(false);
    expect('dropped' in r).toBe(false);
    // One process object per tracer, shared by every span it records.
    expect(r.process).toEqual({ serviceName: 'core-test', tags: {} });
    expect(c.process).toBe(r.process);
    expect(Object.isFrozen(r.process)).toBe(true);
    expect(r).toMatchObject({ operationName: 'root', serviceName: 'core-test', baggage: { k: 'v' }, references: [] });
    expect(r.tags).toEqual({ a: 1, 'sampler.type': 'const', 'sampler.param': true });
    expect(c).toMatchObject({
      traceId: r.traceId,
      parentSpanId: r.spanId,
      operationName: 'child',
      logs: [{ timestamp: 1234.5, fields: { event: 'hello' } }],
      references: [{ type: 'child_of', traceId: r.traceId, spanId: r.spanId }],
      baggage: { k: 'v' },
    });
  });
});

describe('startSpan parents', () => {
  it('accepts a Span or a SpanContext as childOf', () => {
    const { tracer } = setup();
    const parent = tracer.startSpan('p');
    for (const childOf of [parent, parent.context()]) {
      const child = tracer.startSpan('c', { childOf });
      expect(child.context().traceId).toBe(parent.context().traceId);
      expect(child.context().spanId).not.toBe(parent.context().spanId);
    }
  });

  it('uses the first child_of reference as parent, else the first reference, and records all references', () => {
    const { tracer, recorder } = setup();
    const a = tracer.startSpan('a');
    const b = tracer.startSpan('b');
    tracer.startSpan('x', { references: [opentracing.followsFrom(a.context()), opentracing.childOf(b.context())] }).finish();
    tracer.startSpan('y', { references: [opentracing.followsFrom(a.context())] }).finish();
    const [x, y] = recorder.spans();
    expect(x.parentSpanId).toBe(b.context().spanId);
    expect(x.traceId).toBe(b.context().traceId);
    expect(x.references).toEqual([
      { type: 'follows_from', traceId: a.context().traceId, spanId: a.context().spanId },
      { type: 'child_of', traceId: b.context().traceId, spanId: b.context().spanId },
    ]);
    expect(y.parentSpanId).toBe(a.context().spanId);
    expect(y.references).toEqual([{ type: 'follows_from', traceId: a.context().traceId, spanId: a.context().spanId }]);
  });

  it('never mutates the caller options object', () => {
    const { tracer } = setup();
    const parent = tracer.startSpan('p');
    const options = { childOf: parent, tags: { a: 1 } };
    const frozen = Object.freeze({ ...options, tags: Object.freeze({ a: 1 }) });
    const child = tracer.startSpan('c', options);
    child.setTag('b', 2);
    expect(options).toEqual({ childOf: parent, tags: { a: 1 } });
    expect(() => tracer.startSpan('c', frozen).setTag('z', 1)).not.toThrow();
  });

  it('makes the active span the parent unless ignoreActiveSpan', () => {
    const { tracer } = setup();
    tracer.startActiveSpan('outer', (outer) => {
      expect(tracer.startSpan('implicit').context().traceId).toBe(outer.context().traceId);
      expect(tracer.startSpan('ignored', { ignoreActiveSpan: true }).context().traceId).not.toBe(outer.context().traceId);
    });
  });

  it('reads childOf: null and childOf: undefined as "not given": the active span is the parent', () => {
    // Instrumentation passes `childOf: tracer.extract(...)`, which is null when no header came.
    const { tracer, recorder } = setup();
    tracer.startActiveSpan('outer', (outer) => {
      const fromNull = tracer.startSpan('from-null', { childOf: null as never });
      const fromUndefined = tracer.startSpan('from-undefined', { childOf: undefined });
      const extracted = tracer.startSpan('extracted', { childOf: tracer.extract(opentracing.FORMAT_HTTP_HEADERS, {}) as never });
      for (const span of [fromNull, fromUndefined, extracted]) {
        expect(span.context().traceId).toBe(outer.context().traceId);
        span.finish();
      }
      const recorded = recorder.spans().map((s) => s.parentSpanId);
      expect(recorded).toEqual([outer.context().spanId, outer.context().spanId, outer.context().spanId]);
      const root = tracer.startSpan('root', { childOf: null as never, ignoreActiveSpan: true });
      expect(root.context().traceId).not.toBe(outer.context().traceId);
    });
  });

  it('continues a foreign SpanContext that exposes valid ids', () => {
    const { tracer } = setup();
    const foreign = { toTraceId: () => 'ABCDEF0123456789', toSpanId: () => '0123456789abcdef' } as unknown as opentracing.SpanContext;
    const child = tracer.startSpan('c', { childOf: foreign });
    expect(child.context().traceId).toBe('0000000000000000abcdef0123456789');
    const noop = new opentracing.Tracer().startSpan('noop');
    expect(() => tracer.startSpan('c2', { childOf: noop })).not.toThrow();
  });

  it('works through opentracing.globalTracer(), making the active span the parent', () => {
    const { tracer, recorder } = setup();
    opentracing.initGlobalTracer(tracer);
    try {
      tracer.startActiveSpan('outer', () => {
        opentracing.globalTracer().startSpan('via-global').finish();
      });
      const [inner, outer] = recorder.spans();
      expect(inner.operationName).toBe('via-global');
      expect(inner.parentSpanId).toBe(outer.spanId);
    } finally {
      opentracing.initGlobalTracer(new opentracing.Tracer());
    }
  });
});

describe('Span API', () => {
  it('returns itself from setters so calls chain', () => {
    const { tracer, recorder } = setup();
    const span = tracer.startSpan('a');
    expect(span.setTag('x', 1).addTags({ y: 2 }).setOperationName('b').log({ event: 'e' }).setBaggageItem('k', 'v')).toBe(span);
    span.finish();
    expect(recorder.spans()[0]).toMatchObject({ operationName: 'b', tags: { x: 1, y: 2 } });
    expect(span.tracer()).toBe(tracer);
    expect(span.context()).toBeInstanceOf(SpanContext);
    expect(span).toBeInstanceOf(opentracing.Span);
  });

  it('keeps a __proto__ tag as a plain tag', () => {
    const { tracer, recorder } = setup();
    tracer.startSpan('p').setTag('__proto__', { polluted: true }).finish();
    const tags = recorder.spans()[0].tags;
    expect(Object.getPrototypeOf(tags)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(tags, '__proto__')?.value).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("copies start tags on the first setTag: own fields only, a __proto__ field as data, the caller's object untouched", () => {
    const { tracer, recorder } = setup();
    const parent = tracer.startSpan('parent');
    const inherited = Object.create({ inheritedTag: 'no' }) as Record<string, unknown>;
    inherited.own = 1;
    const startTags = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    Object.assign(startTags, { nested: inherited });
    const child = tracer.startSpan('child', { childOf: parent, tags: startTags });
    child.setTag('b', 2).setTag('c', 3);
    const fromPrototype = tracer.startSpan('inherits', { childOf: parent, tags: inherited });
    fromPrototype.setTag('d', 4);
    child.finish();
    fromPrototype.finish();
    const [childTags, inheritingTags] = recorder.spans().map((span) => span.tags);
    expect(Object.getPrototypeOf(childTags)).toBe(Object.prototype);
    expect(Object.keys(childTags)).toEqual(['__proto__', 'a', 'nested', 'b', 'c']);
    expect(Object.getOwnPropertyDescriptor(childTags, '__proto__')?.value).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(inheritingTags).toEqual({ own: 1, d: 4 });
    expect(Object.keys(startTags)).toEqual(['__proto__', 'a', 'nested']);
  });

  it('logEvent logs an event with its payload', () => {
    const { tracer, recorder } = setup();
    const span = tracer.startSpan('a');
    span.logEvent('cache-miss', { key: 'k' });
    span.finish();
    expect(recorder.spans()[0].logs[0].fields).toEqual({ event: 'cache-miss', payload: { key: 'k' } });
  });

  it('hands baggage to children started afterwards, not to earlier ones', () => {
    const { tracer } = setup();
    const parent = tracer.startSpan('p');
    const early = tracer.startSpan('early', { childOf: parent });
    parent.setBaggageItem('tenant', 'acme');
    const late = tracer.startSpan('late', { childOf: parent });
    late.setBaggageItem('own', '1');
    expect(early.getBaggageItem('tenant')).toBeUndefined();
    expect(late.getBaggageItem('tenant')).toBe('acme');
    expect(parent.getBaggageItem('own')).toBeUndefined();
    expect(parent.getBaggageItem('toString')).toBeUndefined();
  });
});

describe('misuse', () => {
  it('records a span finished twice once, and warns once', () => {
    const { tracer, recorder, warnings } = setup();
    const span = tracer.startSpan('twice');
    span.finish();
    span.finish();
    span.finish();
    expect(recorder.spans()).toHaveLength(1);
    expect(warnings.filter((w) => w.includes('finish()'))).toHaveLength(1);
  });

  it('ignores tags, logs, renames and baggage after finish', () => {
    const { tracer, recorder, warnings } = setup();
    const span = tracer.startSpan('done', { tags: { before: true } });
    span.finish();
    span.setTag('after', true).addTags({ more: 1 }).log({ event: 'late' }).setOperationName('renamed').setBaggageItem('k', 'v');
    const [recorded] = recorder.spans();
    expect(recorded.tags).toEqual({ before: true, 'sampler.type': 'const', 'sampler.param': true });
    expect(recorded.logs).toEqual([]);
    expect(recorded.operationName).toBe('done');
    expect(span.getBaggageItem('k')).toBeUndefined();
    expect(warnings.length).toBeGreaterThanOrEqual(5);
  });

  it('coerces a non-string operation name and warns once', () => {
    const { tracer, recorder, warnings } = setup();
    tracer.startSpan(42 as never).finish();
    tracer.startSpan(undefined as never).finish();
    tracer
      .startSpan({
        toString: () => {
          throw new Error('no');
        },
      } as never)
      .finish();
    expect(recorder.spans().map((s) => s.operationName)).toEqual(['42', 'unnamed', 'unnamed']);
    expect(warnings.filter((w) => w.includes('operation name'))).toHaveLength(1);
  });

  it('answers inject/extract with an unknown format by doing nothing and returning null', () => {
    const { tracer, warnings } = setup();
    const carrier: Record<string, string> = {};
    expect(() => tracer.inject(tracer.startSpan('x'), 'carrier-pigeon', carrier)).not.toThrow();
    expect(carrier).toEqual({});
    expect(tracer.extract('carrier-pigeon', { traceparent: 'x' })).toBeNull();
    expect(warnings.some((w) => w.includes('unsupported format'))).toBe(true);
  });

  it('never lets a throwing recorder reach the caller', () => {
    const recorder: Recorder = {
      record() {
        throw new Error('disk full');
      },
      flush: () => Promise.reject(new Error('flush broke')),
      close: () => Promise.reject(new Error('close broke')),
    };
    const warnings: string[] = [];
    const tracer = new Tracer({ serviceName: 's', recorder, logger: { warn: (m) => warnings.push(m) } });
    expect(() => tracer.startSpan('a').finish()).not.toThrow();
    expect(() => tracer.startSpan('b').finish()).not.toThrow();
    return Promise.all([tracer.flush(), tracer.close()]).then(() => {
      expect(warnings.filter((w) => w.includes('disk full'))).toHaveLength(1);
      expect(warnings.some((w) => w.includes('flush broke'))).toBe(true);
    });
  });

  it('survives a logger that throws', () => {
    const tracer = new Tracer({
      serviceName: 's',
      logger: {
        warn: () => {
          throw new Error('logger down');
        },
      },
    });
    const span = tracer.startSpan('x');
    span.finish();
    expect(() => span.finish()).not.toThrow();
  });
});

describe('sampling', () => {
  it('sends only sampled spans to the recorder, and carries the decision on the context', () => {
    const off = setup({ sampler: new ConstSampler(false) });
    const span = off.tracer.startSpan('dropped');
    expect(span.context().sampled).toBe(false);
    const child = off.tracer.startSpan('child', { childOf: span });
    expect(child.context().sampled).toBe(false);
    child.finish();
    span.finish();
    expect(off.recorder.spans()).toHaveLength(0);
    const on = setup({ sampler: new ConstSampler(true) });
    on.tracer.startSpan('kept').finish();
    expect(on.recorder.spans()).toHaveLength(1);
  });

  it('honours sampling.priority at start and later', () => {
    const { tracer, recorder } = setup({ sampler: new ConstSampler(false) });
    tracer.startSpan('forced-on', { tags: { 'sampling.priority': 1 } }).finish();
    tracer.startSpan('set-later').setTag('sampling.priority', 1).finish();
    const on = setup();
    on.tracer.startSpan('forced-off').setTag('sampling.priority', 0).finish();
    expect(recorder.spans().map((s) => s.operationName)).toEqual(['forced-on', 'set-later']);
    expect(on.recorder.spans()).toHaveLength(0);
  });

  it('ignores a sampling.priority that is not a number', () => {
    const { tracer, recorder } = setup();
    for (const value of [null, '', 'high', undefined, {}]) tracer.startSpan('kept').setTag('sampling.priority', value).finish();
    tracer.startSpan('string-zero').setTag('sampling.priority', '0').finish();
    expect(recorder.spans().map((s) => s.operationName)).toEqual(['kept', 'kept', 'kept', 'kept', 'kept']);
  });
});

describe('flush and close', () => {
  it('flush waits for the recorder; close drops later spans but still propagates', async () => {
    const calls: string[] = [];
    const inner = new InMemoryRecorder();
    const recorder: Recorder = {
      record: (s) => inner.record(s),
      flush: async () => void calls.push('flush'),
      close: async () => void calls.push('close'),
    };
    const tracer = new Tracer({ serviceName: 's', recorder });
    tracer.startSpan('before').finish();
    await tracer.flush();
    await tracer.close();
    await tracer.close();
    const after = tracer.startSpan('after');
    after.finish();
    const headers: Record<string, string> = {};
    tracer.inject(after, opentracing.FORMAT_HTTP_HEADERS, headers);
    expect(calls).toEqual(['flush', 'close']);
    expect(inner.spans().map((s) => s.operationName)).toEqual(['before']);
    expect(headers.traceparent).toContain(after.context().toTraceId());
  });

  it('resolves flush and close without a recorder', async () => {
    const tracer = new Tracer({ serviceName: 's' });
    await expect(tracer.flush()).resolves.toBeUndefined();
    await expect(tracer.close()).resolves.toBeUndefined();
  });

  it('tells the recorder about the process once, at construction', () => {
    const attached: unknown[] = [];
    const recorder = Object.assign(new InMemoryRecorder(), { attach: (p: unknown) => attached.push(p) });
    new Tracer({ serviceName: 'svc', recorder, tags: { 'service.version': '1.2.3' } });
    expect(attached).toHaveLength(1);
    expect(attached[0]).toMatchObject({ serviceName: 'svc', tags: { 'service.version': '1.2.3' } });
  });
});

describe('inject and extract (text map round trip)', () => {
  it.each([opentracing.FORMAT_HTTP_HEADERS, opentracing.FORMAT_TEXT_MAP])('round-trips ids, sampling and baggage in %s', (format) => {
    const { tracer } = setup();
    const span = tracer.startSpan('client');
    span.setBaggageItem('hello', 'world');
    const carrier: Record<string, string> = {};
    tracer.inject(span.context(), format, carrier);
    const extracted = tracer.extract(format, carrier);
    expect(extracted).toBeInstanceOf(SpanContext);
    expect(extracted?.toTraceId()).toBe(span.context().toTraceId());
    expect(extracted?.toSpanId()).toBe(span.context().toSpanId());
    expect(extracted?.sampled).toBe(true); // typed as sextant's SpanContext, no cast needed
    expect(extracted?.baggage).toEqual({ hello: 'world' });
    const server = tracer.startSpan('server', { childOf: extracted as SpanContext });
    expect(server.context().traceId).toBe(span.context().traceId);
    expect(server.getBaggageItem('hello')).toBe('world');
  });

  it('returns null for garbage carriers', () => {
    const { tracer } = setup();
    for (const carrier of [null, undefined, 42, 'traceparent', {}, { traceparent: 'garbage' }, { traceparent: ['a', 'b'] }]) {
      expect(tracer.extract(opentracing.FORMAT_HTTP_HEADERS, carrier)).toBeNull();
    }
  });

  it('accepts a Span as well as a SpanContext to inject', () => {
    const { tracer } = setup();
    const span = tracer.startSpan('s');
    const a: Record<string, string> = {};
    const b: Record<string, string> = {};
    tracer.inject(span, opentracing.FORMAT_TEXT_MAP, a);
    tracer.inject(span.context(), opentracing.FORMAT_TEXT_MAP, b);
    expect(a).toEqual(b);
    expect(Object.keys(a).length).toBeGreaterThan(0);
  });
});

describe('Span class', () => {
  it('is exported and is what startSpan returns', () => {
    expect(setup().tracer.startSpan('x')).toBeInstanceOf(Span);
  });
});
