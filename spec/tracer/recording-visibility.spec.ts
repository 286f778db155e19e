import { BatchRecorder, ConstSampler, InMemoryRecorder, Tracer } from '../../lib';
import type { Exporter, ExportResult, FinishedSpan, Recorder, RecorderStats } from '../../lib';
import { FanOutRecorder } from '../../lib/config/fan-out-recorder';

const NO_RECORDER = 'sextant: this tracer has no recorder: spans are not recorded; pass TracerOptions.recorder (reported once).';

function warningsOf(options: Partial<ConstructorParameters<typeof Tracer>[0]> = {}) {
  const warnings: string[] = [];
  const tracer = new Tracer({ serviceName: 'visibility', logger: { warn: (m) => warnings.push(m) }, ...options });
  return { tracer, warnings };
}

/** An exporter that accepts every batch at once. */
function acceptingExporter(): Exporter {
  return {
    export: (): Promise<ExportResult> => Promise.resolve({ ok: true }),
    shutdown: () => Promise.resolve(),
  };
}

describe('a tracer with no recorder says so', () => {
  it('once, at the first sampled span that finishes, not at construction', () => {
    const { tracer, warnings } = warningsOf();
    expect(warnings).toEqual([]);
    const span = tracer.startSpan('first');
    expect(warnings).toEqual([]);
    span.finish();
    expect(warnings).toEqual([NO_RECORDER]);
    for (let i = 0; i < 10; i++) tracer.startSpan('more').finish();
    expect(warnings).toEqual([NO_RECORDER]);
  });

  it('not for unsampled spans', () => {
    const { tracer, warnings } = warningsOf({ sampler: new ConstSampler(false) });
    for (let i = 0; i < 5; i++) tracer.startSpan('unsampled').finish();
    expect(warnings).toEqual([]);
  });

  it('once per tracer', () => {
    const logger = { warn: jest.fn() };
    new Tracer({ serviceName: 'a', logger }).startSpan('x').finish();
    new Tracer({ serviceName: 'b', logger }).startSpan('x').finish();
    expect(logger.warn).toHaveBeenCalledTimes(2);
  });

  it('never when there is a recorder, and not after close()', async () => {
    const { tracer, warnings } = warningsOf({ recorder: new InMemoryRecorder() });
    tracer.startSpan('recorded').finish();
    await tracer.close();
    tracer.startSpan('after-close').finish();
    expect(warnings).toEqual([]);
  });
});

describe('tracer.stats()', () => {
  it("is the BatchRecorder's stats()", async () => {
    const recorder = new BatchRecorder(acceptingExporter());
    const tracer = new Tracer({ serviceName: 'stats', recorder });
    for (let i = 0; i < 4; i++) tracer.startSpan('s').finish();
    await tracer.flush();
    expect(tracer.stats()).toEqual(recorder.stats());
    expect(tracer.stats()).toMatchObject({ recorded: 4, exported: 4, dropped: 0, failed: 0, queued: 0, exporting: 0 });
    await tracer.close();
  });

  it('is undefined without a recorder, or with one that keeps no stats', () => {
    expect(warningsOf().tracer.stats()).toBeUndefined();
    expect(warningsOf({ recorder: new InMemoryRecorder() }).tracer.stats()).toBeUndefined();
  });

  it('is undefined, reported once, when the recorder’s stats() throws', () => {
    const recorder: Recorder & { stats(): RecorderStats } = {
      record: () => undefined,
      flush: () => Promise.resolve(),
      close: () => Promise.resolve(),
      stats: () => {
        throw new Error('no stats today');
      },
    };
    const { tracer, warnings } = warningsOf({ recorder });
    expect(tracer.stats()).toBeUndefined();
    expect(tracer.stats()).toBeUndefined();
    expect(warnings).toEqual(['sextant: recorder.stats() threw: Error: no stats today']);
  });

  it('sums the stats of the recorders a FanOutRecorder holds that keep them', async () => {
    const first = new BatchRecorder(acceptingExporter());
    const second = new BatchRecorder(acceptingExporter(), { maxQueueSize: 1, maxBatchSize: 1 });
    const memory = new InMemoryRecorder();
    const fanOut = new FanOutRecorder([first, memory, second]);
    const tracer = new Tracer({ serviceName: 'fan-out', recorder: fanOut, logger: { warn: () => undefined } });
    for (let i = 0; i < 3; i++) tracer.startSpan('s').finish();
    const a = first.stats();
    const b = second.stats();
    expect(tracer.stats()).toEqual({
      recorded: a.recorded + b.recorded,
      exported: a.exported + b.exported,
      dropped: a.dropped + b.dropped,
      failed: a.failed + b.failed,
      unencodable: a.unencodable + b.unencodable,
      exportRequests: a.exportRequests + b.exportRequests,
      queued: a.queued + b.queued,
      exporting: a.exporting + b.exporting,
    });
    expect(tracer.stats()?.recorded).toBe(6);
    expect(memory.spans()).toHaveLength(3);
    await tracer.flush();
    expect(tracer.stats()?.exported).toBe(first.stats().exported + second.stats().exported);
    expect(new FanOutRecorder([memory]).stats()).toBeUndefined();
    await tracer.close();
  });

  it('carries the lastError of a recorder that has one', async () => {
    const failing: Exporter = {
      export: (spans: FinishedSpan[]): Promise<ExportResult> => Promise.resolve({ ok: false, error: `refused ${spans.length}` }),
      shutdown: () => Promise.resolve(),
    };
    const recorder = new FanOutRecorder([new BatchRecorder(failing), new BatchRecorder(acceptingExporter())]);
    const tracer = new Tracer({ serviceName: 'fan-out', recorder, logger: { warn: () => undefined } });
    tracer.startSpan('s').finish();
    await tracer.flush();
    expect(tracer.stats()).toMatchObject({ recorded: 2, exported: 1, failed: 1 });
    expect(tracer.stats()?.lastError).toMatch(/refused 1/);
    await tracer.close();
  });
});
