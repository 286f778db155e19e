import * as fc from 'fast-check';
import { BATCH_RECORDER_DEFAULTS, BatchRecorder, Tracer } from '../../lib';
import { MAX_FLUSH_MILLIS } from '../../lib/recording/batch-options';
import { MAX_TIMER_MILLIS } from '../../lib/util/timers';
import type { Exporter, ExportOptions, ExportResult, FinishedSpan, TracerProcess } from '../../lib';
import { FaultLogger } from '../../lib/util/fault-logger';
import { finishedSpan } from '../helpers/export-spans';
import { settledHeapUsed } from '../helpers/gc';

type Mode = 'ok' | 'fail' | 'manual' | 'stall' | 'throw' | 'reject' | 'garbage';

/** An exporter the test drives: it records what it was given and answers as told. */
class ScriptedExporter implements Exporter {
  readonly batches: FinishedSpan[][] = [];
  readonly options: (ExportOptions | undefined)[] = [];
  readonly attached: TracerProcess[] = [];
  readonly waiting: ((result: ExportResult) => void)[] = [];
  shutdowns = 0;
  running = 0;
  maxRunning = 0;

  constructor(public mode: Mode = 'ok') {}

  export(spans: FinishedSpan[], options?: ExportOptions): Promise<ExportResult> {
    this.batches.push(spans);
    this.options.push(options);
    switch (this.mode) {
      case 'throw':
        throw new Error('exporter bug');
      case 'reject':
        return Promise.reject(new Error('exporter rejected'));
      case 'garbage':
        return Promise.resolve('nope' as unknown as ExportResult);
      case 'fail':
        return Promise.resolve({ ok: false, error: 'backend said no' });
      case 'stall':
        return new Promise<ExportResult>(() => {});
      case 'manual':
      case 'ok': {
        this.running++;
        this.maxRunning = Math.max(this.maxRunning, this.running);
        const done = new Promise<ExportResult>((resolve) => {
          if (this.mode === 'manual') this.waiting.push(resolve);
          else setImmediate(() => resolve({ ok: true }));
        });
        return done.finally(() => this.running--);
      }
    }
  }

  async shutdown(): Promise<void> {
    this.shutdowns++;
  }

  attach(process: TracerProcess): void {
    this.attached.push(process);
  }

  get spanCount(): number {
    return this.batches.reduce((n, b) => n + b.length, 0);
  }
}

function logger(): { messages: string[]; faults: FaultLogger; warn(message: string): void } {
  const messages: string[] = [];
  const sink = { warn: (m: string) => void messages.push(m) };
  return { messages, faults: new FaultLogger(sink), warn: sink.warn };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function until(condition: () => boolean, timeoutMillis = 2000): Promise<void> {
  const end = Date.now() + timeoutMillis;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function balanced(recorder: BatchRecorder): void {
  const s = recorder.stats();
  expect(s.recorded).toBe(s.exported + s.dropped + s.failed + s.unencodable + s.queued + s.exporting);
}

describe('BatchRecorder options', () => {
  it('has the documented defaults', () => {
    expect(BATCH_RECORDER_DEFAULTS).toEqual({
      maxQueueSize: 2048,
      maxBatchSize: 512,
      scheduledDelayMillis: 5000,
      exportTimeoutMillis: 30000,
      flushOnExit: false,
    });
    expect(Object.isFrozen(BATCH_RECORDER_DEFAULTS)).toBe(true);
  });

  it.each([
    [{ maxQueueSize: 0 }, 'BatchOptions.maxQueueSize must be a positive integer'],
    [{ maxQueueSize: 1.5 }, 'BatchOptions.maxQueueSize must be a positive integer'],
    [{ maxBatchSize: -1 }, 'BatchOptions.maxBatchSize must be a positive integer'],
    [{ maxQueueSize: 10, maxBatchSize: 11 }, 'BatchOptions.maxBatchSize must be at most maxQueueSize (10)'],
    [{ scheduledDelayMillis: -1 }, 'BatchOptions.scheduledDelayMillis must be a number of milliseconds'],
    [{ scheduledDelayMillis: 2 ** 31 }, 'BatchOptions.scheduledDelayMillis must be a number of milliseconds'],
    [{ exportTimeoutMillis: 0 }, 'BatchOptions.exportTimeoutMillis must be a number of milliseconds'],
    [{ exportTimeoutMillis: NaN }, 'BatchOptions.exportTimeoutMillis must be a number of milliseconds'],
    [{ flushOnExit: 'yes' }, 'BatchOptions.flushOnExit must be a boolean'],
  ])('rejects %j with a TypeError naming the option', (options, message) => {
    expect(() => new BatchRecorder(new ScriptedExporter(), options as never)).toThrow(TypeError);
    expect(() => new BatchRecorder(new ScriptedExporter(), options as never)).toThrow(message);
  });

  it('rejects something that is not an exporter', () => {
    expect(() => new BatchRecorder({} as Exporter)).toThrow(TypeError);
  });

  it('lets an unset maxBatchSize follow a smaller maxQueueSize', async () => {
    const exporter = new ScriptedExporter();
    const recorder = new BatchRecorder(exporter, { maxQueueSize: 4 });
    for (let i = 0; i < 4; i++) recorder.record(finishedSpan());
    await until(() => exporter.batches.length === 1);
    expect(exporter.batches[0]).toHaveLength(4);
    await recorder.close();
  });
});

describe('BatchRecorder batching', () => {
  it('never exports inside record(); a full batch is exported on the next turn, in order', async () => {
    const exporter = new ScriptedExporter();
    const recorder = new BatchRecorder(exporter, { maxBatchSize: 3, scheduledDelayMillis: 60_000 });
    const spans = Array.from({ length: 7 }, () => finishedSpan());
    for (const span of spans) recorder.record(span);
    expect(exporter.batches).toHaveLength(0);
    await until(() => exporter.batches.length === 2);
    expect(exporter.batches.map((b) => b.map((s) => s.spanId))).toEqual(
      [spans.slice(0, 3), spans.slice(3, 6)].map((b) => b.map((s) => s.spanId)),
    );
    // The seventh waits for the delay (or a flush), not for more spans.
    expect(recorder.stats().queued).toBe(1);
    await recorder.flush();
    expect(exporter.batches[2][0]).toBe(spans[6]);
    expect(recorder.stats()).toMatchObject({ recorded: 7, exported: 7, exportRequests: 3, queued: 0 });
    await recorder.close();
  });

  it('exports a partial batch once scheduledDelayMillis has passed', async () => {
    const exporter = new ScriptedExporter();
    const recorder = new BatchRecorder(exporter, { scheduledDelayMillis: 30 });
    recorder.record(finishedSpan());
    await tick();
    expect(exporter.batches).toHaveLength(0);
    await until(() => exporter.batches.length === 1);
    // The timer re-arms for the next span.
    recorder.record(finishedSpan());
    recorder.record(finishedSpan());
    await until(() => exporter.batches.length === 2);
    expect(exporter.batches[1]).toHaveLength(2);
    await recorder.close();
  });

  it('runs one export at a time; spans queue behind it', async () => {
    const exporter = new ScriptedExporter('manual');
    const recorder = new BatchRecorder(exporter, { maxBatchSize: 2, scheduledDelayMillis: 60_000 });
    for (let i = 0; i < 10; i++) recorder.record(finishedSpan());
    await until(() => exporter.batches.length === 1);
    await tick();
    expect(exporter.batches).toHaveLength(1);
    expect(recorder.stats()).toMatchObject({ exporting: 2, queued: 8 });
    balanced(recorder);
    while (exporter.waiting.length > 0 || exporter.spanCount < 10) {
      await until(() => exporter.waiting.length > 0);
      exporter.waiting.shift()?.({ ok: true });
      await tick();
    }
    await until(() => recorder.stats().exported === 10);
    expect(exporter.maxRunning).toBe(1);
    expect(exporter.batches.map((b) => b.length)).toEqual([2, 2, 2, 2, 2]);
    await recorder.close();
  });

  it('drops and counts spans beyond maxQueueSize, warning once', async () => {
    const exporter = new ScriptedExporter('manual');
    const log = logger();
    const recorder = new BatchRecorder(exporter, { maxQueueSize: 5, maxBatchSize: 5, scheduledDelayMillis: 60_000 });
    recorder.attach({ serviceName: 'svc', tags: {}, logger: log.faults });
    for (let i = 0; i < 12; i++) recorder.record(finishedSpan());
    expect(recorder.stats()).toMatchObject({ recorded: 12, queued: 5, dropped: 7 });
    balanced(recorder);
    expect(log.messages).toEqual([expect.stringMatching(/queue is full \(maxQueueSize 5\)/)]);
    await until(() => exporter.waiting.length === 1);
    // The exporter took the batch: room again.
    recorder.record(finishedSpan());
    expect(recorder.stats()).toMatchObject({ queued: 1, exporting: 5, dropped: 7 });
    exporter.waiting.shift()?.({ ok: true });
    const flushed = recorder.flush();
    await until(() => exporter.waiting.length === 1);
    exporter.waiting.shift()?.({ ok: true });
    await flushed;
    expect(recorder.stats()).toMatchObject({ recorded: 13, exported: 6, dropped: 7, failed: 0 });
    expect(log.messages).toHaveLength(1);
    await recorder.close();
  });

  it('keeps its books balanced whatever the exporter does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.constant('span' as const),
            fc.constant('flush' as const),
            fc.constantFrom<Mode>('ok', 'fail', 'throw', 'reject', 'garbage'),
          ),
          {
            maxLength: 60,
          },
        ),
        async (steps) => {
          const exporter = new ScriptedExporter();
          const recorder = new BatchRecorder(exporter, {
            maxQueueSize: 8,
            maxBatchSize: 3,
            scheduledDelayMillis: 1,
            exportTimeoutMillis: 1000,
          });
          recorder.attach({ serviceName: 's', tags: {}, logger: logger().faults });
          for (const step of steps) {
            if (step === 'span') recorder.record(finishedSpan());
            else if (step === 'flush') await recorder.flush();
            else exporter.mode = step;
            balanced(recorder);
          }
          await recorder.close();
          const s = recorder.stats();
          expect(s.queued + s.exporting).toBe(0);
          expect(s.exported + s.failed + s.dropped).toBe(s.recorded);
          expect(s.exported).toBeLessThanOrEqual(exporter.spanCount);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('BatchRecorder flush and close', () => {
  it('flush() resolves after exportTimeoutMillis when the exporter stalls, aborting the export', async () => {
    const exporter = new ScriptedExporter('stall');
    const log = logger();
    const recorder = new BatchRecorder(exporter, { exportTimeoutMillis: 100 });
    recorder.attach({ serviceName: 's', tags: {}, logger: log.faults });
    recorder.record(finishedSpan());
    const started = Date.now();
    await recorder.flush();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(recorder.stats()).toMatchObject({ failed: 1, exported: 0, lastError: 'export timed out after 100 ms' });
    const { signal, deadline } = exporter.options[0] ?? {};
    expect(signal?.aborted).toBe(true);
    expect(deadline).toBeGreaterThan(started);
    // One warning for the caller who waited, with the count and the reason.
    expect(log.messages).toEqual([
      'sextant: flush(): 1 spans could not be delivered within 100 ms: export timed out after 100 ms; see tracer.stats().',
    ]);
    await recorder.close();
  });

  it.each<Mode>(['throw', 'reject', 'garbage'])(
    'survives an exporter that misbehaves (%s): counted, reported once, never thrown',
    async (mode) => {
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      try {
        const exporter = new ScriptedExporter(mode);
        const log = logger();
        const recorder = new BatchRecorder(exporter, { maxBatchSize: 1 });
        recorder.attach({ serviceName: 's', tags: {}, logger: log.faults });
        expect(() => {
          recorder.record(finishedSpan());
          recorder.record(finishedSpan());
        }).not.toThrow();
        await recorder.flush();
        expect(recorder.stats()).toMatchObject({ recorded: 2, failed: 2, exported: 0, exportRequests: 2 });
        expect(log.messages).toHaveLength(1);
        expect(log.messages[0]).toMatch(/exporter\.export\(\) threw or rejected/);
        await recorder.close();
        await tick();
        expect(unhandled).toEqual([]);
      } finally {
        process.removeListener('unhandledRejection', onUnhandled);
      }
    },
  );

  it('close() flushes, shuts the exporter down once, and ignores later spans', async () => {
    const exporter = new ScriptedExporter();
    const recorder = new BatchRecorder(exporter, { scheduledDelayMillis: 60_000 });
    recorder.record(finishedSpan());
    recorder.record(finishedSpan());
    const first = recorder.close();
    expect(recorder.close()).toBe(first);
    await first;
    expect(exporter.spanCount).toBe(2);
    expect(exporter.shutdowns).toBe(1);
    recorder.record(finishedSpan());
    await recorder.flush();
    expect(exporter.spanCount).toBe(2);
    expect(recorder.stats()).toMatchObject({ recorded: 2, exported: 2, queued: 0 });
  });

  it('close() resolves in bounded time even if the exporter never exports nor shuts down', async () => {
    const exporter = new ScriptedExporter('stall');
    exporter.shutdown = () => new Promise<void>(() => {});
    const recorder = new BatchRecorder(exporter, { exportTimeoutMillis: 100, maxBatchSize: 1, maxQueueSize: 10 });
    recorder.attach({ serviceName: 's', tags: {}, logger: logger().faults });
    for (let i = 0; i < 5; i++) recorder.record(finishedSpan());
    const started = Date.now();
    await recorder.close();
    expect(Date.now() - started).toBeLessThan(2000);
    // One batch timed out; the rest were still queued when close() gave up.
    expect(recorder.stats()).toMatchObject({ recorded: 5, exported: 0, failed: 5, queued: 0 });
  });

  it('forwards attach() to the exporter and reports through the first tracer’s logger', async () => {
    const exporter = new ScriptedExporter('manual');
    const recorder = new BatchRecorder(exporter, { maxQueueSize: 1, scheduledDelayMillis: 60_000 });
    const first = logger();
    const second = logger();
    new Tracer({ serviceName: 'a', recorder, tags: { v: 1 }, logger: first });
    new Tracer({ serviceName: 'b', recorder, logger: second });
    expect(exporter.attached.map((p) => [p.serviceName, p.tags])).toEqual([
      ['a', { v: 1 }],
      ['b', {}],
    ]);
    recorder.record(finishedSpan());
    recorder.record(finishedSpan());
    expect(first.messages).toEqual([expect.stringMatching(/queue is full/)]);
    expect(second.messages).toEqual([]);
    void recorder.close();
    await until(() => exporter.waiting.length === 1);
    exporter.waiting.shift()?.({ ok: true });
  });

  it('tracer.close() flushes through the recorder; spans finished afterwards are not recorded', async () => {
    const exporter = new ScriptedExporter();
    const recorder = new BatchRecorder(exporter, { scheduledDelayMillis: 60_000 });
    const tracer = new Tracer({ serviceName: 'svc', recorder });
    const late = tracer.startSpan('late');
    tracer.startSpan('one').finish();
    tracer.startSpan('two').finish();
    await tracer.close();
    expect(exporter.batches.flat().map((s) => s.operationName)).toEqual(['one', 'two']);
    expect(exporter.shutdowns).toBe(1);
    late.finish();
    tracer.startSpan('three').finish();
    await tracer.flush();
    expect(exporter.spanCount).toBe(2);
    expect(recorder.stats()).toMatchObject({ recorded: 2, exported: 2 });
  });
});

describe('BatchRecorder memory', () => {
  it('keeps the heap bounded when 500k spans flood a stalled exporter', async () => {
    const exporter = new ScriptedExporter('stall');
    const recorder = new BatchRecorder(exporter, { exportTimeoutMillis: 600_000 });
    recorder.attach({ serviceName: 's', tags: {}, logger: logger().faults });
    const total = 500_000;
    const before = settledHeapUsed();
    for (let i = 0; i < total; i++) {
      // Each span carries its own tags and logs: retaining all of them would take
      // hundreds of megabytes.
      recorder.record({
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        spanId: '00f067aa0ba902b7',
        operationName: 'flood',
        serviceName: 's',
        startTime: 1_700_000_000_000 + i,
        duration: 1,
        tags: { index: i, 'http.url': `/items/${i}` },
        logs: [{ timestamp: 1_700_000_000_000 + i, fields: { event: 'step', i } }],
        references: [],
        baggage: {},
        process: { serviceName: 's', tags: {} },
      });
    }
    await tick();
    const after = settledHeapUsed();
    const { maxQueueSize, maxBatchSize } = BATCH_RECORDER_DEFAULTS;
    // Queued spans plus the one (stalled) batch the exporter holds.
    expect(recorder.stats()).toMatchObject({
      recorded: total,
      dropped: total - maxQueueSize,
      queued: maxQueueSize - maxBatchSize,
      exporting: maxBatchSize,
    });
    // 2048 retained spans of ~1 KB each; a generous bound far below what 500k would take (>150 MB).
    expect(after - before).toBeLessThan(16 * 1024 * 1024);
    void recorder.close();
  });
});

describe('BatchRecorder under a long promise-only burst', () => {
  it('exports full batches without waiting for the event loop, so nothing is dropped', async () => {
    const received: number[] = [];
    const exporter = {
      export: async (spans: unknown[]) => {
        received.push(spans.length);
        return { ok: true };
      },
      shutdown: async () => undefined,
    };
    const { BatchRecorder: Recorder, Tracer: T } = await import('../../lib');
    const recorder = new Recorder(exporter, { maxQueueSize: 64, maxBatchSize: 16, scheduledDelayMillis: 60_000 });
    const tracer = new T({ serviceName: 'burst', recorder });
    // 2000 spans in one chain of awaits: no timer or setImmediate callback runs in between.
    for (let i = 0; i < 2000; i++) {
      tracer.startSpan('s').finish();
      await Promise.resolve();
    }
    expect(recorder.stats().dropped).toBe(0);
    await tracer.close();
    expect(received.reduce((a, b) => a + b, 0)).toBe(2000);
  });
});

describe('BatchRecorder time bounds and accounting', () => {
  it('bounds each export and flush() by the exporter’s own timeoutMillis when it is smaller', async () => {
    const exporter = Object.assign(new ScriptedExporter('stall'), { timeoutMillis: 150 });
    const log = logger();
    const recorder = new BatchRecorder(exporter, { exportTimeoutMillis: 20_000 });
    recorder.attach({ serviceName: 's', tags: {}, logger: log.faults });
    recorder.record(finishedSpan());
    const started = Date.now();
    await recorder.flush();
    expect(Date.now() - started).toBeLessThan(2000);
    expect((exporter.options[0]?.deadline ?? Infinity) - started).toBeLessThanOrEqual(200);
    expect(log.messages).toEqual([
      'sextant: flush(): 1 spans could not be delivered within 150 ms: export timed out after 150 ms; see tracer.stats().',
    ]);
    await recorder.close();
  });

  it('never waits more than MAX_FLUSH_MILLIS (30 s), even when every timeout says "no limit"', async () => {
    const exporter = Object.assign(new ScriptedExporter('manual'), { timeoutMillis: MAX_TIMER_MILLIS });
    const recorder = new BatchRecorder(exporter, { exportTimeoutMillis: MAX_TIMER_MILLIS });
    recorder.record(finishedSpan());
    const started = Date.now();
    const flushed = recorder.flush();
    await until(() => exporter.options.length === 1);
    const deadline = exporter.options[0]?.deadline ?? Infinity;
    expect(MAX_FLUSH_MILLIS).toBe(30_000);
    expect(deadline - started).toBeGreaterThan(MAX_FLUSH_MILLIS - 1000);
    expect(deadline - started).toBeLessThanOrEqual(MAX_FLUSH_MILLIS + 50);
    exporter.waiting.forEach((resolve) => resolve({ ok: true }));
    await flushed;
    await recorder.close();
  });

  it('is bounded overall, not per batch, whatever the queue holds: 2048 spans, a stalled exporter', async () => {
    const exporter = new ScriptedExporter('stall');
    const log = logger();
    const recorder = new BatchRecorder(exporter, { exportTimeoutMillis: 300 });
    recorder.attach({ serviceName: 's', tags: {}, logger: log.faults });
    for (let i = 0; i < 2048; i++) recorder.record(finishedSpan());
    const started = Date.now();
    await recorder.close();
    // Four batches of 512 would take four bounds one after the other; close() takes one.
    expect(Date.now() - started).toBeLessThan(1000);
    expect(exporter.batches).toHaveLength(1);
    expect(recorder.stats()).toMatchObject({ recorded: 2048, exported: 0, failed: 2048, queued: 0, exporting: 0 });
    expect(log.messages).toEqual([
      'sextant: close(): 2048 spans could not be delivered within 300 ms: export timed out after 300 ms; see tracer.stats().',
    ]);
  });

  it('books what an exporter says it left out (unencodable) or delivered of a failed batch (exported)', async () => {
    const exporter = new ScriptedExporter('manual');
    const log = logger();
    const recorder = new BatchRecorder(exporter, { maxBatchSize: 10 });
    recorder.attach({ serviceName: 's', tags: {}, logger: log.faults });
    for (let i = 0; i < 10; i++) recorder.record(finishedSpan());
    await until(() => exporter.waiting.length === 1);
    exporter.waiting.shift()?.({
      ok: true,
      unencodable: 2,
      error: 'OTLP export dropped "x": it could not be encoded (TypeError: revoked)',
    });
    await until(() => recorder.stats().exported === 8);
    for (let i = 0; i < 10; i++) recorder.record(finishedSpan());
    await until(() => exporter.waiting.length === 1);
    exporter.waiting.shift()?.({ ok: false, error: 'HTTP 413 Payload Too Large', kind: 'http-413', exported: 6, unencodable: 1 });
    await until(() => recorder.stats().failed === 3);
    expect(recorder.stats()).toMatchObject({
      recorded: 20,
      exported: 14,
      unencodable: 3,
      failed: 3,
      lastError: 'HTTP 413 Payload Too Large',
    });
    balanced(recorder);
    // Nobody was waiting: the failure is reported once for its kind, with its count.
    expect(log.messages).toEqual([
      'sextant: BatchRecorder: HTTP 413 Payload Too Large; 3 spans lost. Further failures of this kind are not logged; see stats().',
    ]);
    // Counts an exporter cannot mean are clamped, never trusted.
    for (let i = 0; i < 10; i++) recorder.record(finishedSpan());
    await until(() => exporter.waiting.length === 1);
    exporter.waiting.shift()?.({ ok: false, exported: 1e9, unencodable: -5 });
    await until(() => recorder.stats().exported === 24);
    balanced(recorder);
    await recorder.close();
  });

  it('a flush() that loses spans says so once per kind of failure, however often it is called', async () => {
    const exporter = new ScriptedExporter('fail');
    const log = logger();
    const recorder = new BatchRecorder(exporter);
    recorder.attach({ serviceName: 's', tags: {}, logger: log.faults });
    for (let round = 0; round < 3; round++) {
      recorder.record(finishedSpan());
      await recorder.flush();
    }
    expect(log.messages).toEqual(['sextant: flush(): 1 spans could not be delivered: backend said no; see tracer.stats().']);
    expect(recorder.stats()).toMatchObject({ failed: 3 });
    await recorder.close();
  });
});
