import { BatchRecorder, OtlpHttpExporter, ZipkinExporter } from '../../lib';
import type { FinishedSpan } from '../../lib';
import { FaultLogger } from '../../lib/util/fault-logger';
import { backoffMillis, parseRetryAfter, RETRY_DEFAULTS } from '../../lib/export/retry-policy';
import { otlpSpansOf } from '../helpers/otlp-body';
import { Collector, closedPortUrl } from '../helpers/export-collector';
import type { ReceivedRequest, Reply } from '../helpers/export-collector';
import { finishedSpan } from '../helpers/export-spans';

/** Fast retries, so the suite stays quick; the policy is the same. */
const QUICK_RETRY = { initialBackoffMillis: 20, maxBackoffMillis: 100 };

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);

beforeAll(() => process.on('unhandledRejection', onUnhandled));
afterAll(() => {
  process.removeListener('unhandledRejection', onUnhandled);
});
afterEach(async () => {
  // Let any stray rejection surface before judging the test.
  await new Promise((resolve) => setImmediate(resolve));
  expect(unhandled).toEqual([]);
});

function spanIdsIn(request: ReceivedRequest): string[] {
  return otlpSpansOf(request).map((s) => s.spanId);
}

function warnings(): { logger: { warn(message: string): void }; messages: string[] } {
  const messages: string[] = [];
  return { messages, logger: { warn: (m: string) => void messages.push(m) } };
}

async function withCollector(reply: (index: number) => Reply, test: (collector: Collector) => Promise<void>): Promise<void> {
  const collector = await Collector.start(reply);
  try {
    await test(collector);
  } finally {
    await collector.stop();
  }
}

describe('retry policy', () => {
  it('backs off exponentially, capped, with ±20% jitter', () => {
    const policy = { ...RETRY_DEFAULTS };
    expect(backoffMillis(1, policy, () => 0.5)).toBe(1000);
    expect(backoffMillis(2, policy, () => 0.5)).toBe(2000);
    expect(backoffMillis(3, policy, () => 0.5)).toBe(4000);
    expect(backoffMillis(9, policy, () => 0.5)).toBe(5000);
    expect(backoffMillis(1, policy, () => 0)).toBe(800);
    expect(backoffMillis(1, policy, () => 0.999999)).toBe(1200);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(['2'], now)).toBe(2000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('exporting to a real HTTP backend', () => {
  it('retries 503 twice then delivers the spans exactly once', async () => {
    await withCollector(
      (i) => (i < 2 ? { status: 503, body: '{"message":"busy"}' } : { status: 200 }),
      async (collector) => {
        const recorder = new BatchRecorder(new OtlpHttpExporter({ url: collector.url('/v1/traces'), retry: QUICK_RETRY }), {
          scheduledDelayMillis: 60_000,
        });
        const spans = [finishedSpan(), finishedSpan(), finishedSpan()];
        for (const span of spans) recorder.record(span);
        await recorder.flush();
        expect(collector.requests).toHaveLength(3);
        // Each attempt carried the same batch; only the last was accepted.
        for (const request of collector.requests) expect(spanIdsIn(request)).toEqual(spans.map((s) => s.spanId));
        expect(recorder.stats()).toMatchObject({ recorded: 3, exported: 3, failed: 0, dropped: 0, exportRequests: 1, queued: 0 });
        await recorder.close();
        expect(collector.requests).toHaveLength(3);
      },
    );
  });

  it.each([429, 502, 504])('retries HTTP %i', async (status) => {
    await withCollector(
      (i) => (i === 0 ? { status } : { status: 200 }),
      async (collector) => {
        const exporter = new OtlpHttpExporter({ url: collector.url('/v1/traces'), retry: QUICK_RETRY });
        expect(await exporter.export([finishedSpan()])).toEqual({ ok: true });
        expect(collector.requests).toHaveLength(2);
        await exporter.shutdown();
      },
    );
  });

  it('honours Retry-After before retrying', async () => {
    await withCollector(
      (i) => (i === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }),
      async (collector) => {
        const exporter = new OtlpHttpExporter({ url: collector.url('/v1/traces'), retry: QUICK_RETRY });
        expect(await exporter.export([finishedSpan()])).toEqual({ ok: true });
        expect(collector.requests).toHaveLength(2);
        // Backoff alone would have retried after ~20 ms.
        expect(collector.requests[1].at - collector.requests[0].at).toBeGreaterThanOrEqual(900);
        await exporter.shutdown();
      },
    );
  });

  it('gives up at once when Retry-After points past the export deadline', async () => {
    await withCollector(
      () => ({ status: 503, headers: { 'retry-after': '120' } }),
      async (collector) => {
        const { logger, messages } = warnings();
        const exporter = new OtlpHttpExporter({ url: collector.url('/v1/traces'), retry: QUICK_RETRY, logger });
        const started = Date.now();
        const result = await exporter.export([finishedSpan()], { deadline: Date.now() + 5000 });
        expect(result.ok).toBe(false);
        expect(result.error).toMatch(/503.*Retry-After asks for 120 s/);
        expect(Date.now() - started).toBeLessThan(4000);
        expect(collector.requests).toHaveLength(1);
        // The exporter answers with the failure; reporting it is its caller's (BatchRecorder's) job.
        expect(messages).toEqual([]);
        await exporter.shutdown();
      },
    );
  });

  it('does not retry a 400, and counts the batch as failed', async () => {
    await withCollector(
      () => ({ status: 400, body: '{"message":"bad span"}' }),
      async (collector) => {
        const { logger, messages } = warnings();
        const recorder = new BatchRecorder(new OtlpHttpExporter({ url: collector.url('/v1/traces'), retry: QUICK_RETRY }));
        recorder.attach({ serviceName: 'svc', tags: {}, logger: new FaultLogger(logger) });
        recorder.record(finishedSpan());
        recorder.record(finishedSpan());
        await recorder.flush();
        recorder.record(finishedSpan());
        await recorder.flush();
        expect(collector.requests).toHaveLength(2);
        expect(recorder.stats()).toMatchObject({ recorded: 3, exported: 0, failed: 3, exportRequests: 2 });
        expect(recorder.stats().lastError).toMatch(/HTTP 400 Bad Request: {"message":"bad span"}/);
        // Reported once, however often it happens: by the flush that lost the spans, with their count.
        expect(messages).toEqual([
          expect.stringMatching(
            /^sextant: flush\(\): 2 spans could not be delivered: OTLP export to http:\/\/127\.0\.0\.1:\d+\/v1\/traces failed: HTTP 400/,
          ),
        ]);
        await recorder.close();
      },
    );
  });

  it('does not retry other 5xx (500)', async () => {
    await withCollector(
      () => ({ status: 500 }),
      async (collector) => {
        const exporter = new OtlpHttpExporter({ url: collector.url('/v1/traces'), retry: QUICK_RETRY, logger: warnings().logger });
        expect((await exporter.export([finishedSpan()])).ok).toBe(false);
        expect(collector.requests).toHaveLength(1);
        await exporter.shutdown();
      },
    );
  });

  it('retries when the connection drops without a response', async () => {
    await withCollector(
      (i) => (i === 0 ? 'destroy' : { status: 200 }),
      async (collector) => {
        const exporter = new OtlpHttpExporter({ url: collector.url('/v1/traces'), retry: QUICK_RETRY });
        expect(await exporter.export([finishedSpan()])).toEqual({ ok: true });
        expect(collector.requests).toHaveLength(2);
        await exporter.shutdown();
      },
    );
  });

  it('survives a backend that is down: no throw, close() resolves in bounded time, stats show the loss', async () => {
    const { logger, messages } = warnings();
    const url = await closedPortUrl('/v1/traces');
    const recorder = new BatchRecorder(new OtlpHttpExporter({ url, retry: QUICK_RETRY }), {
      exportTimeoutMillis: 2000,
      maxBatchSize: 2,
    });
    recorder.attach({ serviceName: 'svc', tags: {}, logger: new FaultLogger(logger) });
    for (let i = 0; i < 5; i++) recorder.record(finishedSpan());
    const started = Date.now();
    await recorder.close();
    // The whole close() is bounded by exportTimeoutMillis.
    expect(Date.now() - started).toBeLessThan(3000);
    expect(recorder.stats()).toMatchObject({ recorded: 5, exported: 0, queued: 0, exporting: 0 });
    expect(recorder.stats().failed).toBe(5);
    expect(recorder.stats().lastError).toMatch(/ECONNREFUSED/);
    // One warning, with the count and the reason.
    expect(messages).toEqual([
      expect.stringMatching(/^sextant: close\(\): 5 spans could not be delivered: .*ECONNREFUSED.*; see tracer\.stats\(\)\.$/),
    ]);
    // Later spans are ignored, not queued.
    recorder.record(finishedSpan());
    expect(recorder.stats().recorded).toBe(5);
  });

  it("bounds the whole export, retries included, by the exporter's timeoutMillis, and close() by it too", async () => {
    await withCollector(
      (i) => (i === 0 ? { status: 503 } : 'hang'),
      async (collector) => {
        const { logger, messages } = warnings();
        const exporter = new OtlpHttpExporter({ url: collector.url('/v1/traces'), timeoutMillis: 300, retry: QUICK_RETRY });
        expect(exporter.timeoutMillis).toBe(300);
        const recorder = new BatchRecorder(exporter, { exportTimeoutMillis: 20_000 });
        recorder.attach({ serviceName: 'svc', tags: {}, logger: new FaultLogger(logger) });
        recorder.record(finishedSpan());
        const started = Date.now();
        await recorder.close();
        // A 503, a retry that hangs: cut off when the 300 ms are up, not at exportTimeoutMillis.
        expect(Date.now() - started).toBeLessThan(2000);
        expect(collector.requests).toHaveLength(2);
        expect(recorder.stats()).toMatchObject({ recorded: 1, exported: 0, failed: 1 });
        expect(messages).toEqual([expect.stringMatching(/^sextant: close\(\): 1 spans could not be delivered within 300 ms: /)]);
      },
    );
  });

  it('bounds an export by exportTimeoutMillis even when the request timeout is longer', async () => {
    await withCollector(
      () => 'hang',
      async (collector) => {
        // The request timeout (10 s) is longer than the export timeout (300 ms).
        const { logger, messages } = warnings();
        const recorder = new BatchRecorder(new OtlpHttpExporter({ url: collector.url('/v1/traces') }), { exportTimeoutMillis: 300 });
        recorder.attach({ serviceName: 'svc', tags: {}, logger: new FaultLogger(logger) });
        recorder.record(finishedSpan());
        const started = Date.now();
        await recorder.flush();
        expect(Date.now() - started).toBeLessThan(2000);
        expect(recorder.stats()).toMatchObject({ failed: 1, exportRequests: 1 });
        // Whichever notices first, the exporter (its request bounded by the deadline it
        // was given) or the recorder (aborting at exportTimeoutMillis), says so once.
        expect(recorder.stats().lastError).toMatch(/(request|export) timed out after (29\d|300) ms/);
        expect(messages).toEqual([expect.stringMatching(/timed out after (29\d|300) ms/)]);
        await recorder.close();
        // Not retried past the deadline.
        expect(collector.requests).toHaveLength(1);
      },
    );
  });

  it('gzips the body when asked, and the server can decode it', async () => {
    await withCollector(
      () => ({ status: 200 }),
      async (collector) => {
        const exporter = new OtlpHttpExporter({ url: collector.url('/v1/traces'), compression: 'gzip' });
        const spans: FinishedSpan[] = Array.from({ length: 50 }, () =>
          finishedSpan({ tags: { 'http.url': 'https://example.test/a/long/path' } }),
        );
        expect(await exporter.export(spans)).toEqual({ ok: true });
        const request = collector.requests[0];
        expect(request.headers['content-encoding']).toBe('gzip');
        expect(request.raw.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
        expect(request.raw.length).toBeLessThan(request.body.length);
        expect(spanIdsIn(request)).toEqual(spans.map((s) => s.spanId));
        await exporter.shutdown();
      },
    );
  });

  it.each([
    [undefined, 'application/x-protobuf'],
    ['http/protobuf', 'application/x-protobuf'],
    ['http/json', 'application/json'],
  ] as const)('sends the configured headers and the content type of protocol %s (%s)', async (protocol, contentType) => {
    await withCollector(
      () => ({ status: 200 }),
      async (collector) => {
        const exporter = new OtlpHttpExporter({
          url: collector.url('/v1/traces'),
          headers: { Authorization: 'Bearer t0ken', 'X-Scope-OrgID': 'tenant-1' },
          ...(protocol === undefined ? {} : { protocol }),
        });
        const span = finishedSpan();
        await exporter.export([span]);
        const { headers, method, raw } = collector.requests[0];
        expect(method).toBe('POST');
        expect(headers).toMatchObject({ authorization: 'Bearer t0ken', 'x-scope-orgid': 'tenant-1', 'content-type': contentType });
        expect(headers['content-length']).toBe(String(raw.length));
        expect(headers['content-encoding']).toBeUndefined();
        expect(spanIdsIn(collector.requests[0])).toEqual([span.spanId]);
        await exporter.shutdown();
      },
    );
  });

  it('reports an OTLP partial success once, as accepted', async () => {
    await withCollector(
      () => ({ status: 200, body: '{"partialSuccess":{"rejectedSpans":"2","errorMessage":"too old"}}' }),
      async (collector) => {
        const { logger, messages } = warnings();
        const exporter = new OtlpHttpExporter({ url: collector.url('/v1/traces'), logger });
        expect(await exporter.export([finishedSpan()])).toEqual({ ok: true });
        expect(await exporter.export([finishedSpan()])).toEqual({ ok: true });
        expect(messages).toEqual(['sextant: OTLP backend accepted the batch but rejected 2 spans: too old']);
        await exporter.shutdown();
      },
    );
  });

  it('retries Zipkin exports the same way', async () => {
    await withCollector(
      (i) => (i === 0 ? { status: 503 } : { status: 202, body: '' }),
      async (collector) => {
        const exporter = new ZipkinExporter({ url: collector.url('/api/v2/spans'), retry: QUICK_RETRY });
        expect(await exporter.export([finishedSpan()])).toEqual({ ok: true });
        expect(collector.requests).toHaveLength(2);
        await exporter.shutdown();
        expect(await exporter.export([finishedSpan()])).toMatchObject({ ok: false, error: 'Zipkin exporter is shut down' });
        expect(collector.requests).toHaveLength(2);
      },
    );
  });

  it('reports faults through the logger a tracer attaches', async () => {
    const url = await closedPortUrl('/v1/traces');
    const exporter = new OtlpHttpExporter({ url, retry: { maxAttempts: 1 } });
    const { logger, messages } = warnings();
    exporter.attach({ serviceName: 'svc', tags: {}, logger: new FaultLogger(logger) });
    const unencodable = finishedSpan({ operationName: 'odd', spanId: 'not-hex-at-all!!' });
    expect(await exporter.export([unencodable])).toMatchObject({ ok: true, unencodable: 1 });
    expect(messages).toEqual([
      expect.stringMatching(/^sextant: OTLP export dropped "odd": it could not be encoded \(InvalidSpanError: spanId/),
    ]);
    await exporter.shutdown();
  });
});

describe('exporter options', () => {
  it.each([
    [{}, /OtlpHttpExporterOptions\.url must be an absolute http\(s\) URL/],
    [{ url: 'ftp://x/' }, /OtlpHttpExporterOptions\.url/],
    [{ url: '/v1/traces' }, /OtlpHttpExporterOptions\.url/],
    [{ url: 'http://x/', headers: { a: 1 } }, /OtlpHttpExporterOptions\.headers\["a"\] must be a string/],
    [{ url: 'http://x/', headers: { 'bad header': 'v' } }, /headers\["bad header"\] must be a valid HTTP header/],
    [{ url: 'http://x/', timeoutMillis: 0 }, /OtlpHttpExporterOptions\.timeoutMillis/],
    [{ url: 'http://x/', compression: 'br' }, /OtlpHttpExporterOptions\.compression must be 'gzip' or 'none'/],
    [{ url: 'http://x/', retry: { maxAttempts: 0 } }, /OtlpHttpExporterOptions\.retry\.maxAttempts/],
    [{ url: 'http://x/', includeBaggage: 'yes' }, /OtlpHttpExporterOptions\.includeBaggage must be a boolean/],
    [{ url: 'http://x/', logger: {} }, /OtlpHttpExporterOptions\.logger/],
  ])('OtlpHttpExporter rejects %j', (options, message) => {
    expect(() => new OtlpHttpExporter(options as never)).toThrow(TypeError);
    expect(() => new OtlpHttpExporter(options as never)).toThrow(message);
  });

  it('names ZipkinExporterOptions in its errors', () => {
    expect(() => new ZipkinExporter({ url: 'nope' })).toThrow(/ZipkinExporterOptions\.url/);
  });
});
