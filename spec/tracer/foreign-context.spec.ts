import * as opentracing from 'opentracing';
import type { SpanContext } from '../../lib';
import { InMemoryRecorder, Tracer } from '../../lib';
import { resolveReferences, toSpanContext } from '../../lib/foreign-context';

const quiet = { warn: () => undefined };

describe('toSpanContext', () => {
  it('returns our own contexts and our spans’ contexts as they are', () => {
    const tracer = new Tracer({ serviceName: 's', logger: quiet });
    const span = tracer.startSpan('x');
    expect(toSpanContext(span)).toBe(span.context());
    expect(toSpanContext(span.context())).toBe(span.context());
  });

  it('turns a foreign context into a remote, sampled one, padding 64-bit trace ids', () => {
    const foreign = { toTraceId: () => 'ABCDEF0123456789', toSpanId: () => '0123456789ABCDEF' };
    const context = toSpanContext(foreign) as SpanContext;
    expect(context).toMatchObject({ traceId: '0000000000000000abcdef0123456789', spanId: '0123456789abcdef', remote: true, sampled: true });
    expect(toSpanContext({ context: () => foreign })?.spanId).toBe('0123456789abcdef');
  });

  it('returns null for anything unusable, hostile values included', () => {
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const throwing = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
      },
    );
    for (const value of [null, undefined, 42, 'x', {}, { toTraceId: () => 'zz', toSpanId: () => '1' }, revoked.proxy, throwing]) {
      expect(toSpanContext(value)).toBeNull();
    }
  });
});

describe('resolveReferences', () => {
  it('keeps usable references in order, duck-typed, and drops the rest', () => {
    const tracer = new Tracer({ serviceName: 's', recorder: new InMemoryRecorder(), logger: quiet });
    const a = tracer.startSpan('a');
    const b = tracer.startSpan('b');
    const lookalike = { type: () => opentracing.REFERENCE_FOLLOWS_FROM, referencedContext: () => b.context() };
    const { resolved, dropped } = resolveReferences([opentracing.childOf(a.context()), 'junk', lookalike, { type: 1 }], 128);
    expect(dropped).toBe(0);
    expect(resolved.map((r) => r.reference)).toEqual([
      { type: 'child_of', traceId: a.context().traceId, spanId: a.context().spanId },
      { type: 'follows_from', traceId: b.context().traceId, spanId: b.context().spanId },
    ]);
    expect(resolved[1].context).toBe(b.context());
  });
});
