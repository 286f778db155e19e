/**
 * One active span and one context for OpenTracing and @opentelemetry/api: spans nest
 * across the two APIs both ways, both APIs name the same active span, and context values
 * travel across async work like the span does.
 */
import { EventEmitter } from 'node:events';
import * as http from 'node:http';
import * as api from '@opentelemetry/api';
import { InMemoryRecorder, traceHttpHandler, Tracer } from '../../lib';
import type { FinishedSpan } from '../../lib';
import { registerOpenTelemetry } from '../../lib/opentelemetry';
import type { OpenTelemetryRegistration } from '../../lib/opentelemetry';
import { close, listen, spansWhen } from '../helpers/middleware';

const warnings: string[] = [];
const recorder = new InMemoryRecorder();
const tracer = new Tracer({ serviceName: 'one-context', recorder, logger: { warn: (m) => warnings.push(m) } });
let registration: OpenTelemetryRegistration;
const otel = () => api.trace.getTracer('one-context-spec', '1.0.0');
const KEY = api.createContextKey('one-context-spec key');

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const named = (name: string): FinishedSpan => {
  const found = recorder.spans().filter((s) => s.operationName === name);
  if (found.length !== 1) throw new Error(`expected one '${name}', got ${found.length}`);
  return found[0];
};

beforeAll(() => {
  registration = registerOpenTelemetry(tracer);
});
afterAll(async () => {
  registration.disable();
  await tracer.close();
});
afterEach(() => recorder.clear());

describe('spans nest across the two APIs', () => {
  it('an OpenTelemetry span started inside tracer.startActiveSpan is its child, and both APIs name it active inside', async () => {
    await tracer.startActiveSpan('ot-request', async (request) => {
      await tick();
      expect(api.trace.getActiveSpan()?.spanContext().spanId).toBe(request.context().spanId);
      await otel().startActiveSpan('otel-work', async (work) => {
        await new Promise((resolve) => setTimeout(resolve, 2));
        expect(tracer.activeSpan()?.context().spanId).toBe(work.spanContext().spanId);
        expect(api.trace.getActiveSpan()).toBe(work);
        work.end();
      });
      expect(tracer.activeSpan()).toBe(request);
    });
    expect(named('otel-work')).toMatchObject({ traceId: named('ot-request').traceId, parentSpanId: named('ot-request').spanId });
    expect(named('otel-work').scope).toEqual({ name: 'one-context-spec', version: '1.0.0' });
    expect(named('ot-request').scope).toBeUndefined();
  });

  it('an OpenTracing span started inside otelTracer.startActiveSpan is its child; so is one inside context.with(trace.setSpan(...))', async () => {
    await otel().startActiveSpan('otel-root', async (root) => {
      await tick();
      tracer.startSpan('ot-inside-active').finish();
      root.end();
    });
    const detached = otel().startSpan('otel-detached');
    await api.context.with(api.trace.setSpan(api.context.active(), detached), async () => {
      await tick();
      await tracer.startActiveSpan('ot-inside-with', async () => {
        await tick();
        otel().startSpan('otel-grandchild').end();
      });
    });
    detached.end();
    expect(named('ot-inside-active')).toMatchObject({ traceId: named('otel-root').traceId, parentSpanId: named('otel-root').spanId });
    expect(named('otel-root').parentSpanId).toBeUndefined();
    expect(named('ot-inside-with').parentSpanId).toBe(named('otel-detached').spanId);
    expect(named('otel-grandchild').parentSpanId).toBe(named('ot-inside-with').spanId);
    expect(new Set(['otel-detached', 'ot-inside-with', 'otel-grandchild'].map((n) => named(n).traceId)).size).toBe(1);
  });

  it('an OpenTelemetry span started in a request traced by traceHttpHandler is a child of the server span', async () => {
    const server = http.createServer(
      traceHttpHandler(tracer, (_req, res) => {
        otel().startActiveSpan('otel-in-handler', (span) => {
          setTimeout(() => {
            span.end();
            res.end('ok');
          }, 1);
        });
      }),
    );
    const url = await listen(server);
    try {
      const response = await fetch(`${url}/items`);
      expect(await response.text()).toBe('ok');
      const [serverSpan] = await spansWhen(recorder, 1, (s) => s.tags['span.kind'] === 'server');
      expect(named('otel-in-handler')).toMatchObject({ traceId: serverSpan.traceId, parentSpanId: serverSpan.spanId });
    } finally {
      await close(server);
    }
  });

  it('trace.getActiveSpan() and tracer.activeSpan() agree at every level of a mixed chain, and outside it', async () => {
    const seen: [string | undefined, string | undefined][] = [];
    const note = () => seen.push([api.trace.getActiveSpan()?.spanContext().spanId, tracer.activeSpan()?.context().spanId]);
    note();
    await tracer.startActiveSpan('l1', async () => {
      note();
      await otel().startActiveSpan('l2', async (l2) => {
        await tick();
        note();
        await tracer.startActiveSpan('l3', async () => {
          await tick();
          note();
        });
        note();
        l2.end();
      });
      note();
    });
    note();
    expect(seen[0]).toEqual([undefined, undefined]);
    expect(seen[seen.length - 1]).toEqual([undefined, undefined]);
    for (const [otelId, otId] of seen.slice(1, -1)) expect(otelId).toBe(otId);
    expect(seen.slice(1, -1).map(([id]) => id)).toEqual(['l1', 'l2', 'l3', 'l2', 'l1'].map((n) => named(n).spanId));
  });

  it('context.with(ROOT_CONTEXT) leaves no active span for either API; trace.deleteSpan removes it for both', async () => {
    await tracer.startActiveSpan('outer', async () => {
      api.context.with(api.ROOT_CONTEXT, () => {
        expect(tracer.activeSpan()).toBeNull();
        expect(api.trace.getActiveSpan()).toBeUndefined();
        tracer.startSpan('ot-root-again').finish();
      });
      api.context.with(api.trace.deleteSpan(api.context.active()), () => {
        expect(tracer.activeSpan()).toBeNull();
        otel().startSpan('otel-root-again').end();
      });
      expect(tracer.activeSpan()?.operationName()).toBe('outer');
    });
    expect(named('ot-root-again').parentSpanId).toBeUndefined();
    expect(named('otel-root-again').parentSpanId).toBeUndefined();
  });

  it('a span context set by trace.setSpanContext (a remote parent) is the parent of spans of both APIs', () => {
    const remote: api.SpanContext = {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: api.TraceFlags.SAMPLED,
      isRemote: true,
    };
    api.context.with(api.trace.setSpanContext(api.ROOT_CONTEXT, remote), () => {
      expect(api.trace.getActiveSpan()?.spanContext()).toMatchObject({ traceId: remote.traceId, spanId: remote.spanId });
      expect(tracer.activeSpan()?.context()).toMatchObject({ traceId: remote.traceId, spanId: remote.spanId, remote: true });
      tracer.startSpan('ot-child-of-remote').finish();
      otel().startSpan('otel-child-of-remote').end();
    });
    for (const name of ['ot-child-of-remote', 'otel-child-of-remote']) {
      expect(named(name)).toMatchObject({ traceId: remote.traceId, parentSpanId: remote.spanId });
    }
    // The stand-in for the remote parent records nothing.
    expect(recorder.spans()).toHaveLength(2);
  });

  it('an unsampled remote parent makes non-recording OpenTelemetry spans and unsampled OpenTracing ones', () => {
    const remote = {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: api.TraceFlags.NONE,
      isRemote: true,
    };
    api.context.with(api.trace.setSpanContext(api.context.active(), remote), () => {
      const span = otel().startSpan('otel-unsampled');
      expect(span.isRecording()).toBe(false);
      expect(span.spanContext().traceFlags).toBe(api.TraceFlags.NONE);
      span.end();
      expect(tracer.startSpan('ot-unsampled').context().sampled).toBe(false);
    });
    expect(recorder.spans()).toHaveLength(0);
  });

  it('root: true starts a new trace inside an active span', async () => {
    await tracer.startActiveSpan('outer', async (outer) => {
      const root = otel().startSpan('otel-new-root', { root: true });
      expect(root.spanContext().traceId).not.toBe(outer.context().traceId);
      root.end();
    });
    expect(named('otel-new-root').parentSpanId).toBeUndefined();
  });

  it('an explicit context argument wins over the active one', async () => {
    const parent = otel().startSpan('explicit-parent');
    await tracer.startActiveSpan('active', async () => {
      otel().startSpan('explicit-child', {}, api.trace.setSpan(api.ROOT_CONTEXT, parent)).end();
    });
    parent.end();
    expect(named('explicit-child').parentSpanId).toBe(named('explicit-parent').spanId);
  });
});

describe('context values travel like the span', () => {
  it('follows await, timers, nextTick and setImmediate, and through OpenTracing activations', async () => {
    const ctx = api.context.active().setValue(KEY, 'v1');
    const seen = await api.context.with(ctx, async () => {
      const out: unknown[] = [];
      await tick();
      out.push(api.context.active().getValue(KEY));
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          out.push(api.context.active().getValue(KEY));
          process.nextTick(() => {
            out.push(api.context.active().getValue(KEY));
            resolve();
          });
        }, 1),
      );
      await tracer.startActiveSpan('ot', async () => {
        await tick();
        out.push(api.context.active().getValue(KEY));
        expect(api.trace.getActiveSpan()?.spanContext().spanId).toBe(tracer.activeSpan()?.context().spanId);
      });
      return out;
    });
    expect(seen).toEqual(['v1', 'v1', 'v1', 'v1']);
    expect(api.context.active().getValue(KEY)).toBeUndefined();
  });

  it('concurrent contexts never see each other’s values', async () => {
    const run = (value: string) =>
      api.context.with(api.context.active().setValue(KEY, value), async () => {
        const seen: unknown[] = [];
        for (let i = 0; i < 5; i++) {
          await new Promise((resolve) => setTimeout(resolve, (i * 7 + value.length) % 3));
          seen.push(api.context.active().getValue(KEY));
        }
        return seen;
      });
    const [a, b] = await Promise.all([run('a'), run('bb')]);
    expect(a).toEqual(['a', 'a', 'a', 'a', 'a']);
    expect(b).toEqual(['bb', 'bb', 'bb', 'bb', 'bb']);
  });

  it('setValue and deleteValue make new contexts; the old one is unchanged', () => {
    const base = api.context.active();
    const one = base.setValue(KEY, 1);
    const two = one.setValue(KEY, 2);
    const none = two.deleteValue(KEY);
    expect([base.getValue(KEY), one.getValue(KEY), two.getValue(KEY), none.getValue(KEY)]).toEqual([undefined, 1, 2, undefined]);
  });

  it('a context of another implementation (ROOT_CONTEXT.setValue) keeps its values, its span and its baggage', () => {
    const span = otel().startSpan('foreign-parent');
    const baggage = api.propagation.createBaggage({ tenant: { value: 'acme' } });
    const foreign = api.propagation.setBaggage(api.trace.setSpan(api.ROOT_CONTEXT.setValue(KEY, 'kept'), span), baggage);
    api.context.with(foreign, () => {
      const active = api.context.active();
      expect(active.getValue(KEY)).toBe('kept');
      expect(api.propagation.getBaggage(active)?.getEntry('tenant')?.value).toBe('acme');
      expect(api.trace.getActiveSpan()).toBe(span);
      expect(tracer.activeSpan()?.context().spanId).toBe(span.spanContext().spanId);
      expect(active.deleteValue(KEY).getValue(KEY)).toBeUndefined();
    });
    span.end();
  });

  it('context.bind runs a function in the bound context, wherever it is called from, and keeps its length', async () => {
    const bound = api.context.bind(api.context.active().setValue(KEY, 'bound'), (a: number, b: number) => {
      expect(api.context.active().getValue(KEY)).toBe('bound');
      return a + b;
    });
    expect(bound.length).toBe(2);
    const result = await api.context.with(api.context.active().setValue(KEY, 'other'), async () => {
      await tick();
      return bound(1, 2);
    });
    expect(result).toBe(3);
  });

  it('context.bind binds an emitter’s listeners; so does the OpenTracing scope manager, with the context values too', async () => {
    const emitter = new EventEmitter();
    const otEmitter = new EventEmitter();
    const seen: unknown[] = [];
    await tracer.startActiveSpan('binder', async () => {
      api.context.with(api.context.active().setValue(KEY, 'at-bind'), () => {
        api.context.bind(api.context.active(), emitter);
        tracer.scopeManager().bind(otEmitter);
      });
    });
    const listener = () => seen.push([api.context.active().getValue(KEY), api.trace.getActiveSpan()?.spanContext().spanId]);
    emitter.on('ping', listener);
    otEmitter.on('ping', listener);
    api.context.with(api.context.active().setValue(KEY, 'at-emit'), () => {
      emitter.emit('ping');
      otEmitter.emit('ping');
    });
    expect(seen).toEqual([
      ['at-bind', named('binder').spanId],
      ['at-bind', named('binder').spanId],
    ]);
    emitter.off('ping', listener);
    emitter.emit('ping');
    expect(seen).toHaveLength(2);
  });

  it('scopeManager().bind(fn, span) runs fn with that span and the context values of the moment of binding', async () => {
    const span = tracer.startSpan('bound-span');
    const bound = api.context.with(api.context.active().setValue(KEY, 'at-bind'), () =>
      tracer.scopeManager().bind(() => [api.context.active().getValue(KEY), api.trace.getActiveSpan()?.spanContext().spanId], span),
    );
    await tick();
    expect(bound()).toEqual(['at-bind', span.context().spanId]);
    span.finish();
  });

  it('context.with passes this and every argument, and returns what the function returns', () => {
    const self = { name: 'self' };
    const result = api.context.with(
      api.context.active(),
      function (this: typeof self, a: number, b: number, c: number) {
        return `${this.name}:${a + b + c}`;
      },
      self,
      1,
      2,
      3,
    );
    expect(result).toBe('self:6');
  });

  it('an OpenTracing scope closed early deactivates its span for OpenTelemetry too', () => {
    tracer.startActiveSpan('closing', { finishOnClose: false }, (span) => {
      tracer.scopeManager().active()?.close();
      expect(api.trace.getActiveSpan()).toBeUndefined();
      expect(tracer.activeSpan()).toBeNull();
      span.finish();
    });
  });
});

describe('suppressTracing', () => {
  it('OpenTelemetry spans started where tracing is suppressed are non-recording and record nothing', () => {
    const suppressed = api.context.active().setValue(Symbol.for('OpenTelemetry SDK Context Key SUPPRESS_TRACING'), true);
    api.context.with(suppressed, () => {
      const span = otel().startSpan('suppressed');
      expect(span.isRecording()).toBe(false);
      expect(api.isSpanContextValid(span.spanContext())).toBe(false);
      span.end();
      const headers: Record<string, string> = {};
      api.propagation.inject(api.context.active(), headers);
      expect(headers).toEqual({});
    });
    expect(recorder.spans()).toHaveLength(0);
  });
});
