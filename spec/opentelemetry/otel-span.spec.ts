/**
 * Spans started through @opentelemetry/api are sextant spans: every part of the
 * OpenTelemetry span API lands on the OpenTracing model the contract names, is sampled by
 * the tracer's sampler, recorded by its recorder and exported with its instrumentation scope.
 */
import { performance } from 'node:perf_hooks';
import * as api from '@opentelemetry/api';
import { BatchRecorder, ConstSampler, InMemoryRecorder, OtlpHttpExporter, Tracer } from '../../lib';
import type { FinishedSpan } from '../../lib';
import { registerOpenTelemetry } from '../../lib/opentelemetry';
import type { OpenTelemetryRegistration } from '../../lib/opentelemetry';
import { Collector } from '../helpers/export-collector';

const warnings: string[] = [];
const recorder = new InMemoryRecorder();
// A sampler that adds no tags, so a span's tags are exactly what the API call set.
const sampleAll = { shouldSample: () => ({ sampled: true }) };
const tracer = new Tracer({ serviceName: 'otel-span', recorder, sampler: sampleAll, logger: { warn: (m) => warnings.push(m) } });
/** Whole seconds after this process's time origin: epoch milliseconds OpenTelemetry reads as such (smaller ones are performance.now() readings). */
const T = Math.ceil(performance.timeOrigin / 1000) * 1000 + 5000;
let registration: OpenTelemetryRegistration;
const otel = () => api.trace.getTracer('otel-span-spec', '2.1.0');

const LINKED: api.SpanContext = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: api.TraceFlags.SAMPLED };
const ALSO_LINKED: api.SpanContext = { traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), traceFlags: api.TraceFlags.NONE };

function only(name: string): FinishedSpan {
  const found = recorder.spans().filter((s) => s.operationName === name);
  if (found.length !== 1) throw new Error(`expected one '${name}', got ${found.length}`);
  return found[0];
}

beforeAll(() => {
  registration = registerOpenTelemetry(tracer);
});
afterAll(async () => {
  registration.disable();
  await tracer.close();
});
afterEach(() => {
  recorder.clear();
  warnings.length = 0;
});

describe('starting a span', () => {
  it('kind becomes span.kind; attributes become tags, without the empty ones; the caller’s object is not kept', () => {
    const attributes: api.Attributes = { 'http.method': 'GET', retries: 2, cached: false, list: ['a', 'b'], gone: undefined };
    const span = otel().startSpan('server', { kind: api.SpanKind.SERVER, attributes });
    attributes['http.method'] = 'POST';
    span.end();
    otel().startSpan('internal', { kind: api.SpanKind.INTERNAL }).end();
    for (const [kind, tag] of [
      [api.SpanKind.CLIENT, 'client'],
      [api.SpanKind.PRODUCER, 'producer'],
      [api.SpanKind.CONSUMER, 'consumer'],
    ] as const) {
      otel().startSpan(`kind-${tag}`, { kind }).end();
      expect(only(`kind-${tag}`).tags['span.kind']).toBe(tag);
    }
    expect(only('server').tags).toEqual({ 'span.kind': 'server', 'http.method': 'GET', retries: 2, cached: false, list: ['a', 'b'] });
    expect(only('internal').tags).toEqual({});
  });

  it('links become follows_from references after the parent’s child_of; invalid ones are left out', async () => {
    await otel().startActiveSpan('parent', async (parent) => {
      otel()
        .startSpan('linked', {
          links: [{ context: LINKED }, { context: api.INVALID_SPAN_CONTEXT }, { context: ALSO_LINKED, attributes: { a: 1 } }],
        })
        .end();
      parent.end();
    });
    otel()
      .startSpan('linked-root', { root: true, links: [{ context: LINKED }] })
      .end();
    const parent = only('parent');
    expect(only('linked')).toMatchObject({
      parentSpanId: parent.spanId,
      references: [
        { type: 'child_of', traceId: parent.traceId, spanId: parent.spanId },
        { type: 'follows_from', traceId: LINKED.traceId, spanId: LINKED.spanId },
        { type: 'follows_from', traceId: ALSO_LINKED.traceId, spanId: ALSO_LINKED.spanId },
      ],
    });
    const root = only('linked-root');
    expect(root.parentSpanId).toBeUndefined();
    expect(root.traceId).not.toBe(LINKED.traceId);
    expect(root.references).toEqual([{ type: 'follows_from', traceId: LINKED.traceId, spanId: LINKED.spanId }]);
  });

  it('takes the start time as HrTime, Date, epoch milliseconds or performance.now() milliseconds', () => {
    const epoch = T + 123.5;
    otel()
      .startSpan('hr', { startTime: [T / 1000, 123_500_000] })
      .end();
    otel()
      .startSpan('date', { startTime: new Date(T + 123) })
      .end();
    otel().startSpan('epoch', { startTime: epoch }).end();
    const before = performance.timeOrigin + performance.now();
    otel().startSpan('perf', { startTime: performance.now() }).end();
    expect(only('hr').startTime).toBeCloseTo(epoch, 3);
    expect(only('date').startTime).toBe(T + 123);
    expect(only('epoch').startTime).toBe(epoch);
    expect(only('perf').startTime).toBeGreaterThanOrEqual(before - 1);
    expect(only('perf').startTime).toBeLessThan(before + 1000);
  });

  it('is recorded with the instrumentation scope; one tracer per name and version', () => {
    expect(api.trace.getTracer('scoped', '1')).toBeDefined();
    api.trace.getTracer('scoped', '1').startSpan('v1').end();
    api.trace.getTracer('scoped', '2').startSpan('v2').end();
    api.trace.getTracer('scoped').startSpan('none').end();
    expect(only('v1').scope).toEqual({ name: 'scoped', version: '1' });
    expect(only('v2').scope).toEqual({ name: 'scoped', version: '2' });
    expect(only('none').scope).toEqual({ name: 'scoped' });
    expect(only('v1').serviceName).toBe('otel-span');
    expect(only('v1').process).toBe(only('v2').process);
  });

  it('startActiveSpan takes options and a context, returns what the function returns, and does not end the span', () => {
    let kept: api.Span | undefined;
    const parent = otel().startSpan('explicit');
    const result = otel().startActiveSpan('active', { attributes: { a: 1 } }, api.trace.setSpan(api.ROOT_CONTEXT, parent), (span) => {
      kept = span;
      return 42;
    });
    expect(result).toBe(42);
    expect(kept?.isRecording()).toBe(true);
    kept?.end();
    parent.end();
    expect(only('active')).toMatchObject({ parentSpanId: only('explicit').spanId, tags: { a: 1 } });
  });
});

describe('the span API', () => {
  it('setAttribute(s) set tags; updateName renames; end takes an end time in every form', () => {
    const start = T;
    const forms: [string, api.TimeInput][] = [
      ['hr', [T / 1000, 250_000_000]],
      ['date', new Date(start + 250)],
      ['epoch', start + 250],
    ];
    for (const [name, end] of forms) {
      const span = otel().startSpan('before', { startTime: start });
      span.setAttribute('one', 1).setAttribute('skipped', undefined as unknown as string);
      span.setAttributes({ two: 'two', three: [3] });
      span.updateName(name);
      span.end(end);
      expect(only(name)).toMatchObject({ duration: 250, tags: { one: 1, two: 'two', three: [3] } });
      expect('skipped' in only(name).tags).toBe(false);
    }
  });

  it('addEvent logs the event with its attributes and time in every argument form', () => {
    const span = otel().startSpan('events');
    span.addEvent('plain');
    span.addEvent('with-attributes', { items: 3 });
    span.addEvent('time-only', [T / 1000, 0]);
    span.addEvent('both', { ok: true }, new Date(T + 1000));
    span.end();
    const logs = only('events').logs;
    expect(logs.map((l) => l.fields)).toEqual([
      { event: 'plain' },
      { items: 3, event: 'with-attributes' },
      { event: 'time-only' },
      { ok: true, event: 'both' },
    ]);
    expect(logs[2].timestamp).toBe(T);
    expect(logs[3].timestamp).toBe(T + 1000);
  });

  it('addLink and addLinks add follows_from references after the start', () => {
    const span = otel().startSpan('late-links', { links: [{ context: LINKED }] });
    span.addLink({ context: ALSO_LINKED });
    span.addLinks([{ context: LINKED }, { context: api.INVALID_SPAN_CONTEXT }]);
    span.end();
    expect(only('late-links').references.map((r) => r.spanId)).toEqual([LINKED.spanId, ALSO_LINKED.spanId, LINKED.spanId]);
  });

  it('setStatus ERROR tags error and the message; OK is final and clears an earlier ERROR; UNSET changes nothing', () => {
    otel().startSpan('error').setStatus({ code: api.SpanStatusCode.ERROR, message: 'card declined' }).end();
    otel()
      .startSpan('ok-after-error')
      .setStatus({ code: api.SpanStatusCode.ERROR })
      .setStatus({ code: api.SpanStatusCode.OK })
      .setStatus({ code: api.SpanStatusCode.ERROR, message: 'ignored' })
      .end();
    otel().startSpan('unset').setStatus({ code: api.SpanStatusCode.UNSET }).end();
    expect(only('error').tags).toEqual({ error: true, 'otel.status_description': 'card declined' });
    expect(only('ok-after-error').tags).toEqual({ error: false, 'otel.status_code': 'OK' });
    expect(only('unset').tags).toEqual({});
  });

  it('recordException writes the error log recordError writes, for an Error, a string and an exception object', () => {
    const error = new TypeError('bad input');
    const span = otel().startSpan('exceptions');
    span.recordException(error, T);
    span.recordException('plain text');
    span.recordException({ name: 'Custom', message: 'custom message', stack: 'at x' });
    span.end();
    const [first, second, third] = only('exceptions').logs;
    expect(first).toEqual({ timestamp: T, fields: { event: 'error', 'error.object': error, message: 'bad input', stack: error.stack } });
    expect(second.fields).toMatchObject({ event: 'error', message: 'plain text' });
    expect(third.fields).toMatchObject({ event: 'error', message: 'custom message', stack: 'at x' });
    expect(only('exceptions').tags.error).toBeUndefined();
  });

  it('spanContext() gives the ids, the sampled flag and isRemote false; isRecording() turns false at end', () => {
    const span = otel().startSpan('context');
    const context = span.spanContext();
    expect(context).toMatchObject({ traceFlags: api.TraceFlags.SAMPLED, isRemote: false });
    expect(api.isSpanContextValid(context)).toBe(true);
    expect(span.isRecording()).toBe(true);
    span.end();
    expect(span.isRecording()).toBe(false);
    expect(only('context')).toMatchObject({ traceId: context.traceId, spanId: context.spanId });
  });

  it('a child of a remote parent with tracestate carries it; TraceState set/unset/get work on it', () => {
    const remote = tracer.extract('http_headers', {
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
    });
    const span = otel().startSpan('traced', {}, api.trace.setSpan(api.ROOT_CONTEXT, api.trace.wrapSpanContext({ ...toOtel(remote) })));
    const state = span.spanContext().traceState;
    expect(state?.serialize()).toBe('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
    expect(state?.get('congo')).toBe('t61rcWkgMzE');
    expect(state?.set('sextant', '1').serialize()).toBe('sextant=1,rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
    expect(state?.unset('rojo').serialize()).toBe('congo=t61rcWkgMzE');
    span.end();
  });

  it('end() twice records the span once and reports it once', () => {
    const span = otel().startSpan('twice');
    span.end();
    span.end();
    span.setAttribute('late', 1);
    expect(recorder.spans().filter((s) => s.operationName === 'twice')).toHaveLength(1);
    expect(only('twice').tags).toEqual({});
    expect(warnings.some((w) => w.includes('finish() called after finish()') || w.includes('span.finish()'))).toBe(true);
  });
});

describe('sampling', () => {
  it('spans of a trace the sampler drops are non-recording: every call is a no-op and nothing is recorded', async () => {
    const off = new Tracer({ serviceName: 'unsampled', recorder, sampler: new ConstSampler(false), logger: { warn: () => undefined } });
    registration.disable();
    const unsampled = registerOpenTelemetry(off);
    try {
      const span = otel().startSpan('dropped', { attributes: { a: 1 } });
      expect(span.isRecording()).toBe(false);
      expect(span.spanContext().traceFlags).toBe(api.TraceFlags.NONE);
      span.setAttribute('b', 2).addEvent('e').setStatus({ code: api.SpanStatusCode.ERROR }).recordException(new Error('x'));
      span.end();
      await off.startActiveSpan('ot-dropped', async () => {
        expect(api.trace.getActiveSpan()?.isRecording()).toBe(false);
      });
      expect(recorder.spans()).toHaveLength(0);
    } finally {
      unsampled.disable();
      registration = registerOpenTelemetry(tracer);
    }
  });
});

describe('hostile arguments never throw', () => {
  const hostile = new Proxy(
    {},
    {
      ownKeys() {
        throw new Error('no keys for you');
      },
      get() {
        throw new Error('no values for you');
      },
    },
  );

  it('startSpan with options whose getters throw gives a non-recording span and one warning', () => {
    const span = otel().startSpan('hostile', hostile as api.SpanOptions);
    expect(span.isRecording()).toBe(false);
    span.end();
    expect(warnings.filter((w) => w.includes('startSpan() failed'))).toHaveLength(1);
  });

  it('span methods given throwing objects keep the span and warn once per method', () => {
    const span = otel().startSpan('survives');
    span.setAttributes(hostile as api.Attributes);
    span.addEvent('e', hostile as api.Attributes);
    span.addLink(hostile as api.Link);
    span.addLinks(hostile as api.Link[]);
    span.setStatus(hostile as api.SpanStatus);
    span.recordException(hostile as api.Exception);
    span.setAttributes(null as unknown as api.Attributes);
    span.setAttribute(
      {
        toString: () => {
          throw new Error('key');
        },
      } as unknown as string,
      1,
    );
    span.addEvent('timed', hostile as api.TimeInput);
    span.updateName(42 as unknown as string);
    span.end(hostile as api.TimeInput);
    expect(only('42')).toBeDefined();
    expect(warnings.length).toBeGreaterThanOrEqual(3);
  });

  it('startActiveSpan with no function starts nothing and returns undefined', () => {
    const start = otel().startActiveSpan as (...args: unknown[]) => unknown;
    expect(start.call(otel(), 'no-fn')).toBeUndefined();
    expect(start.call(otel(), 'no-fn', {}, 'not a function')).toBeUndefined();
    expect(recorder.spans()).toHaveLength(0);
  });
});

describe('export', () => {
  it('an OpenTelemetry API span reaches an OTLP collector with its kind, status, events and links', async () => {
    const collector = await Collector.start();
    const exporter = new OtlpHttpExporter({ url: collector.url('/v1/traces'), protocol: 'http/json' } as ConstructorParameters<
      typeof OtlpHttpExporter
    >[0]);
    const exported = new Tracer({ serviceName: 'otlp-otel', recorder: new BatchRecorder(exporter, { flushOnExit: false }) });
    registration.disable();
    const otlp = registerOpenTelemetry(exported);
    try {
      const span = otel().startSpan('charge', { kind: api.SpanKind.CLIENT, links: [{ context: LINKED }] });
      span.addEvent('retry', { attempt: 2 });
      span.recordException(new Error('declined'));
      span.setStatus({ code: api.SpanStatusCode.ERROR, message: 'declined' });
      span.end();
      await exported.flush();
      await collector.waitForRequests(1);
      const body = collector.requests[0].json as {
        resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[];
      };
      const otlpSpan = body.resourceSpans[0].scopeSpans[0].spans[0] as {
        name: string;
        kind: number;
        status: { code: number; message?: string };
        events: { name: string }[];
        links: { spanId: string }[];
      };
      expect(otlpSpan.name).toBe('charge');
      expect(otlpSpan.kind).toBe(3); // SPAN_KIND_CLIENT
      expect(otlpSpan.status).toEqual({ code: 2, message: 'declined' });
      expect(otlpSpan.events.map((e) => e.name)).toEqual(['retry', 'error']);
      expect(otlpSpan.links.map((l) => l.spanId)).toEqual([LINKED.spanId]);
    } finally {
      otlp.disable();
      await exported.close();
      await collector.stop();
      registration = registerOpenTelemetry(tracer);
    }
  });
});

function toOtel(context: unknown): api.SpanContext {
  const c = context as { traceId: string; spanId: string; sampled: boolean; traceState?: string };
  const state = c.traceState;
  return {
    traceId: c.traceId,
    spanId: c.spanId,
    traceFlags: c.sampled ? 1 : 0,
    isRemote: true,
    traceState: state === undefined ? undefined : api.createTraceState(state),
  };
}
