import { EventEmitter } from 'node:events';
import { AsyncLocalScopeManager, InMemoryRecorder, Tracer } from '../../lib';
import type { Span } from '../../lib';
import { settledHeapUsed } from '../helpers/gc';

function setup() {
  const recorder = new InMemoryRecorder();
  const tracer = new Tracer({ serviceName: 'scope-test', recorder, logger: { warn: () => undefined } });
  return { tracer, recorder };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('the active span follows async work', () => {
  it('through await and Promise.all', async () => {
    const { tracer } = setup();
    await tracer.startActiveSpan('outer', async (outer) => {
      await tick();
      expect(tracer.activeSpan()).toBe(outer);
      const seen = await Promise.all(
        [1, 2, 3].map(async (i) => {
          await new Promise((r) => setTimeout(r, i));
          return tracer.activeSpan();
        }),
      );
      expect(seen).toEqual([outer, outer, outer]);
    });
    expect(tracer.activeSpan()).toBeNull();
  });

  it('through setTimeout, setImmediate, process.nextTick and queueMicrotask', async () => {
    const { tracer } = setup();
    const seen: (Span | null)[] = [];
    let outer!: Span;
    await new Promise<void>((done) => {
      tracer.startActiveSpan('outer', (span) => {
        outer = span;
        let pending = 4;
        const note = () => {
          seen.push(tracer.activeSpan());
          if (--pending === 0) done();
        };
        setTimeout(note, 1);
        setImmediate(note);
        process.nextTick(note);
        queueMicrotask(note);
      });
    });
    expect(seen).toEqual([outer, outer, outer, outer]);
  });

  it('through callbacks of Node APIs', async () => {
    const { tracer } = setup();
    const { readFile } = await import('node:fs');
    await tracer.startActiveSpan(
      'outer',
      (outer) =>
        new Promise<void>((resolve) => {
          readFile(__filename, () => {
            expect(tracer.activeSpan()).toBe(outer);
            resolve();
          });
        }),
    );
  });

  it('nests and restores the outer span after the inner callback', async () => {
    const { tracer, recorder } = setup();
    await tracer.startActiveSpan('outer', async (outer) => {
      await tracer.startActiveSpan('inner', async (inner) => {
        await tick();
        expect(tracer.activeSpan()).toBe(inner);
      });
      expect(tracer.activeSpan()).toBe(outer);
      tracer.startSpan('sibling').finish();
    });
    const byName = Object.fromEntries(recorder.spans().map((s) => [s.operationName, s]));
    expect(byName.inner.parentSpanId).toBe(byName.outer.spanId);
    expect(byName.sibling.parentSpanId).toBe(byName.outer.spanId);
  });
});

describe('startActiveSpan', () => {
  it('finishes when the callback returns, and returns its value', () => {
    const { tracer, recorder } = setup();
    expect(tracer.startActiveSpan('sync', () => 7)).toBe(7);
    expect(recorder.spans().map((s) => s.operationName)).toEqual(['sync']);
  });

  it('finishes when the returned promise settles, not before', async () => {
    const { tracer, recorder } = setup();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const done = tracer.startActiveSpan('async', async () => {
      await gate;
      return 'ok';
    });
    await tick();
    expect(recorder.spans()).toHaveLength(0);
    release();
    await expect(done).resolves.toBe('ok');
    expect(recorder.spans()).toHaveLength(1);
    expect(recorder.spans()[0].duration).toBeGreaterThan(0);
  });

  it('tags and logs a throw, finishes, and re-throws it', () => {
    const { tracer, recorder } = setup();
    const boom = new Error('boom');
    expect(() =>
      tracer.startActiveSpan('throws', () => {
        throw boom;
      }),
    ).toThrow(boom);
    const [span] = recorder.spans();
    expect(span.tags.error).toBe(true);
    expect(span.logs[0].fields).toMatchObject({ event: 'error', 'error.object': boom, message: 'boom' });
    expect(String(span.logs[0].fields.stack)).toContain('boom');
  });

  it('tags and logs a rejection, finishes, and re-rejects', async () => {
    const { tracer, recorder } = setup();
    await expect(
      tracer.startActiveSpan('rejects', async () => {
        throw new TypeError('nope');
      }),
    ).rejects.toThrow('nope');
    const [span] = recorder.spans();
    expect(span.tags.error).toBe(true);
    expect(span.logs[0].fields).toMatchObject({ event: 'error', message: 'nope' });
  });

  it('leaves the span open with finishOnClose: false', async () => {
    const { tracer, recorder } = setup();
    const span = await tracer.startActiveSpan('open', { finishOnClose: false }, async (s) => s);
    expect(span.isFinished()).toBe(false);
    expect(recorder.spans()).toHaveLength(0);
    span.finish();
    expect(recorder.spans()).toHaveLength(1);
  });

  it('passes options through: tags and ignoreActiveSpan', () => {
    const { tracer, recorder } = setup();
    tracer.startActiveSpan('outer', () => {
      tracer.startActiveSpan('detached', { ignoreActiveSpan: true, tags: { k: 'v' } }, () => undefined);
    });
    const detached = recorder.spans().find((s) => s.operationName === 'detached');
    expect(detached?.parentSpanId).toBeUndefined();
    expect(detached?.tags.k).toBe('v');
  });

  it('without a callback starts no span, returns undefined and says so once (no throw into the app)', () => {
    const recorder = new InMemoryRecorder();
    const warnings: string[] = [];
    const tracer = new Tracer({ serviceName: 'scope-test', recorder, logger: { warn: (m) => warnings.push(m) } });
    const call = tracer.startActiveSpan as (...args: unknown[]) => unknown;
    expect(call.call(tracer, 'x')).toBeUndefined();
    expect(call.call(tracer, 'x', { tags: { a: 1 } })).toBeUndefined();
    expect(call.call(tracer, 'x', {}, 'not a function')).toBeUndefined();
    expect(recorder.spans()).toHaveLength(0);
    expect(tracer.activeSpan()).toBeNull();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/startActiveSpan\(name, \[options\], fn\) was called without a function/);
  });
});

describe('ScopeManager', () => {
  it('is an AsyncLocalScopeManager by default, and active() reflects activate()', () => {
    const { tracer } = setup();
    const scopes = tracer.scopeManager();
    expect(scopes).toBeInstanceOf(AsyncLocalScopeManager);
    expect(scopes.active()).toBeNull();
    const span = tracer.startSpan('s');
    scopes.activate(span, () => {
      expect(scopes.active()?.span()).toBe(span);
    });
    expect(span.isFinished()).toBe(false);
    scopes.activate(span, () => undefined, true);
    expect(span.isFinished()).toBe(true);
  });

  it('scope.close() finishes with finishOnClose and deactivates for the rest of the callback', async () => {
    const { tracer } = setup();
    const outer = tracer.startSpan('outer');
    const inner = tracer.startSpan('inner');
    const scopes = tracer.scopeManager();
    await scopes.activate(outer, () =>
      scopes.activate(
        inner,
        async () => {
          scopes.active()?.close();
          expect(inner.isFinished()).toBe(true);
          expect(tracer.activeSpan()).toBe(outer);
          await tick();
          expect(tracer.activeSpan()).toBe(outer);
        },
        true,
      ),
    );
  });

  it('bind(fn) runs the function with the span active at bind time, or the one given, or none', async () => {
    const { tracer } = setup();
    const scopes = tracer.scopeManager();
    const other = tracer.startSpan('other');
    let boundActive!: () => Span | null;
    let boundOther!: () => Span | null;
    let boundNone!: () => Span | null;
    let outer!: Span;
    tracer.startActiveSpan('outer', (span) => {
      outer = span;
      boundActive = scopes.bind(() => tracer.activeSpan());
      boundOther = scopes.bind(() => tracer.activeSpan(), other);
      boundNone = scopes.bind(() => tracer.activeSpan(), null);
    });
    expect(boundActive()).toBe(outer);
    expect(boundOther()).toBe(other);
    await tracer.startActiveSpan('elsewhere', async () => {
      expect(boundNone()).toBeNull();
      expect(boundActive()).toBe(outer);
    });
  });

  it('bind(fn) keeps this, arguments and length', () => {
    const { tracer } = setup();
    const fn = function (this: { base: number }, a: number, b: number) {
      return this.base + a + b;
    };
    const bound = tracer.scopeManager().bind(fn);
    expect(bound.length).toBe(2);
    expect(bound.call({ base: 1 }, 2, 3)).toBe(6);
  });

  it('bind(emitter) makes listeners added later see the bound span, and keeps removeListener working', async () => {
    const { tracer } = setup();
    const emitter = new EventEmitter();
    const span = tracer.startSpan('request');
    tracer.scopeManager().bind(emitter, span);
    const seen: (Span | null)[] = [];
    const listener = () => seen.push(tracer.activeSpan());
    emitter.on('data', listener);
    emitter.once('end', listener);
    emitter.prependListener('data', listener);
    // emitted from a context with no active span:
    await tick();
    emitter.emit('data');
    emitter.emit('end');
    emitter.emit('end');
    expect(seen).toEqual([span, span, span]);
    emitter.removeListener('data', listener);
    emitter.off('data', listener);
    expect(emitter.listenerCount('data')).toBe(0);
    const onceListener = () => seen.push(null);
    emitter.once('late', onceListener);
    emitter.removeListener('late', onceListener);
    expect(emitter.listenerCount('late')).toBe(0);
  });

  it('binds an emitter once: a second bind keeps the first span', async () => {
    const { tracer } = setup();
    const emitter = new EventEmitter();
    const first = tracer.startSpan('first');
    expect(tracer.scopeManager().bind(emitter, first)).toBe(emitter);
    tracer.scopeManager().bind(emitter, tracer.startSpan('second'));
    const seen: (Span | null)[] = [];
    emitter.on('ping', () => seen.push(tracer.activeSpan()));
    await tick();
    emitter.emit('ping');
    expect(seen).toEqual([first]);
  });

  it('bind returns other values unchanged', () => {
    const { tracer } = setup();
    const value = { not: 'bindable' };
    expect(tracer.scopeManager().bind(value as never)).toBe(value);
  });
});

describe('concurrency', () => {
  it('keeps 400 interleaved concurrent requests with nested spans apart', async () => {
    const { tracer, recorder } = setup();
    const randomDelay = () =>
      new Promise<void>((r) => {
        const pick = Math.floor(Math.random() * 3);
        if (pick === 0) setImmediate(r);
        else if (pick === 1) setTimeout(r, Math.floor(Math.random() * 3));
        else process.nextTick(r);
      });
    const request = (n: number) =>
      tracer.startActiveSpan(`request-${n}`, async (root) => {
        root.setTag('request', n);
        await randomDelay();
        await Promise.all(
          [0, 1].map((branch) =>
            tracer.startActiveSpan(`branch-${n}-${branch}`, async () => {
              await randomDelay();
              await tracer.startActiveSpan(`leaf-${n}-${branch}`, async () => {
                await randomDelay();
                expect(tracer.activeSpan()?.operationName()).toBe(`leaf-${n}-${branch}`);
              });
            }),
          ),
        );
        await randomDelay();
        expect(tracer.activeSpan()).toBe(root);
      });
    await Promise.all(Array.from({ length: 400 }, (_, n) => request(n)));

    const spans = recorder.spans();
    expect(spans).toHaveLength(400 * 5);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    for (const span of spans) {
      const n = span.operationName.split('-')[1];
      if (span.operationName.startsWith('request-')) {
        expect(span.parentSpanId).toBeUndefined();
        continue;
      }
      const parent = byId.get(span.parentSpanId as string);
      expect(parent).toBeDefined();
      expect(parent?.traceId).toBe(span.traceId);
      const expectedParent = span.operationName.startsWith('leaf-') ? span.operationName.replace('leaf-', 'branch-') : `request-${n}`;
      expect(parent?.operationName).toBe(expectedParent);
    }
  });
});

describe('memory', () => {
  it('retains nothing across 100k activations', async () => {
    const tracer = new Tracer({ serviceName: 'mem', logger: { warn: () => undefined } });
    const run = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const span = tracer.startSpan('a');
        tracer.scopeManager().activate(span, () => tracer.startSpan('child').finish(), true);
        if (i % 1000 === 0)
          await tracer.startActiveSpan('async', async () => {
            await Promise.resolve();
          });
      }
    };
    await run(10_000); // warm up: JIT code, pools
    const before = settledHeapUsed();
    await run(100_000);
    const after = settledHeapUsed();
    // 100k retained spans would be tens of MB; allow noise well below that.
    expect(after - before).toBeLessThan(2 * 1024 * 1024);
  });
});
