import { BatchRecorder, OtlpHttpExporter, ZipkinExporter } from '../../lib';
import type { Exporter, FinishedSpan } from '../../lib';
import { DEFAULT_MAX_REQUEST_BYTES } from '../../lib/export/encoding-bounds';
import { FaultLogger } from '../../lib/util/fault-logger';
import { Collector } from '../helpers/export-collector';
import type { ReceivedRequest } from '../helpers/export-collector';
import { finishedSpan } from '../helpers/export-spans';
import { otlpSpansOf } from '../helpers/otlp-body';

/*
 * One span that cannot be encoded, or that is too large alone, is dropped and counted
 * alone: the rest of its batch arrives. A batch larger than a request may be goes as
 * several requests, none above the bound. Every format, against a real HTTP collector.
 */

/** Like an OTLP receiver with the OpenTelemetry Collector's default 20 MiB body limit. */
const RECEIVER_LIMIT_BYTES = 20 * 1024 * 1024;

type Format = 'otlp-protobuf' | 'otlp-json' | 'zipkin';
const FORMATS: Format[] = ['otlp-protobuf', 'otlp-json', 'zipkin'];

/** What the collector keeps of each request: its size and the span ids in it (bodies are let go, some are large). */
interface Seen {
  bytes: number;
  spanIds: string[];
}

function spanIdsOf(format: Format, request: ReceivedRequest): string[] {
  if (format === 'zipkin') return (JSON.parse(request.body.toString('utf8')) as { id: string }[]).map((s) => s.id);
  return otlpSpansOf(request).map((s) => s.spanId);
}

async function startCollector(format: Format): Promise<{ collector: Collector; seen: Seen[] }> {
  const seen: Seen[] = [];
  const collector = await Collector.start((_index, request) => {
    if (request.raw.length > RECEIVER_LIMIT_BYTES) return { status: 413 };
    seen.push({ bytes: request.raw.length, spanIds: spanIdsOf(format, request) });
    // Let the (possibly large) body go: only its size and span ids matter here.
    request.raw = Buffer.alloc(0);
    request.body = request.raw;
    request.json = undefined;
    return { status: format === 'zipkin' ? 202 : 200 };
  });
  return { collector, seen };
}

function exporterFor(format: Format, collector: Collector, options: Record<string, unknown> = {}): Exporter {
  if (format === 'zipkin') return new ZipkinExporter({ url: collector.url('/api/v2/spans'), ...options });
  return new OtlpHttpExporter({
    url: collector.url('/v1/traces'),
    protocol: format === 'otlp-json' ? 'http/json' : 'http/protobuf',
    ...options,
  });
}

function warnings(): { faults: FaultLogger; messages: string[] } {
  const messages: string[] = [];
  return { messages, faults: new FaultLogger({ warn: (m) => void messages.push(m) }) };
}

/** Records `spans` into a BatchRecorder over `format`, flushes, and says what arrived. */
async function exportThroughRecorder(
  format: Format,
  spans: FinishedSpan[],
): Promise<{ seen: Seen[]; stats: ReturnType<BatchRecorder['stats']>; messages: string[] }> {
  const { collector, seen } = await startCollector(format);
  try {
    const { faults, messages } = warnings();
    const recorder = new BatchRecorder(exporterFor(format, collector), { maxBatchSize: 512, scheduledDelayMillis: 60_000 });
    recorder.attach({ serviceName: 'svc', tags: {}, logger: faults });
    for (const span of spans) recorder.record(span);
    await recorder.close();
    return { seen, stats: recorder.stats(), messages };
  } finally {
    await collector.stop();
  }
}

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

const throwingTraps = new Proxy(
  {},
  {
    ownKeys: () => {
      throw new Error('ownKeys trap');
    },
    get: () => {
      throw new Error('get trap');
    },
    getPrototypeOf: () => {
      throw new Error('getPrototypeOf trap');
    },
  },
);

function withThrowingGetter(): Record<string, unknown> {
  const tags: Record<string, unknown> = { fine: 1 };
  Object.defineProperty(tags, 'boom', {
    enumerable: true,
    get: () => {
      throw new Error('getter');
    },
  });
  return tags;
}

/** Spans no backend can take, or that no encoding survives. */
const HOSTILE: [string, () => Partial<FinishedSpan>][] = [
  ['a revoked Proxy as a tag value', () => ({ tags: { bad: revokedProxy() } })],
  ['a Proxy whose traps throw as a tag value', () => ({ tags: { bad: throwingTraps } })],
  [
    'a revoked Proxy as the error log’s error.object',
    () => ({ tags: { error: true }, logs: [{ timestamp: 1, fields: { event: 'error', 'error.object': revokedProxy() } }] }),
  ],
  ['a tags object whose getter throws', () => ({ tags: withThrowingGetter() })],
  ['a span id that is not hex', () => ({ spanId: 'not-a-hex-id!!!!' })],
];

describe.each(FORMATS)('%s: one span never takes its batch with it', (format) => {
  it.each(HOSTILE)('%s: the 9 other spans of 10 arrive; the bad one is counted alone', async (_name, hostile) => {
    const spans = Array.from({ length: 10 }, (_, i) => finishedSpan({ operationName: `span-${i}`, ...(i === 4 ? hostile() : {}) }));
    const { seen, stats, messages } = await exportThroughRecorder(format, spans);
    const arrived = seen.flatMap((s) => s.spanIds);
    expect(arrived).toEqual(spans.filter((_, i) => i !== 4).map((s) => s.spanId));
    expect(stats).toMatchObject({ recorded: 10, exported: 9, unencodable: 1, failed: 0 });
    expect(messages).toEqual([
      expect.stringMatching(/export dropped "span-4": it could not be encoded \(.+\); the rest of its batch is sent/),
    ]);
  });

  it('values that are hard but not hostile arrive, bounded: circular, sparse, BigInt, Symbol, deep nesting', async () => {
    const circular: Record<string, unknown> = { name: 'loop' };
    circular.self = circular;
    const tags = { circular, sparse: new Array(2 ** 32 - 1), big: 2n ** 64n, sym: Symbol('x'), nested: [[[[[['deep']]]]]] };
    const spans = [finishedSpan({ tags }), finishedSpan()];
    const { seen, stats } = await exportThroughRecorder(format, spans);
    expect(seen.flatMap((s) => s.spanIds)).toEqual(spans.map((s) => s.spanId));
    expect(stats).toMatchObject({ exported: 2, unencodable: 0 });
    // 1000 items of the sparse array at most, not 4 billion.
    expect(seen[0].bytes).toBeLessThan(64 * 1024);
  });

  it('a tag whose toJSON throws never takes the batch (Zipkin drops that span; OTLP walks the object instead)', async () => {
    const spans = Array.from({ length: 10 }, (_, i) =>
      finishedSpan(
        i === 4
          ? {
              operationName: 'odd',
              tags: {
                odd: {
                  toJSON: () => {
                    throw new Error('no JSON');
                  },
                },
              },
            }
          : {},
      ),
    );
    const { seen, stats } = await exportThroughRecorder(format, spans);
    const arrived = seen.flatMap((s) => s.spanIds);
    expect(arrived).toEqual(spans.filter((_, i) => i !== 4 || format !== 'zipkin').map((s) => s.spanId));
    expect(stats).toMatchObject({ exported: arrived.length, unencodable: 10 - arrived.length, failed: 0 });
  });

  it('511 normal spans and 1 with 200k logs: the 511 arrive, the one is dropped as too large', async () => {
    const heavy = finishedSpan({
      operationName: 'heavy',
      logs: Array.from({ length: 200_000 }, (_, i) => ({ timestamp: 1_700_000_000_000 + i, fields: { event: 'tick', i } })),
    });
    const spans = [...Array.from({ length: 255 }, () => finishedSpan()), heavy, ...Array.from({ length: 256 }, () => finishedSpan())];
    const { seen, stats, messages } = await exportThroughRecorder(format, spans);
    expect(seen.flatMap((s) => s.spanIds)).toEqual(spans.filter((s) => s !== heavy).map((s) => s.spanId));
    expect(seen.every((s) => s.bytes <= DEFAULT_MAX_REQUEST_BYTES)).toBe(true);
    expect(stats).toMatchObject({ recorded: 512, exported: 511, unencodable: 1, failed: 0 });
    expect(stats.lastError).toMatch(/dropped "heavy": it alone is larger than maxRequestBytes \(4194304 bytes\)/);
    expect(messages).toEqual([expect.stringMatching(/dropped "heavy": it alone is larger than maxRequestBytes/)]);
  });

  it('a 100 MB string tag: that span is dropped before it is copied, the others arrive', async () => {
    const huge = finishedSpan({ operationName: 'huge', tags: { payload: 'x'.repeat(100 * 1024 * 1024) } });
    const spans = [finishedSpan(), huge, finishedSpan()];
    const { seen, stats } = await exportThroughRecorder(format, spans);
    expect(seen.flatMap((s) => s.spanIds)).toEqual([spans[0].spanId, spans[2].spanId]);
    expect(stats).toMatchObject({ exported: 2, unencodable: 1 });
  });

  it('splits a batch into requests under maxRequestBytes, in order, and says one too-large kind once', async () => {
    const { collector, seen } = await startCollector(format);
    try {
      const { faults, messages } = warnings();
      const exporter = exporterFor(format, collector, { maxRequestBytes: 4096 });
      (exporter as OtlpHttpExporter).attach({ serviceName: 'svc', tags: {}, logger: faults });
      const spans = Array.from({ length: 40 }, (_, i) => finishedSpan({ tags: { i, text: 'y'.repeat(300) } }));
      spans.splice(10, 0, finishedSpan({ operationName: 'big-1', tags: { text: 'z'.repeat(5000) } }));
      spans.splice(20, 0, finishedSpan({ operationName: 'big-2', tags: { text: 'z'.repeat(5000) } }));
      const result = await exporter.export(spans);
      expect(result).toMatchObject({ ok: true, unencodable: 2 });
      expect(seen.length).toBeGreaterThan(3);
      expect(seen.every((s) => s.bytes <= 4096)).toBe(true);
      expect(seen.flatMap((s) => s.spanIds)).toEqual(spans.filter((s) => !s.operationName.startsWith('big')).map((s) => s.spanId));
      expect(messages).toEqual([expect.stringMatching(/dropped "big-1": it alone is larger than maxRequestBytes \(4096 bytes\)/)]);
      await exporter.shutdown();
    } finally {
      await collector.stop();
    }
  });
});

describe.each<Format>(['otlp-json', 'otlp-protobuf'])('%s: a batch past V8’s string limit', (format) => {
  it('512 spans with a 1.1 MB tag each all arrive, in requests none above the bound', async () => {
    const { collector, seen } = await startCollector(format);
    try {
      const tag = 't'.repeat(1_100_000);
      const spans = Array.from({ length: 512 }, () => finishedSpan({ tags: { payload: tag } }));
      const exporter = exporterFor(format, collector, { timeoutMillis: 120_000 });
      expect(await exporter.export(spans)).toEqual({ ok: true });
      expect(seen.flatMap((s) => s.spanIds)).toEqual(spans.map((s) => s.spanId));
      expect(seen.length).toBeGreaterThan(100);
      expect(Math.max(...seen.map((s) => s.bytes))).toBeLessThanOrEqual(DEFAULT_MAX_REQUEST_BYTES);
      await exporter.shutdown();
    } finally {
      await collector.stop();
    }
  }, 120_000);
});

describe('exporter maxRequestBytes option', () => {
  it.each([0, 1023, 256 * 1024 * 1024 + 1, 1.5, '4096', NaN])('rejects %p, naming the option', (maxRequestBytes) => {
    expect(() => new OtlpHttpExporter({ url: 'http://127.0.0.1:4318/v1/traces', maxRequestBytes } as never)).toThrow(
      /OtlpHttpExporterOptions\.maxRequestBytes must be a whole number of bytes from 1024 to 268435456/,
    );
    expect(() => new ZipkinExporter({ url: 'http://127.0.0.1:9411/api/v2/spans', maxRequestBytes } as never)).toThrow(
      /ZipkinExporterOptions\.maxRequestBytes/,
    );
  });
});
