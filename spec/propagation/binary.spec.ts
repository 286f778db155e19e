import * as opentracing from 'opentracing';
import { SpanContext, Tracer } from '../../lib';

/** `Tracer.extract` is typed as OpenTracing's; the context it returns is sextant's. */

const BINARY = opentracing.FORMAT_BINARY;
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const tracer = new Tracer({ serviceName: 'binary' });

function inject(context: SpanContext): Buffer {
  const carrier = new opentracing.BinaryCarrier([]);
  tracer.inject(context, BINARY, carrier);
  return carrier.buffer as Buffer;
}

/**
 * A decoder written from the OpenCensus binary format description alone, as a
 * `grpc-trace-bin` peer would have it: fields in order, stopping at the first unknown id.
 */
function openCensusDecode(bytes: Uint8Array): { traceId: string; spanId: string; options: number } | null {
  if (bytes[0] !== 0) return null;
  const out = { traceId: '', spanId: '', options: 0 };
  let i = 1;
  while (i < bytes.length) {
    const field = bytes[i++];
    if (field === 0) {
      out.traceId = Buffer.from(bytes.subarray(i, i + 16)).toString('hex');
      i += 16;
    } else if (field === 1) {
      out.spanId = Buffer.from(bytes.subarray(i, i + 8)).toString('hex');
      i += 8;
    } else if (field === 2) {
      out.options = bytes[i++];
    } else {
      break;
    }
  }
  return out;
}

describe('binary format', () => {
  test('a plain context is exactly the 29-byte grpc-trace-bin layout', () => {
    const bytes = inject(new SpanContext({ traceId: TRACE, spanId: SPAN, sampled: true }));
    expect(bytes.toString('hex')).toBe(`0000${TRACE}01${SPAN}0201`);
    expect(inject(new SpanContext({ traceId: TRACE, spanId: SPAN, sampled: false })).toString('hex')).toBe(`0000${TRACE}01${SPAN}0200`);
  });

  test('round-trips ids, sampling, debug, random flag, tracestate and baggage', () => {
    const baggage = { tenant: 'acme', ünï: 'cødé 🎉', __proto__x: 'y' };
    const context = new SpanContext({
      traceId: TRACE,
      spanId: SPAN,
      sampled: true,
      baggage,
      debug: true,
      traceState: 'rojo=1,congo=2',
      randomTraceId: true,
    });
    const extracted = tracer.extract(BINARY, { buffer: inject(context) });
    expect(extracted).toMatchObject({
      traceId: TRACE,
      spanId: SPAN,
      sampled: true,
      debug: true,
      traceState: 'rojo=1,congo=2',
      randomTraceId: true,
      remote: true,
    });
    expect({ ...extracted?.baggage }).toEqual(baggage);
  });

  test('an OpenCensus decoder reads ids and options and stops at the baggage field', () => {
    const bytes = inject(
      new SpanContext({ traceId: TRACE, spanId: SPAN, sampled: true, baggage: { k: 'v' }, debug: false, traceState: 'a=1' }),
    );
    expect(bytes.length).toBeGreaterThan(29);
    expect(openCensusDecode(bytes)).toEqual({ traceId: TRACE, spanId: SPAN, options: 1 });
  });

  test('reads what an OpenCensus encoder writes, with or without trace options', () => {
    const full = Buffer.from(`0000${TRACE}01${SPAN}0201`, 'hex');
    expect(tracer.extract(BINARY, { buffer: full })).toMatchObject({ traceId: TRACE, spanId: SPAN, sampled: true });
    const noOptions = Buffer.from(`0000${TRACE}01${SPAN}`, 'hex');
    expect(tracer.extract(BINARY, { buffer: noOptions })).toMatchObject({ traceId: TRACE, sampled: false });
    const unknownField = Buffer.from(`0000${TRACE}01${SPAN}0201ff0102`, 'hex');
    expect(tracer.extract(BINARY, { buffer: unknownField })?.spanId).toBe(SPAN);
  });

  test('accepts a Uint8Array, an ArrayBuffer and an array of byte numbers', () => {
    const bytes = inject(new SpanContext({ traceId: TRACE, spanId: SPAN, sampled: true, baggage: { k: 'v' } }));
    const copy = new Uint8Array(bytes);
    expect(tracer.extract(BINARY, { buffer: copy })?.traceId).toBe(TRACE);
    expect(tracer.extract(BINARY, { buffer: copy.buffer })?.traceId).toBe(TRACE);
    expect(tracer.extract(BINARY, { buffer: Array.from(bytes) })?.baggage.k).toBe('v');
  });

  const malformed: [string, unknown][] = [
    ['no carrier', null],
    ['no buffer', {}],
    ['a string buffer', { buffer: 'hello' }],
    ['an empty buffer', { buffer: Buffer.alloc(0) }],
    ['version 1', { buffer: Buffer.from(`0100${TRACE}01${SPAN}0201`, 'hex') }],
    ['a truncated trace id', { buffer: Buffer.from(`0000${TRACE.slice(0, 20)}`, 'hex') }],
    ['an all-zero trace id', { buffer: Buffer.from(`0000${'0'.repeat(32)}01${SPAN}0201`, 'hex') }],
    ['an all-zero span id', { buffer: Buffer.from(`0000${TRACE}01${'0'.repeat(16)}0201`, 'hex') }],
    ['fields out of order', { buffer: Buffer.from(`0001${SPAN}00${TRACE}0201`, 'hex') }],
    ['a truncated baggage field', { buffer: Buffer.from(`0000${TRACE}01${SPAN}020103000105`, 'hex') }],
    ['a baggage count past the end', { buffer: Buffer.from(`0000${TRACE}01${SPAN}02010300007f`, 'hex') }],
    ['an array with a non-byte', { buffer: [0, 0, 300] }],
    ['an array with a string', { buffer: [0, '0'] }],
    ['an oversized buffer', { buffer: Buffer.concat([Buffer.from(`0000${TRACE}01${SPAN}0201`, 'hex'), Buffer.alloc(70_000)]) }],
  ];
  test.each(malformed)('%s gives null', (_name, carrier) => {
    expect(tracer.extract(BINARY, carrier)).toBeNull();
  });

  test('inject into something that is not an object is reported once, not thrown', () => {
    const warnings: string[] = [];
    const t = new Tracer({ serviceName: 'binary', logger: { warn: (m) => warnings.push(m) } });
    expect(() => t.inject(new SpanContext({ traceId: TRACE, spanId: SPAN, sampled: true }), BINARY, null)).not.toThrow();
    expect(() => t.inject(new SpanContext({ traceId: TRACE, spanId: SPAN, sampled: true }), BINARY, 42)).not.toThrow();
    expect(warnings).toHaveLength(1);
  });

  test('a span started from a binary context continues its trace', () => {
    const parent = tracer.extract(BINARY, {
      buffer: inject(new SpanContext({ traceId: TRACE, spanId: SPAN, sampled: true, baggage: { k: 'v' } })),
    });
    const child = tracer.startSpan('child', { childOf: parent ?? undefined });
    expect(child.context().traceId).toBe(TRACE);
    expect(child.getBaggageItem('k')).toBe('v');
  });
});
