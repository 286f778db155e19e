import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import * as fc from 'fast-check';
import * as opentracing from 'opentracing';
import { BatchRecorder, ConsoleRecorder, ConstSampler, InMemoryRecorder, SpanContext, Tracer, initTracerFromEnv } from '../../lib';
import type { FinishedSpan, Logger, Recorder, SpanLimits, TracerProcess } from '../../lib';
import { otlpRequestOf } from '../helpers/otlp-body';

// ---------------------------------------------------------------------------------------------
// Each test starts from an environment without OTEL_* variables and gets the original back.

let savedEnv: Record<string, string | undefined> = {};
const tracers: Tracer[] = [];

beforeEach(() => {
  savedEnv = {};
  for (const key of Object.keys(process.env)) {
    if (key.startsWith('OTEL_')) {
      savedEnv[key] = process.env[key];
      delete process.env[key];
    }
  }
});

afterEach(async () => {
  await Promise.all(tracers.splice(0).map((t) => t.close()));
  for (const key of Object.keys(process.env)) if (key.startsWith('OTEL_')) delete process.env[key];
  Object.assign(process.env, savedEnv);
});

function setEnv(vars: Record<string, string>): void {
  Object.assign(process.env, vars);
}

/** initTracerFromEnv with a logger that collects warnings; the tracer is closed after the test. */
function init(overrides: Parameters<typeof initTracerFromEnv>[0] = {}) {
  const warnings: string[] = [];
  const logger: Logger = { warn: (m) => warnings.push(m) };
  const tracer = initTracerFromEnv({ logger, ...overrides });
  tracers.push(tracer);
  return { tracer, warnings };
}

/** The tracer's recorder (private to the tracer; read here to check what the environment built). */
function recorderOf(tracer: Tracer): Recorder | null {
  return (tracer as unknown as { _recorder: Recorder | null })._recorder;
}

function finishSpans(tracer: Tracer, count: number, name = 'op'): void {
  for (let i = 0; i < count; i++) tracer.startSpan(`${name}-${i}`).finish();
}

// ---------------------------------------------------------------------------------------------
// A collector on 127.0.0.1 that keeps every request it gets.

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

interface Collector {
  url: string;
  received: Received[];
  close(): Promise<void>;
  waitFor(count: number): Promise<void>;
}

const collectors: Collector[] = [];
afterEach(async () => {
  await Promise.all(collectors.splice(0).map((c) => c.close()));
});

async function startCollector(): Promise<Collector> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let raw = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
      // OTLP comes as protobuf (the default) or JSON; both read into the JSON shape.
      const body =
        req.headers['content-type'] === 'application/x-protobuf'
          ? otlpRequestOf({ headers: req.headers, body: raw })
          : JSON.parse(raw.toString('utf8'));
      received.push({ path: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const collector: Collector = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    async waitFor(count) {
      for (let i = 0; i < 500 && received.length < count; i++) await new Promise((r) => setTimeout(r, 10));
    },
  };
  server.keepAliveTimeout = 100;
  collectors.push(collector);
  return collector;
}

interface OtlpBody {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { spans: { name: string; attributes: { key: string; value: Record<string, unknown> }[] }[] }[];
  }[];
}

function otlpSpanNames(r: Received): string[] {
  return (r.body as OtlpBody).resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.name)));
}

function otlpResource(r: Received): Record<string, string | undefined> {
  const attributes = (r.body as OtlpBody).resourceSpans[0].resource.attributes;
  return Object.fromEntries(attributes.map((a) => [a.key, a.value.stringValue]));
}

/** Sampler tags of the root spans recorded by an in-memory recorder. */
function samplerTags(span: FinishedSpan): unknown[] {
  return [span.tags['sampler.type'], span.tags['sampler.param']];
}

// ---------------------------------------------------------------------------------------------

describe('initTracerFromEnv with nothing set', () => {
  it('uses the OpenTelemetry defaults and warns about nothing', () => {
    const recorder = new InMemoryRecorder();
    const { tracer, warnings } = init({ recorder });
    expect(tracer).toBeInstanceOf(Tracer);
    expect(tracer.serviceName()).toMatch(/^unknown_service/);
    const span = tracer.startSpan('root');
    span.setBaggageItem('tenant', 'acme');
    const headers: Record<string, string> = {};
    tracer.inject(span, opentracing.FORMAT_HTTP_HEADERS, headers);
    expect(Object.keys(headers).sort()).toEqual(['baggage', 'traceparent']);
    span.finish();
    expect(samplerTags(recorder.spans()[0])).toEqual(['const', true]); // parentbased_always_on
    expect(warnings).toEqual([]);
  });

  it('exports over OTLP/HTTP through a BatchRecorder (to http://localhost:4318/v1/traces)', () => {
    const { tracer } = init();
    expect(recorderOf(tracer)).toBeInstanceOf(BatchRecorder);
  });

  it('reads process.env when called, not when loaded', () => {
    setEnv({ OTEL_SERVICE_NAME: 'first' });
    expect(init().tracer.serviceName()).toBe('first');
    setEnv({ OTEL_SERVICE_NAME: 'second' });
    expect(init().tracer.serviceName()).toBe('second');
  });

  it('treats empty values as unset', () => {
    setEnv({
      OTEL_SERVICE_NAME: '',
      OTEL_TRACES_SAMPLER: '',
      OTEL_PROPAGATORS: ' ',
      OTEL_TRACES_EXPORTER: '',
      OTEL_BSP_SCHEDULE_DELAY: '',
    });
    const recorder = new InMemoryRecorder();
    const { tracer, warnings } = init({ recorder });
    tracer.startSpan('root').finish();
    expect(tracer.serviceName()).toMatch(/^unknown_service/);
    expect(samplerTags(recorder.spans()[0])).toEqual(['const', true]);
    expect(warnings).toEqual([]);
  });
});

describe('service name and resource attributes', () => {
  it('sends OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (percent-decoded) as the OTLP resource', async () => {
    const collector = await startCollector();
    setEnv({
      OTEL_SERVICE_NAME: 'checkout',
      OTEL_RESOURCE_ATTRIBUTES: 'service.name=ignored,service.version=1.2.3,deployment.environment=prod%20eu',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
    });
    const { tracer, warnings } = init();
    finishSpans(tracer, 1);
    await tracer.flush();
    expect(tracer.serviceName()).toBe('checkout');
    expect(otlpResource(collector.received[0])).toMatchObject({
      'service.name': 'checkout',
      'service.version': '1.2.3',
      'deployment.environment': 'prod eu',
    });
    expect(warnings).toEqual([]);
  });

  it('takes service.name from OTEL_RESOURCE_ATTRIBUTES when OTEL_SERVICE_NAME is unset', () => {
    setEnv({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=billing' });
    expect(init({ recorder: new InMemoryRecorder() }).tracer.serviceName()).toBe('billing');
  });

  it('gives the resource attributes to the recorder as process tags, merged under overrides.tags', () => {
    let attached: TracerProcess | null = null;
    const recorder: Recorder = {
      record: () => undefined,
      flush: async () => undefined,
      close: async () => undefined,
      attach: (p) => (attached = p),
    };
    setEnv({ OTEL_RESOURCE_ATTRIBUTES: 'service.version=1.0,team=core' });
    init({ recorder, tags: { 'service.version': '2.0' } });
    expect(attached!.tags).toEqual({ 'service.version': '2.0', team: 'core' });
  });
});

describe('OTEL_TRACES_SAMPLER', () => {
  it('always_off records nothing (context still propagates, marked unsampled)', () => {
    setEnv({ OTEL_TRACES_SAMPLER: 'always_off' });
    const recorder = new InMemoryRecorder();
    const { tracer } = init({ recorder });
    const span = tracer.startSpan('root');
    const headers: Record<string, string> = {};
    tracer.inject(span, opentracing.FORMAT_HTTP_HEADERS, headers);
    span.finish();
    expect(headers.traceparent).toMatch(/-00$/);
    expect(recorder.spans()).toEqual([]);
  });

  it('parentbased_traceidratio with an argument samples that share of new traces and follows remote parents', () => {
    setEnv({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.3' });
    const recorder = new InMemoryRecorder();
    const { tracer } = init({ recorder });
    const n = 20_000;
    finishSpans(tracer, n);
    const kept = recorder.spans().length;
    expect(Math.abs(kept - n * 0.3)).toBeLessThanOrEqual(5 * Math.sqrt(n * 0.3 * 0.7));
    expect(samplerTags(recorder.spans()[0])).toEqual(['probabilistic', 0.3]);
    recorder.clear();
    const sampledParent = tracer.extract(opentracing.FORMAT_HTTP_HEADERS, {
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    for (let i = 0; i < 100; i++) tracer.startSpan('server', { childOf: sampledParent ?? undefined }).finish();
    expect(recorder.spans()).toHaveLength(100);
  });

  it('is ignored when overrides.sampler is given (and not even read)', () => {
    setEnv({ OTEL_TRACES_SAMPLER: 'no-such-sampler' });
    const recorder = new InMemoryRecorder();
    const { tracer, warnings } = init({ recorder, sampler: new ConstSampler(false) });
    finishSpans(tracer, 3);
    expect(recorder.spans()).toEqual([]);
    expect(warnings).toEqual([]);
  });
});

describe('OTEL_PROPAGATORS', () => {
  function injected(tracer: Tracer): string[] {
    const span = tracer.startSpan('x');
    span.setBaggageItem('k', 'v');
    const headers: Record<string, string> = {};
    tracer.inject(span, opentracing.FORMAT_HTTP_HEADERS, headers);
    return Object.keys(headers).sort();
  }

  it.each([
    ['b3multi', ['x-b3-sampled', 'x-b3-spanid', 'x-b3-traceid']],
    ['b3', ['b3']],
    ['jaeger', ['uber-trace-id', 'uberctx-k']],
    ['tracecontext,b3', ['b3', 'traceparent']],
    ['ottrace', ['ot-baggage-k', 'ot-tracer-sampled', 'ot-tracer-spanid', 'ot-tracer-traceid']],
    ['xray', ['x-amzn-trace-id']],
  ])('%s speaks exactly those formats', (value, headers) => {
    setEnv({ OTEL_PROPAGATORS: value });
    expect(injected(init({ recorder: new InMemoryRecorder() }).tracer)).toEqual(headers);
  });

  it('none injects nothing and extracts nothing', () => {
    setEnv({ OTEL_PROPAGATORS: 'none' });
    const { tracer } = init({ recorder: new InMemoryRecorder() });
    expect(injected(tracer)).toEqual([]);
    expect(
      tracer.extract(opentracing.FORMAT_HTTP_HEADERS, { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }),
    ).toBeNull();
  });
});

describe('OTEL_TRACES_EXPORTER and the exporter variables', () => {
  it('otlp: OTEL_EXPORTER_OTLP_ENDPOINT is a base URL that gets v1/traces; headers, gzip', async () => {
    const collector = await startCollector();
    setEnv({
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: `${collector.url}/otel`,
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=general,x-tenant=acme%20corp',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-api-key=traces-only',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
      OTEL_EXPORTER_OTLP_TIMEOUT: '5000',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    });
    const { tracer, warnings } = init();
    finishSpans(tracer, 2);
    await tracer.flush();
    expect(collector.received).toHaveLength(1);
    const [request] = collector.received;
    expect(request.path).toBe('/otel/v1/traces');
    expect(request.headers['x-api-key']).toBe('traces-only');
    expect(request.headers['x-tenant']).toBe('acme corp');
    expect(request.headers['content-encoding']).toBe('gzip');
    expect(otlpSpanNames(request).sort()).toEqual(['op-0', 'op-1']);
    expect(warnings).toEqual([]);
  });

  it('otlp: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as written', async () => {
    const collector = await startCollector();
    setEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.url}/custom/ingest`, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9/' });
    const { tracer } = init();
    finishSpans(tracer, 1);
    await tracer.flush();
    expect(collector.received.map((r) => r.path)).toEqual(['/custom/ingest']);
    expect(collector.received[0].headers['content-encoding']).toBeUndefined();
  });

  it('otlp: a per-signal endpoint without a path posts to the root path', async () => {
    const collector = await startCollector();
    setEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.url });
    const { tracer } = init();
    finishSpans(tracer, 1);
    await tracer.flush();
    expect(collector.received.map((r) => r.path)).toEqual(['/']);
  });

  it('zipkin: OTEL_EXPORTER_ZIPKIN_ENDPOINT gets Zipkin v2 JSON', async () => {
    const collector = await startCollector();
    setEnv({
      OTEL_SERVICE_NAME: 'zipped',
      OTEL_TRACES_EXPORTER: 'zipkin',
      OTEL_EXPORTER_ZIPKIN_ENDPOINT: `${collector.url}/api/v2/spans`,
      OTEL_EXPORTER_ZIPKIN_TIMEOUT: '3000',
    });
    const { tracer, warnings } = init();
    finishSpans(tracer, 1);
    await tracer.flush();
    expect(collector.received[0].path).toBe('/api/v2/spans');
    expect(collector.received[0].body).toEqual([
      expect.objectContaining({ name: 'op-0', localEndpoint: expect.objectContaining({ serviceName: 'zipped' }) }),
    ]);
    expect(warnings).toEqual([]);
  });

  it('console prints each trace as a tree on stdout', async () => {
    setEnv({ OTEL_TRACES_EXPORTER: 'console' });
    const { tracer } = init();
    expect(recorderOf(tracer)).toBeInstanceOf(ConsoleRecorder);
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      tracer.startSpan('printed-root').finish();
      await tracer.flush();
    } finally {
      spy.mockRestore();
    }
    expect(written.join('')).toContain('printed-root');
  });

  it('a list sends every span to each exporter', async () => {
    const otlp = await startCollector();
    const zipkin = await startCollector();
    setEnv({ OTEL_TRACES_EXPORTER: 'otlp, zipkin', OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_EXPORTER_ZIPKIN_ENDPOINT: zipkin.url });
    const { tracer } = init();
    finishSpans(tracer, 3);
    await tracer.flush();
    expect(otlpSpanNames(otlp.received[0])).toHaveLength(3);
    expect(zipkin.received[0].body).toHaveLength(3);
  });

  it('skips unknown names and a "none" mixed with others, in one warning', async () => {
    const collector = await startCollector();
    setEnv({ OTEL_TRACES_EXPORTER: 'none,otlp,datadog', OTEL_EXPORTER_OTLP_ENDPOINT: collector.url });
    const { tracer, warnings } = init();
    finishSpans(tracer, 1);
    await tracer.flush();
    expect(collector.received).toHaveLength(1);
    expect(warnings).toEqual([
      'sextant: ignoring OTEL_TRACES_EXPORTER="none,otlp,datadog": datadog not supported (supported: otlp, zipkin, console, none); ' +
        "'none' cannot be combined with other exporters; using otlp.",
    ]);
  });

  it('none: no recorder; spans still start, finish and propagate', () => {
    setEnv({ OTEL_TRACES_EXPORTER: 'none' });
    const { tracer } = init();
    expect(recorderOf(tracer)).toBeNull();
    const headers: Record<string, string> = {};
    const span = tracer.startSpan('x');
    tracer.inject(span, opentracing.FORMAT_HTTP_HEADERS, headers);
    span.finish();
    expect(headers.traceparent).toMatch(/-01$/);
  });
});

describe('OTEL_BSP_*', () => {
  it('OTEL_BSP_MAX_EXPORT_BATCH_SIZE splits an export into batches of that size', async () => {
    const collector = await startCollector();
    setEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '2', OTEL_BSP_SCHEDULE_DELAY: '60000' });
    const { tracer } = init();
    finishSpans(tracer, 5);
    await tracer.flush();
    expect(collector.received.map((r) => otlpSpanNames(r).length)).toEqual([2, 2, 1]);
  });

  it('OTEL_BSP_MAX_QUEUE_SIZE bounds the queue (the default batch size shrinks to fit, silently)', async () => {
    const collector = await startCollector();
    setEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_MAX_QUEUE_SIZE: '3', OTEL_BSP_SCHEDULE_DELAY: '60000' });
    const { tracer, warnings } = init();
    finishSpans(tracer, 5);
    await tracer.flush();
    expect(collector.received.flatMap(otlpSpanNames)).toHaveLength(3);
    expect((recorderOf(tracer) as BatchRecorder).stats().dropped).toBe(2);
    expect(warnings.filter((w) => w.includes('OTEL_'))).toEqual([]); // only the recorder's own report of the drops
  });

  it('OTEL_BSP_SCHEDULE_DELAY exports without a flush once the delay has passed', async () => {
    const collector = await startCollector();
    setEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_SCHEDULE_DELAY: '20' });
    const { tracer } = init();
    finishSpans(tracer, 1);
    await collector.waitFor(1);
    expect(collector.received).toHaveLength(1);
  });
});

describe('OTEL_SDK_DISABLED', () => {
  it('true (any case): records nothing, not even to a recorder passed in code, but still propagates', () => {
    setEnv({ OTEL_SDK_DISABLED: 'True', OTEL_PROPAGATORS: 'b3multi' });
    const recorder = new InMemoryRecorder();
    const { tracer, warnings } = init({ recorder });
    expect(recorderOf(tracer)).toBeNull();
    const parent = tracer.extract(opentracing.FORMAT_HTTP_HEADERS, {
      'x-b3-traceid': '4bf92f3577b34da6a3ce929d0e0e4736',
      'x-b3-spanid': '00f067aa0ba902b7',
      'x-b3-sampled': '1',
    });
    const span = tracer.startSpan('server', { childOf: parent ?? undefined });
    const headers: Record<string, string> = {};
    tracer.inject(span, opentracing.FORMAT_HTTP_HEADERS, headers);
    span.finish();
    expect(headers['x-b3-traceid']).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(recorder.spans()).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('anything but true/false is reported, and the SDK stays enabled', () => {
    setEnv({ OTEL_SDK_DISABLED: 'yes', OTEL_TRACES_EXPORTER: 'none' });
    const recorder = new InMemoryRecorder();
    const { tracer, warnings } = init({ recorder });
    finishSpans(tracer, 1);
    expect(recorder.spans()).toHaveLength(1);
    expect(warnings).toEqual(['sextant: ignoring OTEL_SDK_DISABLED="yes": expected true or false; using false.']);
  });
});

describe('bad values', () => {
  it.each([
    ['OTEL_TRACES_SAMPLER', 'sometimes', {}],
    ['OTEL_TRACES_SAMPLER_ARG', '2', { OTEL_TRACES_SAMPLER: 'traceidratio' }],
    ['OTEL_PROPAGATORS', 'opencensus', {}],
    ['OTEL_TRACES_EXPORTER', 'jaeger-thrift', {}],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318', {}],
    ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'not a url', {}],
    ['OTEL_EXPORTER_OTLP_TIMEOUT', '-1', {}],
    ['OTEL_EXPORTER_OTLP_COMPRESSION', 'brotli', {}],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc', {}],
    ['OTEL_EXPORTER_ZIPKIN_ENDPOINT', 'zipkin', { OTEL_TRACES_EXPORTER: 'zipkin' }],
    ['OTEL_BSP_SCHEDULE_DELAY', '-100', {}],
    ['OTEL_BSP_EXPORT_TIMEOUT', '30s', {}],
    ['OTEL_BSP_MAX_QUEUE_SIZE', '0', {}],
    ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE', '4096', {}],
    ['OTEL_RESOURCE_ATTRIBUTES', 'team', {}],
    ['OTEL_SDK_DISABLED', 'disabled', {}],
  ])('%s=%p gives exactly one warning naming the variable and the value', (name, value, extra) => {
    setEnv({ ...extra, [name]: value });
    const { tracer, warnings } = init();
    expect(tracer).toBeInstanceOf(Tracer);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${name}=${JSON.stringify(value)}`);
    expect(warnings[0]).toMatch(/; using .+\.$/);
  });

  it('a ratio of 2 falls back to the documented 1.0; an unknown sampler to parentbased_always_on', () => {
    const recorder = new InMemoryRecorder();
    setEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' });
    init({ recorder }).tracer.startSpan('a').finish();
    setEnv({ OTEL_TRACES_SAMPLER: 'sometimes' });
    const unsampledRemote = new SpanContext({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      sampled: false,
      debug: false,
      remote: true,
    });
    init({ recorder }).tracer.startSpan('b', { childOf: unsampledRemote }).finish(); // parent-based: follows the parent
    init({ recorder }).tracer.startSpan('c').finish();
    expect(recorder.spans().map((s) => [s.operationName, ...samplerTags(s)])).toEqual([
      ['a', 'probabilistic', 1],
      ['c', 'const', true],
    ]);
  });

  it('an unknown exporter falls back to otlp; a malformed header list sends no headers from it, and hides its values', async () => {
    const collector = await startCollector();
    setEnv({
      OTEL_TRACES_EXPORTER: 'datadog',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer s3cret,oops',
    });
    const { tracer, warnings } = init();
    finishSpans(tracer, 1);
    await tracer.flush();
    expect(collector.received).toHaveLength(1);
    expect(collector.received[0].headers.authorization).toBeUndefined();
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toBe(
      'sextant: ignoring OTEL_EXPORTER_OTLP_HEADERS="authorization=***,***": entry 2 has no \'=\'; using no headers from it.',
    );
  });

  it('negative or unparsable BSP values fall back to the OTel defaults (5000, 30000, 2048, 512)', () => {
    setEnv({
      OTEL_BSP_SCHEDULE_DELAY: '-1',
      OTEL_BSP_EXPORT_TIMEOUT: 'x',
      OTEL_BSP_MAX_QUEUE_SIZE: '-3',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '1.5',
    });
    const { tracer, warnings } = init();
    // BatchRecorder keeps its resolved options privately; read them to see what the environment produced.
    const options = (recorderOf(tracer) as unknown as { options: Record<string, unknown> }).options;
    expect(options).toMatchObject({ scheduledDelayMillis: 5000, exportTimeoutMillis: 30000, maxQueueSize: 2048, maxBatchSize: 512 });
    expect(warnings).toHaveLength(4);
  });

  it('go to console.warn when no logger is given', () => {
    setEnv({ OTEL_TRACES_SAMPLER: 'sometimes', OTEL_TRACES_EXPORTER: 'none' });
    const spy = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      tracers.push(initTracerFromEnv());
      expect(spy.mock.calls).toEqual([[expect.stringContaining('OTEL_TRACES_SAMPLER="sometimes"')]]);
    } finally {
      spy.mockRestore();
    }
  });

  it('never make initTracerFromEnv throw, whatever the variables hold', () => {
    const names = [
      'OTEL_SDK_DISABLED',
      'OTEL_SERVICE_NAME',
      'OTEL_RESOURCE_ATTRIBUTES',
      'OTEL_TRACES_SAMPLER',
      'OTEL_TRACES_SAMPLER_ARG',
      'OTEL_PROPAGATORS',
      'OTEL_TRACES_EXPORTER',
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
      'OTEL_EXPORTER_OTLP_HEADERS',
      'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
      'OTEL_EXPORTER_OTLP_TIMEOUT',
      'OTEL_EXPORTER_OTLP_COMPRESSION',
      'OTEL_EXPORTER_ZIPKIN_ENDPOINT',
      'OTEL_BSP_SCHEDULE_DELAY',
      'OTEL_BSP_EXPORT_TIMEOUT',
      'OTEL_BSP_MAX_QUEUE_SIZE',
      'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
    ];
    const value = fc.oneof(
      fc.string(),
      fc.constantFrom('otlp,zipkin,console', 'true', '0', '-1', '1e309', 'http://[::1', 'a=%zz', '=,=,', '__proto__=1', 'x\u0000y', 'none'),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...names), value), (vars) => {
        for (const name of names) delete process.env[name];
        // process.env cannot hold NUL bytes; the rest is whatever a manifest could say.
        setEnv(Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, v.replace(/\0/g, '')])));
        const { tracer } = init();
        const span = tracer.startSpan('x');
        tracer.inject(span, opentracing.FORMAT_HTTP_HEADERS, {});
        return tracer instanceof Tracer;
      }),
      { numRuns: 150 },
    );
  });
});

describe('overrides', () => {
  it('win over the environment', () => {
    setEnv({ OTEL_SERVICE_NAME: 'from-env', OTEL_PROPAGATORS: 'b3', OTEL_TRACES_EXPORTER: 'console' });
    const recorder = new InMemoryRecorder();
    const { tracer } = init({ serviceName: 'from-code', propagation: ['jaeger'], recorder });
    expect(tracer.serviceName()).toBe('from-code');
    expect(recorderOf(tracer)).toBe(recorder);
    const headers: Record<string, string> = {};
    tracer.inject(tracer.startSpan('x'), opentracing.FORMAT_HTTP_HEADERS, headers);
    expect(Object.keys(headers)).toEqual(['uber-trace-id']);
  });

  it('that are invalid throw a TypeError naming the option, before the environment is read', () => {
    setEnv({ OTEL_TRACES_SAMPLER: 'sometimes' });
    const warnings: string[] = [];
    const logger = { warn: (m: string) => warnings.push(m) };
    expect(() => initTracerFromEnv({ logger, serviceName: '' })).toThrow(/TracerOptions\.serviceName/);
    expect(() => initTracerFromEnv({ logger, sampler: {} as never })).toThrow(/TracerOptions\.sampler/);
    expect(() => initTracerFromEnv({ logger, propagation: ['w3c' as never] })).toThrow(/TracerOptions\.propagation/);
    expect(() => initTracerFromEnv({ logger, tags: 'x' as never })).toThrow(/TracerOptions\.tags/);
    expect(() => initTracerFromEnv({ logger: {} as never })).toThrow(/TracerOptions\.logger/);
    expect(() => initTracerFromEnv('x' as never)).toThrow(TypeError);
    expect(warnings).toEqual([]);
  });
});

describe('span limits from OTEL_*_LIMIT variables', () => {
  function limitsOf(tracer: Tracer): SpanLimits {
    return (tracer as unknown as { _limits: SpanLimits })._limits;
  }
  const DEFAULTS = { maxTags: 128, maxLogs: 128, maxReferences: 128, maxLogFields: 128, maxValueLength: Infinity };

  it('are the defaults when nothing is set', () => {
    const { tracer } = init();
    expect(limitsOf(tracer)).toMatchObject(DEFAULTS);
  });

  it('reads every variable, and spans obey them', () => {
    setEnv({
      OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '3',
      OTEL_SPAN_EVENT_COUNT_LIMIT: '4',
      OTEL_SPAN_LINK_COUNT_LIMIT: '5',
      OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT: '6',
      OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '7',
    });
    const recorder = new InMemoryRecorder();
    const { tracer, warnings } = init({ recorder, sampler: new ConstSampler(true) });
    expect(limitsOf(tracer)).toMatchObject({ maxTags: 3, maxLogs: 4, maxReferences: 5, maxLogFields: 6, maxValueLength: 7 });
    const span = tracer.startSpan('limited');
    for (let i = 0; i < 10; i++) span.setTag(`t${i}`, 'abcdefghij').log({ i });
    span.finish();
    const [record] = recorder.spans();
    expect(Object.keys(record.tags).length).toBeLessThanOrEqual(3);
    expect(Object.values(record.tags).every((v) => typeof v !== 'string' || v.length <= 7)).toBe(true);
    expect(record.logs).toHaveLength(4);
    expect(record.dropped?.logs).toBe(6);
    expect(warnings.filter((w) => w.includes('OTEL_'))).toEqual([]);
  });

  it('a span-specific variable wins over the general one; the general one applies alone', () => {
    setEnv({
      OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '10',
      OTEL_ATTRIBUTE_COUNT_LIMIT: '20',
      OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '30',
    });
    const { tracer } = init();
    expect(limitsOf(tracer)).toMatchObject({ maxTags: 10, maxValueLength: 30 });
  });

  it('overrides win limit by limit', () => {
    setEnv({ OTEL_SPAN_EVENT_COUNT_LIMIT: '4', OTEL_SPAN_LINK_COUNT_LIMIT: '5' });
    const { tracer } = init({ limits: { maxLogs: 40 } });
    expect(limitsOf(tracer)).toMatchObject({ maxLogs: 40, maxReferences: 5, maxTags: 128 });
  });

  it('a bad value is reported naming the variable, and the general variable or the default applies', () => {
    setEnv({
      OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: 'many',
      OTEL_ATTRIBUTE_COUNT_LIMIT: '12',
      OTEL_SPAN_EVENT_COUNT_LIMIT: '-1',
      OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '1.5',
    });
    const { tracer, warnings } = init();
    expect(limitsOf(tracer)).toMatchObject({ maxTags: 12, maxLogs: 128, maxValueLength: Infinity });
    expect(warnings).toEqual([
      'sextant: ignoring OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT="many": expected a whole number from 0 to 2147483647; using OTEL_ATTRIBUTE_COUNT_LIMIT if set, else the default 128.',
      'sextant: ignoring OTEL_SPAN_EVENT_COUNT_LIMIT="-1": expected a whole number from 0 to 2147483647; using the default 128.',
      'sextant: ignoring OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT="1.5": expected a whole number from 0 to 2147483647; using OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT if set, else no limit.',
    ]);
  });

  it('invalid limits in overrides throw a TypeError naming the option', () => {
    expect(() => initTracerFromEnv({ logger: { warn: () => undefined }, limits: { maxTags: -1 } })).toThrow(
      /TracerOptions\.limits\.maxTags/,
    );
  });
});

describe('no recorder, and tracer.stats()', () => {
  it('says nothing about having no recorder when none was asked for (OTEL_TRACES_EXPORTER=none, OTEL_SDK_DISABLED=true)', () => {
    setEnv({ OTEL_TRACES_EXPORTER: 'none' });
    const none = init();
    finishSpans(none.tracer, 3);
    expect(none.warnings).toEqual([]);
    setEnv({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'true' });
    const disabled = init();
    finishSpans(disabled.tracer, 3);
    expect(disabled.warnings).toEqual([]);
  });

  it("gives the stats of the recorder the environment built (otlp,console: the batch recorder's)", async () => {
    const collector = await startCollector();
    setEnv({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
    const { tracer } = init();
    finishSpans(tracer, 3);
    await tracer.flush();
    expect(tracer.stats()).toMatchObject({ recorded: 3, exported: 3, dropped: 0, failed: 0, queued: 0 });
    setEnv({ OTEL_TRACES_EXPORTER: 'otlp,console' });
    const { tracer: teed } = init();
    expect(teed.stats()).toMatchObject({ recorded: 0, exported: 0, dropped: 0 });
  });
});
