/**
 * OpenTelemetry's API-level conformance for a ContextManager, re-expressed: the cases
 * OpenTelemetry JS checks its own AsyncLocalStorage ContextManager with (with, bind of
 * functions and emitters, attach), run here through the global `@opentelemetry/api` with
 * sextant registered, plus the API's own checks of a global TracerProvider.
 */
import { EventEmitter } from 'node:events';
import * as api from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemoryRecorder, Tracer } from '../../lib';
import { registerOpenTelemetry } from '../../lib/opentelemetry';
import type { OpenTelemetryRegistration } from '../../lib/opentelemetry';

const recorder = new InMemoryRecorder();
const tracer = new Tracer({ serviceName: 'conformance', recorder });
const key = api.createContextKey('conformance key');
const ctxOf = (value: unknown) => api.ROOT_CONTEXT.setValue(key, value);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let registration: OpenTelemetryRegistration;

/** The global context manager, with the experimental `attach` of @opentelemetry/api 1.10. */
const manager = () =>
  (
    api.context as unknown as { _getContextManager(): api.ContextManager & { attach(c: api.Context): { dispose(): void } } }
  )._getContextManager();

beforeAll(() => {
  registration = registerOpenTelemetry(tracer);
});
afterAll(() => registration.disable());

describe('context.with', () => {
  it('runs the callback and gives back what it returns, this and arguments included', () => {
    const self = { n: 1 };
    expect(
      api.context.with(
        ctxOf(1),
        function (this: typeof self, a: number) {
          return this.n + a;
        },
        self,
        2,
      ),
    ).toBe(3);
  });

  it('rethrows what the callback throws, and the context is restored', () => {
    expect(() =>
      api.context.with(ctxOf(1), () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(api.context.active()).toBe(api.ROOT_CONTEXT);
  });

  it('makes the given context active, the very object, and restores the old one after a nested with', () => {
    const one = ctxOf('one');
    const two = ctxOf('two');
    api.context.with(one, () => {
      expect(api.context.active()).toBe(one);
      api.context.with(two, () => expect(api.context.active()).toBe(two));
      expect(api.context.active()).toBe(one);
    });
    expect(api.context.active()).toBe(api.ROOT_CONTEXT);
  });

  it('keeps the context in a timer and across awaits; an async function started in a nested with keeps the nested one', async () => {
    const one = ctxOf('one');
    const two = ctxOf('two');
    const seen: unknown[] = [];
    let downstream!: Promise<void>;
    await api.context.with(one, async () => {
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          seen.push(api.context.active());
          resolve();
        }, 1),
      );
      api.context.with(two, () => {
        downstream = (async () => {
          await sleep(1);
          seen.push(api.context.active());
        })();
      });
      seen.push(api.context.active());
      await downstream;
    });
    expect(seen).toEqual([one, one, two]);
  });

  it('restores each level of nested async withs', async () => {
    const levels = [1, 2, 3, 4].map(ctxOf);
    const seen: unknown[] = [];
    const nest = async (i: number): Promise<void> => {
      if (i === levels.length) return;
      await api.context.with(levels[i], async () => {
        seen.push(api.context.active());
        await sleep(0);
        await nest(i + 1);
        seen.push(api.context.active());
      });
    };
    await nest(0);
    expect(seen).toEqual([...levels, ...[...levels].reverse()]);
    expect(api.context.active()).toBe(api.ROOT_CONTEXT);
  });

  it('keeps concurrent operations apart, timers of the same timeout included', async () => {
    const outer = api.context.active();
    const inner = outer.setValue(key, 23);
    const seen = await Promise.all([
      new Promise((resolve) => api.context.with(inner, () => setTimeout(() => resolve(api.context.active()), 2))),
      new Promise((resolve) => setTimeout(() => resolve(api.context.active()), 2)),
      new Promise((resolve) => setTimeout(() => resolve(api.context.active()), 3)),
    ]);
    expect(seen).toEqual([inner, outer, outer]);
  });

  it('does not influence another ContextManager instance, nor does that one influence it', () => {
    const other = new AsyncLocalStorageContextManager().enable();
    const mine = ctxOf(2);
    const theirs = ctxOf(3);
    api.context.with(mine, () => {
      expect(other.active()).toBe(api.ROOT_CONTEXT);
      other.with(theirs, () => {
        expect(api.context.active()).toBe(mine);
        expect(other.active()).toBe(theirs);
      });
    });
    other.disable();
  });
});

describe('context.bind of a function', () => {
  it('gives back a target that is not a function or an emitter unchanged', () => {
    const target = { a: 1 };
    expect(api.context.bind(api.ROOT_CONTEXT, target)).toBe(target);
  });

  it('runs the function in the bound context, also after an async operation inside it', async () => {
    const context = ctxOf(1);
    const seen = await new Promise((resolve) => {
      const bound = api.context.bind(context, () => {
        expect(api.context.active()).toBe(context);
        setTimeout(() => resolve(api.context.active()), 5);
      });
      api.context.with(ctxOf('elsewhere'), bound);
    });
    expect(seen).toBe(context);
  });

  it('does not influence another ContextManager instance', () => {
    const other = new AsyncLocalStorageContextManager().enable();
    const mine = ctxOf(2);
    const theirs = ctxOf(3);
    other.bind(
      theirs,
      api.context.bind(mine, () => {
        expect(api.context.active()).toBe(mine);
        expect(other.active()).toBe(theirs);
      }),
    )();
    other.disable();
  });
});

describe('context.bind of an EventEmitter', () => {
  it('gives back the same emitter, whose listeners run in the bound context', async () => {
    const emitter = new EventEmitter();
    const context = ctxOf(1);
    expect(api.context.bind(context, emitter)).toBe(emitter);
    const seen = await new Promise((resolve) => {
      emitter.on('test', () => setTimeout(() => resolve(api.context.active()), 1));
      emitter.emit('test');
    });
    expect(seen).toBe(context);
  });

  it('removeListener, off and removeAllListeners remove bound listeners, added with on or once', () => {
    const emitter = api.context.bind(ctxOf(1), new EventEmitter());
    const handler = () => undefined;
    emitter.on('test', handler);
    expect(emitter.listeners('test')).toHaveLength(1);
    emitter.removeListener('test', handler);
    expect(emitter.listeners('test')).toHaveLength(0);
    emitter.once('test', handler);
    emitter.removeListener('test', handler);
    expect(emitter.listeners('test')).toHaveLength(0);
    emitter.once('test', handler);
    emitter.off('test', handler);
    expect(emitter.listeners('test')).toHaveLength(0);
    emitter.on('test', handler);
    emitter.on('other', handler);
    emitter.removeAllListeners('test');
    expect(emitter.listeners('test')).toHaveLength(0);
    expect(emitter.listeners('other')).toHaveLength(1);
    emitter.removeAllListeners();
    expect(emitter.listeners('other')).toHaveLength(0);
  });

  it('a listener that removes itself while running sees the bound context', () => {
    const context = ctxOf(1);
    const emitter = api.context.bind(context, new EventEmitter());
    const seen: unknown[] = [];
    const handler = () => {
      seen.push(api.context.active());
      emitter.removeListener('test', handler);
    };
    emitter.on('test', handler);
    emitter.emit('test');
    emitter.emit('test');
    expect(seen).toEqual([context]);
  });
});

describe('attach (the experimental context.attach of @opentelemetry/api 1.10)', () => {
  it('attaches a context until the token is disposed; nested attaches unwind in order', async () => {
    const one = ctxOf(1);
    const two = ctxOf(2);
    await api.context.with(api.ROOT_CONTEXT, async () => {
      const first = manager().attach(one);
      expect(api.context.active()).toBe(one);
      const second = manager().attach(two);
      await sleep(1);
      expect(api.context.active()).toBe(two);
      second.dispose();
      expect(api.context.active()).toBe(one);
      first.dispose();
      first.dispose();
      expect(api.context.active()).toBe(api.ROOT_CONTEXT);
    });
  });

  it('an attached context does not leak into a concurrent sibling', async () => {
    const sibling = (async () => {
      await sleep(2);
      return api.context.active();
    })();
    const attached = (async () => {
      await sleep(0);
      const token = manager().attach(ctxOf('attached'));
      await sleep(1);
      const seen = api.context.active();
      token.dispose();
      return seen;
    })();
    const [siblingSaw, attachedSaw] = await Promise.all([sibling, attached]);
    expect(siblingSaw).toBe(api.ROOT_CONTEXT);
    expect(api.context.active()).toBe(api.ROOT_CONTEXT);
    expect((attachedSaw as api.Context).getValue(key)).toBe('attached');
  });
});

describe('the global TracerProvider', () => {
  it('getTracerProvider gives a provider whose tracers are sextant’s; getActiveSpan gives the current span', () => {
    const provider = api.trace.getTracerProvider();
    const span = provider.getTracer('conformance').startSpan('via-provider');
    api.context.with(api.trace.setSpan(api.context.active(), span), () => {
      expect(api.trace.getActiveSpan()).toBe(span);
    });
    span.end();
    expect(recorder.spans().map((s) => s.operationName)).toEqual(['via-provider']);
    expect(api.trace.getSpan(api.ROOT_CONTEXT)).toBeUndefined();
  });
});
