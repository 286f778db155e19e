import { ConsoleRecorder, InMemoryRecorder } from '../../lib';
import { runTwoServices } from '../../samples/two-services';

describe('samples/two-services', () => {
  test('B reads the baggage A set, and both services record one trace', async () => {
    const recorder = new InMemoryRecorder();
    expect(await runTwoServices(recorder)).toBe('hello world\n');
    const spans = recorder.spans();
    const byName = new Map(spans.map((s) => [s.operationName, s]));
    const aServer = byName.get('GET /greet');
    const aClient = byName.get('call service B');
    const bServer = byName.get('GET /hello');
    const bChild = byName.get('compose greeting');
    expect(spans).toHaveLength(4);
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    expect(aServer?.serviceName).toBe('service-a');
    expect(aServer?.parentSpanId).toBeUndefined();
    expect(aClient).toMatchObject({ serviceName: 'service-a', parentSpanId: aServer?.spanId });
    expect(bServer).toMatchObject({ serviceName: 'service-b', parentSpanId: aClient?.spanId, baggage: { hello: 'world' } });
    expect(bChild).toMatchObject({ serviceName: 'service-b', parentSpanId: bServer?.spanId, tags: { 'greeting.word': 'world' } });
  });

  test('prints the combined trace tree once, through a shared ConsoleRecorder', async () => {
    let printed = '';
    await runTwoServices(new ConsoleRecorder({ write: (text) => (printed += text) }));
    const lines = printed.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^trace [0-9a-f]{32} · 4 spans/);
    expect(lines.slice(1).map((l) => l.replace(/ ·+ .*$/, ''))).toEqual([
      '  GET /greet (service-a)',
      '  └─ call service B (service-a)',
      '     └─ GET /hello (service-b)',
      '        └─ compose greeting (service-b)',
    ]);
  });
});
