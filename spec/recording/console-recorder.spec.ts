import { ConsoleRecorder, InMemoryRecorder, Tracer, renderTraceTree } from '../../lib';
import type { FinishedSpan } from '../../lib';

function capture(options: ConstructorParameters<typeof ConsoleRecorder>[0] = {}) {
  const out: string[] = [];
  const recorder = new ConsoleRecorder({ write: (t) => void out.push(t), ...options });
  const tracer = new Tracer({ serviceName: 'shop', recorder });
  return { out, recorder, tracer };
}

function span(partial: Partial<FinishedSpan>): FinishedSpan {
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    operationName: 'op',
    serviceName: 'svc',
    startTime: 1000,
    duration: 10,
    tags: {},
    logs: [],
    references: [],
    baggage: {},
    process: { serviceName: 'svc', tags: {} },
    ...partial,
  };
}

describe('ConsoleRecorder', () => {
  it('prints a trace as an indented tree when its root finishes, children in start order', () => {
    const { out, tracer } = capture();
    const root = tracer.startSpan('GET /cart', { startTime: 1000 });
    const db = tracer.startSpan('SELECT cart', { childOf: root, startTime: 1001 });
    const rows = tracer.startSpan('decode rows', { childOf: db, startTime: 1002 });
    rows.finish(1003);
    db.finish(1005);
    const render = tracer.startSpan('render', { childOf: root, startTime: 1006 });
    render.setTag('error', true);
    render.finish(1009.5);
    expect(out).toHaveLength(0);
    root.finish(1010);
    expect(out).toHaveLength(1);
    const lines = out[0].trimEnd().split('\n');
    expect(lines[0]).toBe(`trace ${root.context().traceId} · 4 spans · 10.00 ms`);
    expect(lines[1]).toMatch(/^ {2}GET \/cart \(shop\) ·+ 10\.00 ms \|█{30}\|$/);
    expect(lines[2]).toMatch(/^ {2}├─ SELECT cart \(shop\) ·+ +4\.00 ms \| {3}█{12} {15}\|$/);
    expect(lines[3]).toMatch(/^ {2}│ {2}└─ decode rows \(shop\) ·+ +1\.00 ms \| {6}█{3} {21}\|$/);
    expect(lines[4]).toMatch(/^ {2}└─ render \(shop\) ! ·+ +3\.50 ms \| {18}█{11} \|$/);
    // durations line up in one column
    const columns = lines.slice(1).map((l) => l.indexOf('|'));
    expect(new Set(columns).size).toBe(1);
  });

  it('prints a trace continued from another process after a quiet period, and on flush', async () => {
    const { out, recorder } = capture({ quietMillis: 20 });
    recorder.record(span({ spanId: '1111111111111111', parentSpanId: 'ffffffffffffffff', operationName: 'server' }));
    expect(out).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 60));
    expect(out).toHaveLength(1);
    expect(out[0]).toContain('server (svc)');
    recorder.record(
      span({ traceId: '1'.repeat(32), spanId: '2222222222222222', parentSpanId: 'eeeeeeeeeeeeeeee', operationName: 'other' }),
    );
    await recorder.flush();
    expect(out).toHaveLength(2);
    expect(out[1]).toContain('other (svc)');
  });

  it('prints early rather than hold more than maxBufferedSpans', () => {
    const { out, recorder } = capture({ maxBufferedSpans: 2 });
    for (let i = 0; i < 3; i++) {
      recorder.record(span({ traceId: String(i + 1).repeat(32), spanId: '1111111111111111', parentSpanId: 'ffffffffffffffff' }));
    }
    expect(out).toHaveLength(1);
    expect(out[0]).toContain(`trace ${'1'.repeat(32)}`);
    return recorder.close();
  });

  it('formats durations in µs, ms and s', () => {
    const text = renderTraceTree([
      span({ spanId: 'a'.repeat(16), operationName: 'slow', duration: 2500 }),
      span({ spanId: 'b'.repeat(16), parentSpanId: 'a'.repeat(16), operationName: 'quick', duration: 0.25 }),
    ]);
    expect(text).toContain('2.50 s');
    expect(text).toContain('250 µs');
  });

  it('survives spans that loop on themselves and a write that throws', () => {
    const text = renderTraceTree([span({ spanId: 'a'.repeat(16), parentSpanId: 'a'.repeat(16) })]);
    expect(text.split('\n').filter((l) => l.includes('op (svc)'))).toHaveLength(1);
    const recorder = new ConsoleRecorder({
      write: () => {
        throw new Error('EPIPE');
      },
    });
    expect(() => recorder.record(span({}))).not.toThrow();
  });

  it('ignores spans after close and rejects bad options naming them', async () => {
    const { out, recorder } = capture();
    await recorder.close();
    recorder.record(span({}));
    expect(out).toHaveLength(0);
    expect(() => new ConsoleRecorder({ quietMillis: -1 })).toThrow(/quietMillis/);
  });
});

describe('InMemoryRecorder', () => {
  it('keeps spans in order, clears, and ignores spans after close', async () => {
    const recorder = new InMemoryRecorder();
    const tracer = new Tracer({ serviceName: 's', recorder });
    tracer.startSpan('a').finish();
    tracer.startSpan('b').finish();
    expect(recorder.spans().map((s) => s.operationName)).toEqual(['a', 'b']);
    recorder.spans().pop();
    expect(recorder.spans()).toHaveLength(2);
    recorder.clear();
    expect(recorder.spans()).toHaveLength(0);
    await recorder.close();
    tracer.startSpan('c').finish();
    expect(recorder.spans()).toHaveLength(0);
  });
});
