import { SpanContext } from '../../lib';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('SpanContext built by name', () => {
  it('takes what it is given and defaults the rest', () => {
    const context = new SpanContext({ traceId: TRACE, spanId: SPAN, sampled: true });
    expect(context).toMatchObject({
      traceId: TRACE,
      spanId: SPAN,
      sampled: true,
      debug: false,
      traceState: undefined,
      remote: false,
      randomTraceId: false,
      decisionOnly: false,
    });
    expect(Object.keys(context.baggage)).toEqual([]);
    expect(context.toTraceId()).toBe(TRACE);
    expect(context.toSpanId()).toBe(SPAN);
  });

  it('keeps every named field', () => {
    const baggage = { tenant: 'acme' };
    const context = new SpanContext({
      traceId: TRACE,
      spanId: SPAN,
      sampled: false,
      baggage,
      debug: true,
      traceState: 'rojo=1',
      remote: true,
      randomTraceId: true,
      decisionOnly: true,
    });
    expect(context).toMatchObject({
      sampled: false,
      debug: true,
      traceState: 'rojo=1',
      remote: true,
      randomTraceId: true,
      decisionOnly: true,
    });
    expect(context.baggage).toBe(baggage);
  });

  it('still reads the deprecated positional form', () => {
    const context = new SpanContext(TRACE, SPAN, true, { k: 'v' }, true, 'a=1', true, true);
    expect(context).toMatchObject({
      traceId: TRACE,
      spanId: SPAN,
      sampled: true,
      debug: true,
      traceState: 'a=1',
      remote: true,
      randomTraceId: true,
    });
    expect(context.baggage).toEqual({ k: 'v' });
    expect(new SpanContext(TRACE, SPAN).sampled).toBe(false);
  });

  it('makes a local child: same trace, baggage and flags; new span id; never remote or decision-only', () => {
    const baggage = { k: 'v' };
    const parent = new SpanContext({
      traceId: TRACE,
      spanId: SPAN,
      sampled: true,
      baggage,
      debug: true,
      traceState: 'rojo=1',
      remote: true,
      randomTraceId: true,
      decisionOnly: true,
    });
    const child = parent.child({ spanId: 'a3ce929d0e0e4736' });
    expect(child).toMatchObject({
      traceId: TRACE,
      spanId: 'a3ce929d0e0e4736',
      sampled: true,
      debug: true,
      traceState: 'rojo=1',
      remote: false,
      randomTraceId: true,
      decisionOnly: false,
    });
    expect(child.baggage).toBe(baggage);
    expect(parent.child({ spanId: 'a3ce929d0e0e4736', sampled: false }).sampled).toBe(false);
  });
});
