import { BatchRecorder, ConsoleRecorder, OtlpHttpExporter, Tracer, ZipkinExporter } from '../../lib';
import type { FinishedSpan, Recorder } from '../../lib';
import { Collector } from '../helpers/export-collector';
import { finishedSpan } from '../helpers/export-spans';
import { attributesOf, otlpRequestOf } from '../helpers/otlp-body';

/*
 * The resource (OTLP) and the process tags (Zipkin) come from `span.process`, one object
 * per tracer: any recorder reaches the exporter with them, even one a user composes
 * that knows nothing of attach().
 */

/** A recorder a user might write: a tee to two recorders, forwarding nothing but spans. */
class Tee implements Recorder {
  constructor(private readonly recorders: Recorder[]) {}

  record(span: FinishedSpan): void {
    for (const recorder of this.recorders) recorder.record(span);
  }

  async flush(): Promise<void> {
    await Promise.all(this.recorders.map((r) => r.flush()));
  }

  async close(): Promise<void> {
    await Promise.all(this.recorders.map((r) => r.close()));
  }
}

let collector: Collector;
beforeEach(async () => {
  collector = await Collector.start((_i, request) => ({ status: request.path.startsWith('/api') ? 202 : 200 }));
});
afterEach(() => collector.stop());

describe('process tags from span.process', () => {
  it('a tee to a console and a batch recorder exports service.version over OTLP', async () => {
    const printed: string[] = [];
    const batch = new BatchRecorder(new OtlpHttpExporter({ url: collector.url('/v1/traces') }));
    const tracer = new Tracer({
      serviceName: 'checkout',
      recorder: new Tee([new ConsoleRecorder({ write: (text) => void printed.push(text), quietMillis: 10 }), batch]),
      tags: { 'service.version': '1.4.2', 'deployment.environment.name': 'prod' },
    });
    tracer.startSpan('GET /cart').finish();
    await tracer.close();
    expect(printed.join('')).toContain('GET /cart');
    const [rs] = otlpRequestOf(collector.requests[0]).resourceSpans;
    expect(attributesOf(rs.resource.attributes)).toEqual({
      'service.name': { stringValue: 'checkout' },
      'service.version': { stringValue: '1.4.2' },
      'deployment.environment.name': { stringValue: 'prod' },
    });
    expect(rs.scopeSpans[0].spans.map((s) => s.name)).toEqual(['GET /cart']);
  });

  it('a tee exports service.version over Zipkin, as a tag of every span', async () => {
    const batch = new BatchRecorder(new ZipkinExporter({ url: collector.url('/api/v2/spans') }));
    const tracer = new Tracer({ serviceName: 'checkout', recorder: new Tee([batch]), tags: { 'service.version': '1.4.2' } });
    tracer.startSpan('a').setTag('service.version', 'span-wins').finish();
    tracer.startSpan('b').finish();
    await tracer.close();
    const spans = JSON.parse(collector.requests[0].body.toString('utf8')) as { name: string; tags: Record<string, string> }[];
    expect(spans.map((s) => [s.name, s.tags['service.version']])).toEqual([
      ['a', 'span-wins'],
      ['b', '1.4.2'],
    ]);
  });

  it('encodes each process once, however many spans carry it', async () => {
    let reads = 0;
    const process = {
      serviceName: 'checkout',
      get tags(): Record<string, unknown> {
        reads++;
        return { 'service.version': '3.0.0' };
      },
    };
    const exporter = new OtlpHttpExporter({ url: collector.url('/v1/traces') });
    const spans = Array.from({ length: 50 }, () => finishedSpan({ serviceName: 'checkout', process }));
    expect(await exporter.export(spans)).toEqual({ ok: true });
    expect(await exporter.export(spans)).toEqual({ ok: true });
    expect(reads).toBe(1);
    const [rs] = otlpRequestOf(collector.requests[1]).resourceSpans;
    expect(attributesOf(rs.resource.attributes)['service.version']).toEqual({ stringValue: '3.0.0' });
    expect(rs.scopeSpans[0].spans).toHaveLength(50);
    await exporter.shutdown();
  });

  it('falls back to what attach() registered for a hand-built span without a process', async () => {
    const exporter = new OtlpHttpExporter({ url: collector.url('/v1/traces'), protocol: 'http/json' });
    exporter.attach({ serviceName: 'legacy', tags: { 'service.version': '0.9' }, logger: undefined as never });
    const span = finishedSpan({ serviceName: 'legacy' });
    delete (span as Partial<FinishedSpan>).process;
    expect(await exporter.export([span])).toEqual({ ok: true });
    const [rs] = otlpRequestOf(collector.requests[0]).resourceSpans;
    expect(attributesOf(rs.resource.attributes)).toEqual({
      'service.name': { stringValue: 'legacy' },
      'service.version': { stringValue: '0.9' },
    });
    await exporter.shutdown();
  });

  it('a process whose tags cannot be read fails its own spans only', async () => {
    const hostile = {
      serviceName: 'bad',
      get tags(): Record<string, unknown> {
        throw new Error('no tags for you');
      },
    };
    const messages: string[] = [];
    const exporter = new OtlpHttpExporter({ url: collector.url('/v1/traces'), logger: { warn: (m) => void messages.push(m) } });
    const good = finishedSpan();
    const result = await exporter.export([finishedSpan({ process: hostile }), good]);
    expect(result).toMatchObject({ ok: true, unencodable: 1 });
    expect(messages).toEqual([expect.stringContaining('it could not be encoded (Error: no tags for you)')]);
    expect(otlpRequestOf(collector.requests[0]).resourceSpans.flatMap((rs) => rs.scopeSpans[0].spans.map((s) => s.spanId))).toEqual([
      good.spanId,
    ]);
    await exporter.shutdown();
  });
});
