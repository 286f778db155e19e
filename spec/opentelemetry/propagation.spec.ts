/**
 * propagation.inject/extract through sextant: the tracer's configured formats, and one
 * set of baggage for both APIs on the wire.
 */
import * as api from '@opentelemetry/api';
import { W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import * as opentracing from 'opentracing';
import { InMemoryRecorder, Tracer } from '../../lib';
import type { PropagationName, Span } from '../../lib';
import { registerOpenTelemetry } from '../../lib/opentelemetry';
import type { OpenTelemetryRegistration } from '../../lib/opentelemetry';

const HTTP = opentracing.FORMAT_HTTP_HEADERS;
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const warnings: string[] = [];
const recorder = new InMemoryRecorder();
let tracer: Tracer;
let registration: OpenTelemetryRegistration | null = null;
const otel = () => api.trace.getTracer('propagation-spec');

/** Registers a fresh tracer speaking `formats` (the default ones when not given). */
function use(formats?: PropagationName[]): Tracer {
  registration?.disable();
  tracer = new Tracer({ serviceName: 'propagation', recorder, propagation: formats, logger: { warn: (m) => warnings.push(m) } });
  registration = registerOpenTelemetry(tracer);
  return tracer;
}

const baggageOf = (context: api.Context): Record<string, string> =>
  Object.fromEntries((api.propagation.getBaggage(context)?.getAllEntries() ?? []).map(([k, e]) => [k, e.value]));

afterEach(() => {
  recorder.clear();
  warnings.length = 0;
});
afterAll(() => registration?.disable());

describe('propagation.inject and extract speak the tracer’s formats', () => {
  it('default formats: propagation.inject writes what tracer.inject writes for the same span', async () => {
    use();
    await tracer.startActiveSpan('request', async (span) => {
      span.setBaggageItem('tenant', 'acme');
      const fromOtel: Record<string, string> = {};
      const fromOt: Record<string, string> = {};
      api.propagation.inject(api.context.active(), fromOtel);
      tracer.inject(span, HTTP, fromOt);
      expect(fromOtel).toEqual(fromOt);
      expect(Object.keys(fromOtel).sort()).toEqual(['baggage', 'traceparent']);
    });
    expect(api.propagation.fields().sort()).toEqual(['baggage', 'traceparent', 'tracestate']);
  });

  it('b3multi and jaeger: inject writes those headers, extract reads them, fields() names them', () => {
    use(['b3multi', 'jaeger']);
    const span = otel().startSpan('client');
    const headers: Record<string, string> = {};
    api.propagation.inject(api.trace.setSpan(api.context.active(), span), headers);
    const { traceId, spanId } = span.spanContext();
    expect(headers).toMatchObject({ 'x-b3-traceid': traceId, 'x-b3-spanid': spanId, 'x-b3-sampled': '1' });
    expect(headers['uber-trace-id']).toMatch(new RegExp(`^${traceId}:${spanId}:`));
    expect(headers.traceparent).toBeUndefined();
    const extracted = api.propagation.extract(api.ROOT_CONTEXT, { 'uber-trace-id': headers['uber-trace-id'] });
    expect(api.trace.getSpanContext(extracted)).toMatchObject({ traceId, spanId, isRemote: true, traceFlags: api.TraceFlags.SAMPLED });
    expect(api.propagation.fields()).toEqual(
      expect.arrayContaining(['x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled', 'x-b3-flags', 'uber-trace-id']),
    );
    span.end();
  });

  it('what sextant injects, OpenTelemetry’s own W3C propagators extract, and the reverse', () => {
    use();
    const theirs = new W3CTraceContextPropagator();
    const span = otel().startSpan('ours');
    const headers: Record<string, string> = {};
    api.propagation.inject(api.trace.setSpan(api.ROOT_CONTEXT, span), headers);
    expect(api.trace.getSpanContext(theirs.extract(api.ROOT_CONTEXT, headers, api.defaultTextMapGetter))).toMatchObject({
      traceId: span.spanContext().traceId,
      spanId: span.spanContext().spanId,
    });
    const back: Record<string, string> = {};
    const baggage = api.propagation.createBaggage({ k: { value: 'v w' } });
    new W3CBaggagePropagator().inject(api.propagation.setBaggage(api.ROOT_CONTEXT, baggage), back, api.defaultTextMapSetter);
    theirs.inject(api.trace.setSpan(api.ROOT_CONTEXT, span), back, api.defaultTextMapSetter);
    const extracted = api.propagation.extract(api.ROOT_CONTEXT, back);
    expect(api.trace.getSpanContext(extracted)?.spanId).toBe(span.spanContext().spanId);
    expect(baggageOf(extracted)).toEqual({ k: 'v w' });
    span.end();
  });

  it('injects a context of another implementation (trace.setSpanContext on ROOT_CONTEXT) and honours custom setters and getters', () => {
    use();
    const spanContext = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: api.TraceFlags.SAMPLED };
    const carrier = new Map<string, string>();
    const setter: api.TextMapSetter<Map<string, string>> = { set: (c, k, v) => c.set(`x-${k}`, v) };
    api.propagation.inject(api.trace.setSpanContext(api.ROOT_CONTEXT, spanContext), carrier, setter);
    expect([...carrier]).toEqual([['x-traceparent', TRACEPARENT]]);
    const getter: api.TextMapGetter<Map<string, string>> = { keys: (c) => [...c.keys()], get: (c, k) => c.get(`x-${k}`) };
    expect(api.trace.getSpanContext(api.propagation.extract(api.ROOT_CONTEXT, carrier, getter))?.spanId).toBe(spanContext.spanId);
  });

  it('matches header names case-insensitively, through the getter’s keys, and takes string[] values', () => {
    use();
    const extracted = api.propagation.extract(api.ROOT_CONTEXT, { TraceParent: TRACEPARENT, Baggage: ['a=1', 'b=2'] });
    expect(api.trace.getSpanContext(extracted)?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(baggageOf(extracted)).toEqual({ a: '1', b: '2' });
  });

  it('never throws on hostile carriers, getters or setters; the context comes back unchanged', () => {
    use();
    const context = api.ROOT_CONTEXT.setValue(api.createContextKey('mark'), 1);
    const throwing = {
      get() {
        throw new Error('get');
      },
      keys() {
        throw new Error('keys');
      },
    };
    expect(api.propagation.extract(context, null)).toBe(context);
    expect(api.propagation.extract(context, {}, throwing)).toBe(context);
    const span = otel().startSpan('x');
    expect(() =>
      api.propagation.inject(api.trace.setSpan(api.ROOT_CONTEXT, span), Object.freeze({}), {
        set() {
          throw new Error('set');
        },
      }),
    ).not.toThrow();
    expect(warnings.filter((w) => w.includes('inject() failed'))).toHaveLength(1);
    span.end();
  });
});

describe('one set of baggage for both APIs', () => {
  it('inject writes the span’s baggage items and the context’s OpenTelemetry baggage; the context’s wins a shared key', async () => {
    use(['tracecontext', 'baggage', 'jaeger']);
    await tracer.startActiveSpan('request', async (span) => {
      span.setBaggageItem('from-ot', 'ot');
      span.setBaggageItem('shared', 'ot');
      const withOtel = api.propagation.setBaggage(
        api.context.active(),
        api.propagation.createBaggage({ 'from-otel': { value: 'otel' }, shared: { value: 'otel' } }),
      );
      const headers: Record<string, string> = {};
      api.propagation.inject(withOtel, headers);
      const decoded = Object.fromEntries(headers.baggage.split(',').map((m) => m.split('=')));
      expect(decoded).toEqual({ 'from-ot': 'ot', 'from-otel': 'otel', shared: 'otel' });
      expect(headers).toMatchObject({ 'uberctx-from-ot': 'ot', 'uberctx-from-otel': 'otel', 'uberctx-shared': 'otel' });
    });
  });

  it('OpenTelemetry reads the active OpenTracing span’s baggage items as its baggage', async () => {
    use();
    await tracer.startActiveSpan('request', async (span) => {
      span.setBaggageItem('tenant', 'acme');
      expect(baggageOf(api.context.active())).toEqual({ tenant: 'acme' });
    });
  });

  it('extract yields the baggage to both: OpenTelemetry’s baggage, and the baggage items of spans started under it', async () => {
    use();
    const extracted = api.propagation.extract(api.ROOT_CONTEXT, { traceparent: TRACEPARENT, baggage: 'tenant=acme,plan=gold%20tier' });
    expect(baggageOf(extracted)).toEqual({ tenant: 'acme', plan: 'gold tier' });
    let child: Span | undefined;
    await api.context.with(extracted, async () => {
      await tracer.startActiveSpan('server', async (span) => {
        child = span;
        expect(span.getBaggageItem('plan')).toBe('gold tier');
        otel().startSpan('otel-child').end();
      });
    });
    expect(child?.context().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    const [otelChild] = recorder.spans().filter((s) => s.operationName === 'otel-child');
    expect(otelChild.baggage).toEqual({ tenant: 'acme', plan: 'gold tier' });
  });

  it('baggage without a trace context is extracted alone and injected alone', () => {
    use();
    const extracted = api.propagation.extract(api.ROOT_CONTEXT, { baggage: 'only=baggage' });
    expect(api.trace.getSpanContext(extracted)).toBeUndefined();
    expect(baggageOf(extracted)).toEqual({ only: 'baggage' });
    const headers: Record<string, string> = {};
    api.propagation.inject(extracted, headers);
    expect(headers).toEqual({ baggage: 'only=baggage' });
  });
});
