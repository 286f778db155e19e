import * as opentracing from 'opentracing';
import { InMemoryRecorder, SPAN_LIMITS_DEFAULTS, SpanContext, Tracer } from '../../lib';
import type { FinishedSpan, SpanLimits } from '../../lib';
import { runBounded } from '../helpers/bounded';
import { settledHeapUsed } from '../helpers/gc';

function setup(limits?: SpanLimits) {
  const recorder = new InMemoryRecorder();
  const warnings: string[] = [];
  // A sampler that adds no tags of its own, so the tags counted are the test's.
  const sampler = { shouldSample: () => ({ sampled: true }) };
  const tracer = new Tracer({ serviceName: 'limits-test', recorder, sampler, logger: { warn: (m) => warnings.push(m) }, limits });
  const only = (): FinishedSpan => {
    const spans = recorder.spans();
    expect(spans).toHaveLength(1);
    return spans[0];
  };
  return { tracer, recorder, warnings, only };
}

const MB = 1024 * 1024;

describe('span limits: options', () => {
  it("has OpenTelemetry's defaults, exported", () => {
    expect(SPAN_LIMITS_DEFAULTS).toEqual({ maxTags: 128, maxLogs: 128, maxReferences: 128, maxLogFields: 128, maxValueLength: Infinity });
    expect(Object.isFrozen(SPAN_LIMITS_DEFAULTS)).toBe(true);
  });

  it.each([
    ['limits', 'many'],
    ['limits', [1]],
    ['limits.maxTags', { maxTags: -1 }],
    ['limits.maxLogs', { maxLogs: 1.5 }],
    ['limits.maxReferences', { maxReferences: '8' }],
    ['limits.maxLogFields', { maxLogFields: Infinity }],
    ['limits.maxValueLength', { maxValueLength: NaN }],
    ['limits.maxValueLength', { maxValueLength: -Infinity }],
  ])('throws a TypeError naming TracerOptions.%s', (name, limits) => {
    expect(() => new Tracer({ serviceName: 's', limits: limits as never })).toThrow(TypeError);
    expect(() => new Tracer({ serviceName: 's', limits: limits as never })).toThrow(`TracerOptions.${name} must be`);
  });

  it('accepts 0 (keep none) and an Infinite maxValueLength', () => {
    expect(() => new Tracer({ serviceName: 's', limits: { maxTags: 0, maxLogs: 0, maxValueLength: Infinity } })).not.toThrow();
  });
});

describe('span limits: tags', () => {
  it('keeps the first maxTags distinct keys, drops and counts new ones, still sets existing ones', () => {
    const { tracer, only } = setup({ maxTags: 3 });
    const span = tracer.startSpan('t');
    span.setTag('a', 1).setTag('b', 2).setTag('a', 10).setTag('c', 3);
    span.setTag('d', 4).setTag('e', 5);
    span.setTag('b', 20);
    span.finish();
    expect(only().tags).toEqual({ a: 10, b: 20, c: 3 });
    expect(only().dropped).toEqual({ tags: 2, logs: 0, references: 0 });
  });

  it('counts overwrites of one key as one tag, however many there are', () => {
    const { tracer, only } = setup({ maxTags: 2 });
    const span = tracer.startSpan('t');
    for (let i = 0; i < 1000; i++) span.setTag('same', i);
    span.setTag('other', true);
    span.finish();
    expect(only().tags).toEqual({ same: 999, other: true });
    expect(only().dropped).toBeUndefined();
  });

  it("applies maxTags to the caller's tags option, keeping the first ones, without changing the caller's object", () => {
    const { tracer, only } = setup({ maxTags: 2 });
    const given = { a: 1, b: 2, c: 3, d: 4 };
    tracer.startSpan('t', { tags: given }).setTag('a', 100).setTag('e', 5).finish();
    expect(only().tags).toEqual({ a: 100, b: 2 });
    expect(only().dropped).toEqual({ tags: 3, logs: 0, references: 0 });
    expect(given).toEqual({ a: 1, b: 2, c: 3, d: 4 });
  });

  it('applies maxTags to addTags', () => {
    const { tracer, only } = setup({ maxTags: 2 });
    tracer.startSpan('t').addTags({ a: 1, b: 2, c: 3 }).finish();
    expect(only().tags).toEqual({ a: 1, b: 2 });
    expect(only().dropped?.tags).toBe(1);
  });

  it('still honours sampling.priority when its tag is dropped', () => {
    const { tracer, recorder } = setup({ maxTags: 0 });
    tracer.startSpan('t').setTag(opentracing.Tags.SAMPLING_PRIORITY, 0).finish();
    expect(recorder.spans()).toHaveLength(0);
  });

  it('leaves FinishedSpan.dropped out when nothing was dropped', () => {
    const { tracer, only } = setup();
    tracer
      .startSpan('t', { tags: { a: 1 } })
      .setTag('b', 2)
      .log({ event: 'x' })
      .finish();
    expect('dropped' in only()).toBe(false);
  });

  it('keeps the heap bounded through 1,000,000 distinct tags on one span (128 kept, the rest counted)', () => {
    const { tracer, only } = setup();
    const span = tracer.startSpan('many-tags');
    const before = settledHeapUsed();
    for (let i = 0; i < 1_000_000; i++) span.setTag(`key.${i}`, i);
    span.finish();
    const grown = settledHeapUsed() - before;
    expect(Object.keys(only().tags)).toHaveLength(128);
    expect(only().dropped).toEqual({ tags: 1_000_000 - 128, logs: 0, references: 0 });
    // Without the limit this grows by about 70 MB.
    expect(grown).toBeLessThan(4 * MB);
  });
});

describe('span limits: logs and their fields', () => {
  it('keeps the first maxLogs logs and counts the rest', () => {
    const { tracer, only } = setup({ maxLogs: 2 });
    const span = tracer.startSpan('t');
    for (let i = 0; i < 5; i++) span.log({ i });
    span.finish();
    expect(only().logs.map((l) => l.fields.i)).toEqual([0, 1]);
    expect(only().dropped).toEqual({ tags: 0, logs: 3, references: 0 });
  });

  it('keeps the heap bounded through 1,000,000 log() calls on one span', () => {
    const { tracer, only } = setup();
    const span = tracer.startSpan('many-logs');
    const before = settledHeapUsed();
    for (let i = 0; i < 1_000_000; i++) span.log({ event: 'tick', i });
    span.finish();
    const grown = settledHeapUsed() - before;
    expect(only().logs).toHaveLength(128);
    expect(only().logs[127].fields.i).toBe(127);
    expect(only().dropped).toEqual({ tags: 0, logs: 1_000_000 - 128, references: 0 });
    // Without the limit this grows by about 100 MB.
    expect(grown).toBeLessThan(4 * MB);
  });

  it('keeps the first maxLogFields fields of a log and counts the rest on that log (droppedFields)', () => {
    const { tracer, only } = setup({ maxLogFields: 2 });
    tracer.startSpan('t').log({ event: 'e', a: 1, b: 2, c: 3 }).log({ event: 'small' }).finish();
    const [big, small] = only().logs;
    expect(big.fields).toEqual({ event: 'e', a: 1 });
    expect(big.droppedFields).toBe(2);
    expect(small.fields).toEqual({ event: 'small' });
    expect('droppedFields' in small).toBe(false);
    expect(only().dropped).toBeUndefined();
  });
});

describe('span limits: references', () => {
  const refs = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      opentracing.followsFrom(new SpanContext({ traceId: 'a'.repeat(32), spanId: (i + 1).toString(16).padStart(16, '0'), sampled: true })),
    );

  it('keeps the first maxReferences references and counts the rest', () => {
    const { tracer, only } = setup({ maxReferences: 3 });
    tracer.startSpan('t', { references: refs(10) }).finish();
    expect(only().references.map((r) => r.spanId)).toEqual(['0000000000000001', '0000000000000002', '0000000000000003']);
    expect(only().dropped).toEqual({ tags: 0, logs: 0, references: 7 });
  });

  it('counts childOf among the references it limits', () => {
    const { tracer, only } = setup({ maxReferences: 2 });
    const parent = tracer.startSpan('parent');
    tracer.startSpan('t', { childOf: parent, references: refs(2) }).finish();
    expect(only().references).toHaveLength(2);
    expect(only().references[0]).toEqual({ type: 'child_of', traceId: parent.context().traceId, spanId: parent.context().spanId });
    expect(only().dropped?.references).toBe(1);
  });

  it('never walks a sparse references array: the entries past the limit are counted, not visited', () => {
    const { tracer, only } = setup();
    const sparse = new Array<opentracing.Reference>(2 ** 32 - 1);
    sparse[0] = refs(1)[0];
    runBounded(() => tracer.startSpan('t', { references: sparse }).finish());
    expect(only().references).toHaveLength(1);
    expect(only().dropped?.references).toBe(2 ** 32 - 1 - 128);
  });
});

describe('span limits: value length', () => {
  it('cuts strings in tags, log fields and arrays to maxValueLength, and never splits a surrogate pair', () => {
    const { tracer, only } = setup({ maxValueLength: 4 });
    tracer
      .startSpan('t', { tags: { given: 'abcdefgh' } })
      .setTag('set', 'abcdefgh')
      .setTag('short', 'abc')
      .setTag('number', 123456789)
      .setTag('list', ['abcdefgh', 7, 'xy'])
      .setTag('emoji', 'abc😀def')
      .log({ message: 'abcdefgh', list: ['abcdefgh'] })
      .finish();
    expect(only().tags).toEqual({ given: 'abcd', set: 'abcd', short: 'abc', number: 123456789, list: ['abcd', 7, 'xy'], emoji: 'abc' });
    expect(only().logs[0].fields).toEqual({ message: 'abcd', list: ['abcd'] });
  });

  it("does not change the caller's array when it cuts strings inside it", () => {
    const { tracer, only } = setup({ maxValueLength: 2 });
    const list = ['abc', 'de'];
    tracer.startSpan('t').setTag('list', list).finish();
    expect(only().tags.list).toEqual(['ab', 'de']);
    expect(list).toEqual(['abc', 'de']);
  });

  it('cuts a 100 MB string tag, and the span does not keep the 100 MB alive', () => {
    const { tracer, only } = setup({ maxValueLength: 1024 });
    const before = settledHeapUsed();
    (() => {
      const huge = 'x'.repeat(100 * MB);
      tracer.startSpan('t').setTag('payload', huge).log({ body: huge }).finish();
    })();
    const grown = settledHeapUsed() - before;
    // Lengths, not the strings: a failure must not print 100 MB.
    expect((only().tags.payload as string).length).toBe(1024);
    expect((only().logs[0].fields.body as string).length).toBe(1024);
    expect(grown).toBeLessThan(4 * MB);
  });

  it('takes a sparse new Array(2**32 - 1) tag without walking its holes, with and without maxValueLength', () => {
    for (const limits of [undefined, { maxValueLength: 8 }]) {
      const { tracer, only } = setup(limits);
      const sparse = new Array<unknown>(2 ** 32 - 1);
      sparse[5] = 'a long string here';
      runBounded(() => {
        const span = tracer.startSpan('t', { tags: { early: sparse } });
        span.setTag('sparse', sparse);
        span.log({ sparse });
        span.finish();
      });
      const tag = only().tags.sparse as unknown[];
      expect(tag.length).toBe(2 ** 32 - 1);
      expect(tag[5]).toBe(limits === undefined ? 'a long string here' : 'a long s');
      expect(sparse[5]).toBe('a long string here');
    }
  });
});

describe('span limits: the warning', () => {
  it('says once per kind of limit, at most one warning per span, naming the span, the limit and the count', () => {
    const { tracer, warnings } = setup({ maxTags: 1, maxLogs: 1 });
    const first = tracer.startSpan('first');
    for (let i = 0; i < 4; i++) first.setTag(`k${i}`, i).log({ i });
    expect(warnings).toEqual([]);
    first.finish();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/span 'first' exceeded maxTags \(1\); 3 tags dropped, exceeded maxLogs \(1\); 3 logs dropped/);
    expect(warnings[0]).toMatch(/TracerOptions\.limits/);
    for (let n = 0; n < 10; n++) {
      const again = tracer.startSpan('again');
      for (let i = 0; i < 4; i++) again.setTag(`k${i}`, i).log({ i });
      again.finish();
    }
    expect(warnings).toHaveLength(1);
  });

  it('reports a later kind once it first happens', () => {
    const { tracer, warnings } = setup({ maxTags: 1, maxLogFields: 1 });
    tracer.startSpan('a').setTag('x', 1).setTag('y', 2).finish();
    tracer.startSpan('b').log({ p: 1, q: 2 }).finish();
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toMatch(/span 'b' exceeded maxLogFields \(1\); 1 log fields dropped/);
  });
});
