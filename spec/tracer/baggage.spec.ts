import * as opentracing from 'opentracing';
import { InMemoryRecorder, Tracer } from '../../lib';
import type { Span } from '../../lib';

function setup() {
  const recorder = new InMemoryRecorder();
  const warnings: string[] = [];
  const tracer = new Tracer({ serviceName: 'baggage-test', recorder, logger: { warn: (m) => warnings.push(m) } });
  return { tracer, recorder, warnings };
}

/**
 * Watches the baggage object a span's context holds after each call, without reading
 * `baggage` (which would share it): each new object is a copy, and costs its size.
 */
function copyWatcher(span: Span) {
  const seen = new Set<object>();
  let entriesCopied = 0;
  return {
    look(): void {
      const current = span.context()._peekBaggage();
      if (seen.has(current)) return;
      seen.add(current);
      entriesCopied += Object.keys(current).length;
    },
    get copies() {
      return seen.size;
    },
    get entriesCopied() {
      return entriesCopied;
    },
  };
}

describe('baggage: setBaggageItem is linear', () => {
  it('sets 10,000 items on one span with one copy of the baggage, not one per call', () => {
    const { tracer } = setup();
    const span = tracer.startSpan('many-items');
    const watch = copyWatcher(span);
    for (let i = 0; i < 10_000; i++) {
      span.setBaggageItem(`key${i}`, `value${i}`);
      watch.look();
    }
    expect(watch.copies).toBe(1);
    expect(span.getBaggageItem('key0')).toBe('value0');
    expect(span.getBaggageItem('key9999')).toBe('value9999');
    expect(Object.keys(span.context().baggage)).toHaveLength(10_000);
  });

  it('copies once per child started in between, so the entries copied stay O(items)', () => {
    const { tracer } = setup();
    const span = tracer.startSpan('parent');
    const watch = copyWatcher(span);
    const n = 10_000;
    for (let i = 0; i < n; i++) {
      span.setBaggageItem(`key${i}`, 'v');
      watch.look();
      if (i % 1000 === 999) tracer.startSpan('child', { childOf: span });
    }
    // One copy at the first set, then one after each of the 9 children born before the last set.
    expect(watch.copies).toBe(10);
    // Copying on every call would copy n(n+1)/2 = 50,005,000 entries.
    expect(watch.entriesCopied).toBeLessThan(5 * n);
  });
});

describe('baggage: what others saw never changes', () => {
  it('children started earlier keep the baggage they were born with; later ones get the latest', () => {
    const { tracer, recorder } = setup();
    const parent = tracer.startSpan('parent');
    parent.setBaggageItem('a', '1');
    const early = tracer.startSpan('early', { childOf: parent });
    parent.setBaggageItem('b', '2').setBaggageItem('a', '3');
    const late = tracer.startSpan('late', { childOf: parent });
    parent.setBaggageItem('c', '4');
    expect({ ...early.context().baggage }).toEqual({ a: '1' });
    expect({ ...late.context().baggage }).toEqual({ a: '3', b: '2' });
    expect(early.getBaggageItem('a')).toBe('1');
    expect(parent.getBaggageItem('a')).toBe('3');
    early.finish();
    late.finish();
    parent.finish();
    const byName = Object.fromEntries(recorder.spans().map((s) => [s.operationName, { ...s.baggage }]));
    expect(byName).toEqual({ early: { a: '1' }, late: { a: '3', b: '2' }, parent: { a: '3', b: '2', c: '4' } });
  });

  it("a child's own items never reach its parent or siblings", () => {
    const { tracer } = setup();
    const parent = tracer.startSpan('parent').setBaggageItem('shared', 'yes');
    const one = tracer.startSpan('one', { childOf: parent }).setBaggageItem('mine', 'one');
    const two = tracer.startSpan('two', { childOf: parent }).setBaggageItem('mine', 'two');
    expect(parent.getBaggageItem('mine')).toBeUndefined();
    expect(one.getBaggageItem('mine')).toBe('one');
    expect(two.getBaggageItem('mine')).toBe('two');
    expect(one.getBaggageItem('shared')).toBe('yes');
  });

  it('never mutates a baggage object after it was read', () => {
    const { tracer } = setup();
    const span = tracer.startSpan('s').setBaggageItem('a', '1');
    const read = span.context().baggage;
    span.setBaggageItem('b', '2').setBaggageItem('a', 'changed');
    expect({ ...read }).toEqual({ a: '1' });
    expect({ ...span.context().baggage }).toEqual({ a: 'changed', b: '2' });
  });

  it('the finished record keeps the baggage the span finished with', () => {
    const { tracer, recorder } = setup();
    const span = tracer.startSpan('s').setBaggageItem('a', '1');
    span.finish();
    span.setBaggageItem('a', 'after-finish');
    expect(recorder.spans()[0].baggage).toEqual({ a: '1' });
  });

  it('inject writes the latest items, including those set after an earlier inject', () => {
    const { tracer } = setup();
    const span = tracer.startSpan('s');
    for (let i = 0; i < 5; i++) {
      span.setBaggageItem(`k${i}`, `v${i}`);
      const headers: Record<string, string> = {};
      tracer.inject(span, opentracing.FORMAT_HTTP_HEADERS, headers);
      expect(headers.baggage.split(',')).toHaveLength(i + 1);
      expect(headers.baggage).toContain(`k${i}=v${i}`);
    }
  });

  it('keeps a __proto__ item as an ordinary item', () => {
    const { tracer } = setup();
    const span = tracer.startSpan('s').setBaggageItem('__proto__', 'x').setBaggageItem('toString', 'y');
    expect(span.getBaggageItem('__proto__')).toBe('x');
    expect(span.getBaggageItem('toString')).toBe('y');
    expect(span.getBaggageItem('hasOwnProperty')).toBeUndefined();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
