import { BatchRecorder, initTracerFromEnv, OtlpHttpExporter, ZipkinExporter } from '../../lib';
import type { Tracer } from '../../lib';
import { FaultLogger } from '../../lib/util/fault-logger';
import { closedPortUrl, Collector } from '../helpers/export-collector';
import { finishedSpan } from '../helpers/export-spans';
import { otlpSpansOf } from '../helpers/otlp-body';

/*
 * The exporter side of initTracerFromEnv: the OTLP protocol variables, headers that
 * frame a request, and secrets (header values, URL passwords) that must never reach a
 * warning or an error message, from options or from OTEL_* variables.
 */

const SECRET = 'Sup3rS3cretT0ken';

let savedEnv: Record<string, string | undefined> = {};
const tracers: Tracer[] = [];
let collector: Collector;

beforeEach(async () => {
  savedEnv = {};
  for (const key of Object.keys(process.env)) {
    if (key.startsWith('OTEL_')) {
      savedEnv[key] = process.env[key];
      delete process.env[key];
    }
  }
  collector = await Collector.start();
});

afterEach(async () => {
  await Promise.all(tracers.splice(0).map((t) => t.close()));
  await collector.stop();
  for (const key of Object.keys(process.env)) if (key.startsWith('OTEL_')) delete process.env[key];
  Object.assign(process.env, savedEnv);
});

/** initTracerFromEnv with `env`, its warnings collected; the tracer is closed after the test. */
function init(env: Record<string, string>): { tracer: Tracer; warnings: string[] } {
  Object.assign(process.env, { OTEL_SERVICE_NAME: 'svc', ...env });
  const warnings: string[] = [];
  const tracer = initTracerFromEnv({ logger: { warn: (m) => void warnings.push(m) } });
  tracers.push(tracer);
  return { tracer, warnings };
}

async function sendOneSpan(tracer: Tracer): Promise<void> {
  tracer.startSpan('op').finish();
  await tracer.flush();
}

describe('OTEL_EXPORTER_OTLP_PROTOCOL and OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', () => {
  it.each([
    [{}, 'application/x-protobuf', 0],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }, 'application/x-protobuf', 0],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, 'application/json', 0],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'HTTP/JSON' }, 'application/json', 0],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' }, 'application/x-protobuf', 0],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' }, 'application/json', 0],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'application/x-protobuf', 1],
    [{ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' }, 'application/x-protobuf', 1],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'thrift' }, 'application/x-protobuf', 1],
  ])('%j sends %s (%i warnings)', async (env, contentType, warningCount) => {
    const { tracer, warnings } = init({ ...env, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url('') });
    await sendOneSpan(tracer);
    expect(collector.requests[0].headers['content-type']).toBe(contentType);
    expect(otlpSpansOf(collector.requests[0]).map((s) => s.name)).toEqual(['op']);
    expect(warnings).toHaveLength(warningCount);
  });

  it('says once that grpc is not spoken and what is sent instead', () => {
    const { warnings } = init({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: collector.url('') });
    expect(warnings).toEqual([
      'sextant: ignoring OTEL_EXPORTER_OTLP_PROTOCOL="grpc": sextant speaks OTLP over HTTP only; using http/protobuf to the same endpoint (OTLP receivers take it on port 4318).',
    ]);
  });
});

describe('headers that frame a request', () => {
  it('are refused from OTEL_* headers one by one, with a warning each; the others are kept', async () => {
    const { tracer, warnings } = init({
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url(''),
      OTEL_EXPORTER_OTLP_HEADERS: `transfer-encoding=chunked,x-tenant=acme,Content-Length=5`,
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: `authorization=Bearer%20${SECRET},host=evil.example`,
    });
    await sendOneSpan(tracer);
    const [request] = collector.requests;
    // Framed by the exporter alone: one Content-Length, the true one, and no chunking.
    expect(request.headers['transfer-encoding']).toBeUndefined();
    expect(request.headers['content-length']).toBe(String(request.raw.length));
    expect(request.headers.host).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(request.headers['x-tenant']).toBe('acme');
    expect(request.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(warnings).toEqual([
      'sextant: ignoring OTEL_EXPORTER_OTLP_HEADERS="transfer-encoding=***": transfer-encoding frames the request, which the exporter does itself; using the other headers of the list.',
      'sextant: ignoring OTEL_EXPORTER_OTLP_HEADERS="Content-Length=***": Content-Length frames the request, which the exporter does itself; using the other headers of the list.',
      'sextant: ignoring OTEL_EXPORTER_OTLP_TRACES_HEADERS="host=***": host frames the request, which the exporter does itself; using the other headers of the list.',
    ]);
  });

  it('are refused from exporter options one by one, with a warning each; the others are kept', async () => {
    const messages: string[] = [];
    const exporter = new OtlpHttpExporter({
      url: collector.url('/v1/traces'),
      headers: { Connection: 'close', 'x-api-key': SECRET, 'Transfer-Encoding': 'chunked' },
      logger: { warn: (m) => void messages.push(m) },
    });
    expect(await exporter.export([finishedSpan()])).toEqual({ ok: true });
    const { headers, raw } = collector.requests[0];
    expect(headers['x-api-key']).toBe(SECRET);
    expect(headers['transfer-encoding']).toBeUndefined();
    expect(headers['content-length']).toBe(String(raw.length));
    expect(messages).toEqual([
      'sextant: ignoring OtlpHttpExporterOptions.headers["Connection"]: it frames the request, which the exporter does itself; the other headers are kept.',
      'sextant: ignoring OtlpHttpExporterOptions.headers["Transfer-Encoding"]: it frames the request, which the exporter does itself; the other headers are kept.',
    ]);
    expect(messages.join('\n')).not.toContain(SECRET);
    await exporter.shutdown();
  });
});

describe('secrets never reach a message', () => {
  it('a malformed OTEL_EXPORTER_OTLP_HEADERS entry (a colon for an =) is not printed', async () => {
    const { tracer, warnings } = init({
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url(''),
      OTEL_EXPORTER_OTLP_HEADERS: `x-tenant=acme,Authorization: Bearer ${SECRET}`,
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: `Bearer ${SECRET}=x`,
    });
    await sendOneSpan(tracer);
    expect(collector.requests[0].headers.authorization).toBeUndefined();
    expect(warnings).toEqual([
      'sextant: ignoring OTEL_EXPORTER_OTLP_HEADERS="x-tenant=***,***": entry 2 has no \'=\'; using no headers from it.',
      'sextant: ignoring OTEL_EXPORTER_OTLP_TRACES_HEADERS="***": the key of entry 1 is not valid; using no headers from it.',
    ]);
    expect(warnings.join('\n')).not.toContain(SECRET);
  });

  it('a malformed value is not printed either', () => {
    const { warnings } = init({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url(''), OTEL_EXPORTER_OTLP_HEADERS: `authorization=${SECRET}%0A` });
    expect(warnings).toEqual([
      'sextant: ignoring OTEL_EXPORTER_OTLP_HEADERS="authorization=***": the value of "authorization" has characters that are not allowed; using no headers from it.',
    ]);
  });

  it('an endpoint URL’s password is printed neither when the URL is refused nor when exports fail', async () => {
    const { warnings } = init({
      OTEL_EXPORTER_OTLP_ENDPOINT: `ftp://user:${SECRET}@collector:4318`,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://user:${SECRET}@collector:99999999/v1/traces`,
    });
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toMatch(/ignoring OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="http:\/\/collector:99999999\/v1\/traces"/);
    expect(warnings.join('\n')).not.toContain(SECRET);

    delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    const down = (await closedPortUrl('/v1/traces')).replace('http://', `http://user:${SECRET}@`);
    const { tracer, warnings: failures } = init({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: down, OTEL_EXPORTER_OTLP_TIMEOUT: '300' });
    tracer.startSpan('op').finish();
    await tracer.close();
    expect(failures).toEqual([expect.stringMatching(/^sextant: close\(\): 1 spans could not be delivered.*ECONNREFUSED/)]);
    expect(failures.join('\n')).not.toContain(SECRET);
  });

  it.each([
    [
      { url: 'http://127.0.0.1:4318/', headers: { authorization: `Bearer ${SECRET}\n` } },
      /headers\["authorization"\] must be a valid HTTP header/,
    ],
    [
      { url: 'http://127.0.0.1:4318/', headers: { 'x-api-key': 123456 } },
      /headers\["x-api-key"\] must be a string, got a value not shown here/,
    ],
    [{ url: `htp:/user:${SECRET}@` }, /url must be an absolute http\(s\) URL/],
    [{ url: `ftp://user:${SECRET}@host/` }, /url must be an absolute http\(s\) URL, got "ftp:\/\/host\/"/],
  ])('the constructor’s TypeError for %j does not repeat the secret', (options, message) => {
    for (const Exporter of [OtlpHttpExporter, ZipkinExporter]) {
      let error: unknown;
      try {
        new Exporter(options as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain(SECRET);
      expect((error as Error).message).not.toContain('123456');
    }
  });

  it('a URL with a password in the exporter options works, and failures name it without the password', async () => {
    const url = (await closedPortUrl('/v1/traces')).replace('http://', `http://user:${SECRET}@`);
    const messages: string[] = [];
    const recorder = new BatchRecorder(new OtlpHttpExporter({ url, retry: { maxAttempts: 1 } }));
    recorder.attach({ serviceName: 'svc', tags: {}, logger: new FaultLogger({ warn: (m) => void messages.push(m) }) });
    recorder.record(finishedSpan());
    await recorder.close();
    expect(messages).toEqual([expect.stringMatching(/OTLP export to http:\/\/127\.0\.0\.1:\d+\/v1\/traces failed: .*ECONNREFUSED/)]);
    expect(JSON.stringify(recorder.stats())).not.toContain(SECRET);
    expect(messages.join('\n')).not.toContain(SECRET);
  });
});
