import { EventEmitter } from 'node:events';
import * as fc from 'fast-check';
import * as opentracing from 'opentracing';
import { AsyncLocalScopeManager, InMemoryRecorder, recordError, Span, SpanContext, Tracer } from '../../lib';
import { runBounded } from '../helpers/bounded';

/** Throws from everything: the handler of a Proxy whose every trap throws. */
const THROWING_TRAPS: ProxyHandler<object> = new Proxy(
  {},
  {
    get: () => () => {
      throw new Error('trap');
    },
  },
);

function revoked<T extends object>(target: T): T {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}

/** Names a tracer, span, scope or context reads from what it is given. */
const READ_NAMES = [
  'childOf',
  'references',
  'tags',
  'startTime',
  'ignoreActiveSpan',
  'finishOnClose',
  'context',
  'toTraceId',
  'toSpanId',
  'type',
  'referencedContext',
  'then',
  'length',
  'message',
  'stack',
  'name',
  'isFinished',
  'setTag',
  'log',
  'finish',
  'spanId',
  'sampled',
  'baggage',
  'traceId',
  'span',
  'on',
  'addListener',
  'a',
  'event',
];

function throwingGetters(): object {
  const target: Record<string | symbol, unknown> = {};
  for (const name of [...READ_NAMES, 'toString', 'valueOf', Symbol.toPrimitive, Symbol.iterator]) {
    Object.defineProperty(target, name, {
      enumerable: true,
      get() {
        throw new Error(`getter ${String(name)}`);
      },
    });
  }
  return target;
}

const unprintable = {
  toString() {
    throw new Error('toString');
  },
  valueOf() {
    throw new Error('valueOf');
  },
  [Symbol.toPrimitive]() {
    throw new Error('toPrimitive');
  },
};

function circular(): object {
  const a: Record<string, unknown> = { name: 'loop' };
  a.self = a;
  a.list = [a, a];
  return a;
}

function frozenEmitter(): EventEmitter {
  return Object.freeze(new EventEmitter());
}

const sparse = new Array<unknown>(2 ** 32 - 1);
sparse[3] = revoked({});

/** The values no public method may throw on, or hang on. */
const EVIL: unknown[] = [
  revoked({}),
  revoked([]),
  revoked(() => undefined),
  new Proxy({}, THROWING_TRAPS),
  new Proxy([], THROWING_TRAPS),
  throwingGetters(),
  unprintable,
  Symbol('evil'),
  Symbol.iterator,
  10n,
  2n ** 70n,
  circular(),
  'x'.repeat(1_000_000),
  sparse,
  [revoked({}), unprintable, Symbol('in-array')],
  Object.create(null),
  Object.freeze({ a: 1 }),
  frozenEmitter(),
  new Proxy(new EventEmitter(), THROWING_TRAPS),
  { context: () => revoked({}) },
  { context: () => ({ toTraceId: () => unprintable, toSpanId: () => 'x' }) },
  { toTraceId: () => 'a'.repeat(32), toSpanId: () => revoked({}) },
  { type: () => opentracing.REFERENCE_CHILD_OF, referencedContext: () => revoked({}) },
  [{ type: () => unprintable, referencedContext: () => throwingGetters() }],
  { childOf: revoked({}), references: new Proxy([], THROWING_TRAPS), tags: revoked({}) },
  { tags: throwingGetters(), startTime: unprintable },
  { references: sparse },
  NaN,
  -Infinity,
  -0,
];

/**
 * fast-check looks into the values it generates (to clone and print them), which a
 * revoked Proxy does not allow: the evil values travel boxed, by their index in EVIL.
 */
interface Boxed {
  value: unknown;
}
function boxed(value: unknown, label: string): Boxed {
  return { value, [fc.toStringMethod]: () => label } as Boxed;
}
const evil = fc.integer({ min: 0, max: EVIL.length - 1 }).map((i) => boxed(EVIL[i], `EVIL[${i}]`));
const hostile: fc.Arbitrary<Boxed> = fc.oneof(
  { weight: 3, arbitrary: evil },
  {
    weight: 2,
    arbitrary: fc
      .anything({ withBigInt: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true })
      .map((v) => boxed(v, fc.stringify(v))),
  },
  {
    weight: 1,
    arbitrary: fc.array(evil, { maxLength: 4 }).map((list) =>
      boxed(
        list.map((b) => b.value),
        `[${list.map(String).join(', ')}]`,
      ),
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .dictionary(fc.string(), evil, { maxKeys: 4 })
      .map((record) => boxed(Object.fromEntries(Object.entries(record).map(([k, b]) => [k, b.value])), 'a record of EVIL values')),
  },
);
/** A callback slot: a plain function, or anything that is not a function (a function Proxy that throws would be the app's own throw). */
const callback = fc.oneof(
  fc.constant(boxed(() => 'ran', 'a function')),
  hostile.filter((b) => typeof b.value !== 'function'),
);

const RUNS = { numRuns: 150 };

function setup() {
  const recorder = new InMemoryRecorder();
  const warnings: string[] = [];
  const tracer = new Tracer({ serviceName: 'hostile-test', recorder, logger: { warn: (m) => warnings.push(m) } });
  return { tracer, recorder, warnings };
}

/** The call finishes without throwing, in bounded time. */
function survives(call: () => unknown): void {
  runBounded(call, 10_000);
}

describe('hostile arguments: the calls that used to throw', () => {
  const { tracer, recorder } = setup();

  it('span.log() with a throwing getter keeps the other fields and counts the lost one', () => {
    const fields = { event: 'e', ok: 1 };
    Object.defineProperty(fields, 'bad', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    });
    const span = tracer.startSpan('log');
    expect(() => span.log(fields)).not.toThrow();
    span.finish();
    const log = recorder.spans().at(-1)?.logs[0];
    expect(log?.fields).toEqual({ event: 'e', ok: 1 });
    expect(log?.droppedFields).toBe(1);
  });

  it('addTags(proxy) and setTag / setBaggageItem with a key whose toString throws', () => {
    const span = tracer.startSpan('tags');
    expect(() => span.addTags(new Proxy({}, THROWING_TRAPS) as never)).not.toThrow();
    expect(() => span.addTags(revoked({}) as never)).not.toThrow();
    expect(() => span.setTag(unprintable as never, 1)).not.toThrow();
    expect(() => span.setBaggageItem(unprintable as never, 'v')).not.toThrow();
    expect(() => span.setBaggageItem('k', unprintable as never)).not.toThrow();
    expect(() => span.getBaggageItem(unprintable as never)).not.toThrow();
    span.setTag('fine', true).finish();
    expect(recorder.spans().at(-1)?.tags.fine).toBe(true);
  });

  it('Symbols as keys and values', () => {
    const span = tracer.startSpan('symbols');
    const value = Symbol('value');
    span.setTag(Symbol('key') as never, value).setBaggageItem(Symbol('b') as never, Symbol('v') as never);
    span.finish();
    const record = recorder.spans().at(-1);
    expect(record?.tags['Symbol(key)']).toBe(value);
    expect(record?.baggage['Symbol(b)']).toBe('Symbol(v)');
  });

  it('startSpan with hostile tags, options, childOf and references starts a usable span', () => {
    const cases: unknown[] = [
      { tags: revoked({}) },
      { tags: new Proxy({}, THROWING_TRAPS) },
      { tags: throwingGetters() },
      revoked({}),
      new Proxy({}, THROWING_TRAPS),
      throwingGetters(),
      { childOf: revoked({}) },
      { childOf: new Proxy({}, THROWING_TRAPS) },
      { childOf: { context: () => revoked({}) } },
      { references: revoked([]) },
      { references: [revoked({}), new Proxy({}, THROWING_TRAPS)] },
    ];
    for (const options of cases) {
      let span: Span | undefined;
      expect(() => (span = tracer.startSpan('hostile', options as never))).not.toThrow();
      expect(span).toBeInstanceOf(Span);
      expect(span?.context().toTraceId()).toMatch(/^[0-9a-f]{32}$/);
      span?.setTag('after', 1).finish();
    }
  });

  it('inject(hostile, …) injects nothing and does not throw', () => {
    const carrier: Record<string, string> = {};
    for (const what of [revoked({}), new Proxy({}, THROWING_TRAPS), { context: () => revoked({}) }, throwingGetters()]) {
      expect(() => tracer.inject(what as never, opentracing.FORMAT_HTTP_HEADERS, carrier)).not.toThrow();
    }
    expect(carrier).toEqual({});
    expect(() => tracer.inject(tracer.startSpan('s'), opentracing.FORMAT_HTTP_HEADERS, revoked({}))).not.toThrow();
    expect(() => tracer.inject(tracer.startSpan('s'), unprintable as never, {})).not.toThrow();
  });

  it('scopeManager().bind(hostile) returns it unbound; activate(hostile, fn) runs fn', () => {
    const scopes = tracer.scopeManager();
    for (const target of [revoked({}), new Proxy({}, THROWING_TRAPS), frozenEmitter(), new Proxy(new EventEmitter(), THROWING_TRAPS)]) {
      expect(() => scopes.bind(target as never)).not.toThrow();
    }
    for (const span of [revoked({}), new Proxy({}, THROWING_TRAPS), throwingGetters(), 42]) {
      expect(scopes.activate(span as never, () => 'ran', true)).toBe('ran');
      expect(scopes.activate(span as never, () => scopes.active()?.close())).toBeUndefined();
      // A span started under a hostile active span is a root, not a throw.
      expect(scopes.activate(span as never, () => tracer.startSpan('under-hostile').context().toTraceId())).toMatch(/^[0-9a-f]{32}$/);
    }
  });

  it('recordError(hostile, hostile) does nothing rather than throw', () => {
    for (const span of [revoked({}), new Proxy({}, THROWING_TRAPS), throwingGetters(), null, undefined, 1]) {
      for (const error of [revoked({}), unprintable, throwingGetters(), Symbol('e')]) {
        expect(() => recordError(span as never, error)).not.toThrow();
      }
    }
    const span = tracer.startSpan('recorded');
    recordError(span, throwingGetters());
    span.finish();
    expect(recorder.spans().at(-1)?.tags.error).toBe(true);
  });

  it('only wrong constructor options throw, and then a TypeError naming the option', () => {
    expect(() => new Tracer(revoked({}) as never)).toThrow(/TracerOptions must be/);
    expect(() => new Tracer({ serviceName: 's', tags: revoked({}) } as never)).toThrow(/TracerOptions\.tags must be/);
    expect(() => new Tracer({ serviceName: 's', propagation: revoked([]) } as never)).toThrow(/TracerOptions\.propagation must be/);
    expect(() => new Tracer({ serviceName: 's', limits: revoked({}) } as never)).toThrow(/TracerOptions\.limits must be/);
    expect(() => new Tracer(throwingGetters() as never)).toThrow(TypeError);
    expect(() => new SpanContext(revoked({}) as never)).toThrow(/SpanContextFields must be an object whose properties can be read/);
    expect(() => new SpanContext(throwingGetters() as never)).toThrow(TypeError);
  });
});

describe('hostile arguments: every public method, driven by fast-check', () => {
  const { tracer, recorder } = setup();
  const scopes = tracer.scopeManager();

  afterAll(() => {
    // The tracer still works after all of it.
    recorder.clear();
    tracer.startSpan('still-fine', { tags: { ok: true } }).finish();
    expect(recorder.spans()).toHaveLength(1);
    expect(recorder.spans()[0].tags.ok).toBe(true);
  });

  it('Tracer.startSpan, startActiveSpan, inject, extract', () => {
    fc.assert(
      fc.property(hostile, hostile, hostile, callback, ({ value: a }, { value: b }, { value: c }, { value: fn }) => {
        survives(() => tracer.startSpan(a as never, b as never).finish());
        survives(() => tracer.startActiveSpan(a as never, fn as never));
        // A function in the options slot is the callback, and what it throws is the app's own.
        const options = typeof b === 'function' ? undefined : b;
        survives(() => tracer.startActiveSpan(a as never, options as never, fn as never));
        survives(() => tracer.inject(a as never, b as never, c));
        survives(() => tracer.inject(tracer.startSpan('s'), opentracing.FORMAT_HTTP_HEADERS, c));
        survives(() => tracer.inject(a as never, opentracing.FORMAT_TEXT_MAP, {}));
        survives(() => tracer.extract(b as never, c));
      }),
      RUNS,
    );
  });

  it('Span setters, getters and finish', () => {
    fc.assert(
      fc.property(hostile, hostile, ({ value: a }, { value: b }) => {
        const span = tracer.startSpan('target');
        survives(() => span.setTag(a as never, b));
        survives(() => span.addTags(a as never));
        survives(() => span.log(a as never, b as never));
        survives(() => span.logEvent(a as never, b));
        survives(() => span.setOperationName(a as never));
        survives(() => span.setBaggageItem(a as never, b as never));
        survives(() => span.getBaggageItem(a as never));
        survives(() => span.finish(a as never));
        survives(() => span.setTag(a as never, b));
      }),
      RUNS,
    );
  });

  it('SpanContext, AsyncLocalScopeManager, Scope and recordError', () => {
    const standalone = new AsyncLocalScopeManager();
    fc.assert(
      fc.property(hostile, hostile, ({ value: a }, { value: b }) => {
        const context = tracer.startSpan('ctx').context();
        survives(() => context.child(a as never).toSpanId());
        survives(() => new SpanContext({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), sampled: true }).child(b as never));
        for (const manager of [scopes, standalone]) {
          survives(() => manager.bind(a as never, b as never));
          survives(() => manager.activate(a as never, () => manager.active()?.span(), b as never));
          survives(() => manager.activate(a as never, () => manager.active()?.close(), true));
          survives(() => manager.activate(tracer.startSpan('real'), () => manager.bind(a as never)));
        }
        survives(() => recordError(a as never, b));
        survives(() => recordError(tracer.startSpan('err'), a));
      }),
      RUNS,
    );
  });
});
