/**
 * registerOpenTelemetry sets @opentelemetry/api's three globals to sextant's and disable()
 * restores the no-op ones; maybeRegisterOpenTelemetry is what `sextant/register` calls;
 * `require('sextant')` never loads @opentelemetry/api.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import * as api from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { AsyncLocalScopeManager, InMemoryRecorder, Tracer } from '../../lib';
import type { ScopeManager, Span } from '../../lib';
import { maybeRegisterOpenTelemetry, registerOpenTelemetry } from '../../lib/opentelemetry';

const root = path.resolve(__dirname, '..', '..');
const warnings: string[] = [];
const recorder = new InMemoryRecorder();
const tracer = new Tracer({ serviceName: 'register', recorder, logger: { warn: (m) => warnings.push(m) } });

afterEach(() => {
  recorder.clear();
  warnings.length = 0;
  api.trace.disable();
  api.context.disable();
  api.propagation.disable();
});

/** Whether the global ContextManager keeps a context for `with` (the API's no-op one does not). */
function contextsWork(): boolean {
  const key = api.createContextKey('probe');
  return api.context.with(api.ROOT_CONTEXT.setValue(key, 1), () => api.context.active().getValue(key)) === 1;
}

/** Whether a span started through the global API now is recorded by `tracer`. */
function apiSpansReachSextant(): boolean {
  const before = recorder.spans().length;
  const span = api.trace.getTracer('probe').startSpan('probe');
  span.end();
  return span.isRecording() === false && recorder.spans().length === before + 1;
}

describe('registerOpenTelemetry', () => {
  it('sets the TracerProvider, ContextManager and propagator; disable() restores the no-op globals', () => {
    const heldBefore = api.trace.getTracer('held');
    const registration = registerOpenTelemetry(tracer);
    expect(apiSpansReachSextant()).toBe(true);
    expect(contextsWork()).toBe(true);
    expect(api.propagation.fields()).toContain('traceparent');
    heldBefore.startSpan('through-a-proxy-held-before').end();
    expect(recorder.spans().map((s) => s.operationName)).toContain('through-a-proxy-held-before');

    registration.disable();
    registration.disable();
    recorder.clear();
    const span = api.trace.getTracer('after').startSpan('after-disable');
    expect(span.isRecording()).toBe(false);
    span.end();
    // A proxy that resolved to sextant's tracer before keeps it: that tracer now starts no-op spans.
    const held = heldBefore.startSpan('held-after-disable');
    expect(held.isRecording()).toBe(false);
    held.end();
    expect(heldBefore.startActiveSpan('held-active', (s) => s.isRecording())).toBe(false);
    expect(recorder.spans()).toHaveLength(0);
    expect(contextsWork()).toBe(false);
    expect(api.propagation.fields()).toEqual([]);
    tracer.startActiveSpan('ot', () => expect(api.trace.getActiveSpan()).toBeUndefined());

    const again = registerOpenTelemetry(tracer);
    expect(apiSpansReachSextant()).toBe(true);
    again.disable();
  });

  it('a second registration changes nothing and says so; the first stays in force', () => {
    const first = registerOpenTelemetry(tracer);
    const other = new Tracer({ serviceName: 'other', recorder: new InMemoryRecorder(), logger: { warn: (m) => warnings.push(m) } });
    const second = registerOpenTelemetry(other);
    second.disable();
    expect(apiSpansReachSextant()).toBe(true);
    expect(warnings).toEqual([expect.stringContaining('registered with @opentelemetry/api already (service register)')]);
    first.disable();
  });

  it('registers nothing, and says which, when an OpenTelemetry SDK holds a global already', () => {
    api.trace.setGlobalTracerProvider(new BasicTracerProvider());
    const registration = registerOpenTelemetry(tracer);
    expect(warnings).toEqual([expect.stringContaining('another OpenTelemetry TracerProvider is registered')]);
    expect(contextsWork()).toBe(false);
    expect(api.propagation.fields()).toEqual([]);
    registration.disable();
    expect(api.trace.getTracer('sdk').startSpan('x').isRecording()).toBe(true);
  });

  it('{ propagator: false } keeps the propagator already set, and disable() leaves it', () => {
    api.propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const registration = registerOpenTelemetry(tracer, { propagator: false });
    expect(apiSpansReachSextant()).toBe(true);
    expect(api.propagation.fields()).toEqual(['traceparent', 'tracestate']);
    registration.disable();
    expect(api.propagation.fields()).toEqual(['traceparent', 'tracestate']);
  });

  it('throws a TypeError naming what is wrong for a tracer that is not sextant’s or a wrong option', () => {
    expect(() => registerOpenTelemetry({} as Tracer)).toThrow(/registerOpenTelemetry\(tracer\) must be a sextant Tracer/);
    expect(() => registerOpenTelemetry(tracer, { propagator: 'yes' as unknown as boolean })).toThrow(
      /OpenTelemetryOptions.propagator must be a boolean, got "yes"/,
    );
    expect(() => registerOpenTelemetry(tracer, 7 as never)).toThrow(TypeError);
    expect(contextsWork()).toBe(false);
  });

  it('with a custom scope manager: warns, and OpenTelemetry spans outside any OpenTelemetry context are children of the OpenTracing active span', () => {
    // A scope manager of the user's own (it delegates, but is not sextant's async-local one).
    const store = new AsyncLocalScopeManager();
    const scopeManager: ScopeManager = {
      active: () => store.active(),
      activate: (span, fn, finishOnClose) => store.activate(span, fn, finishOnClose),
      bind: ((target: never, span?: Span | null) => store.bind(target, span)) as ScopeManager['bind'],
    };
    const custom = new Tracer({ serviceName: 'custom', recorder, scopeManager, logger: { warn: (m) => warnings.push(m) } });
    const registration = registerOpenTelemetry(custom);
    try {
      expect(warnings).toEqual([expect.stringContaining('custom scope manager')]);
      custom.startActiveSpan('ot-parent', () => {
        api.trace.getTracer('t').startActiveSpan('otel-child', (span) => {
          // OpenTelemetry's own context holds this span; OpenTracing's scope manager does not see it.
          expect(custom.activeSpan()?.operationName()).toBe('ot-parent');
          span.end();
        });
      });
      const [child] = recorder.spans().filter((s) => s.operationName === 'otel-child');
      const [parent] = recorder.spans().filter((s) => s.operationName === 'ot-parent');
      expect(child.parentSpanId).toBe(parent.spanId);
    } finally {
      registration.disable();
    }
  });
});

describe('maybeRegisterOpenTelemetry (what sextant/register calls)', () => {
  it('registers when @opentelemetry/api is installed and nothing switches it off', () => {
    const registration = maybeRegisterOpenTelemetry(tracer, {});
    expect(registration).not.toBeNull();
    expect(apiSpansReachSextant()).toBe(true);
    registration?.disable();
  });

  it.each(['false', '0', 'off', 'NO '])('SEXTANT_OPENTELEMETRY=%s switches it off', (value) => {
    expect(maybeRegisterOpenTelemetry(tracer, { SEXTANT_OPENTELEMETRY: value })).toBeNull();
    expect(contextsWork()).toBe(false);
    expect(warnings).toEqual([]);
  });
});

describe('loading', () => {
  const loaded = (code: string): string =>
    execFileSync(process.execPath, ['-r', './bench/register.js', '-e', code], { cwd: root, encoding: 'utf8' }).trim();
  const probe = "console.log(Object.keys(require.cache).filter((k) => k.includes('@opentelemetry')).length)";

  it('require of sextant’s entry never loads @opentelemetry/api; the subpath does', () => {
    expect(loaded(`require('./lib'); ${probe}`)).toBe('0');
    expect(Number(loaded(`require('./lib/opentelemetry'); ${probe}`))).toBeGreaterThan(0);
  }, 60_000);
});
