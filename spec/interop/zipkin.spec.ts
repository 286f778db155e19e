/**
 * sextant and zipkin-js calling each other over real HTTP on loopback, with B3 multiple
 * headers (zipkin-js's own HTTP instrumentation) and the B3 single header (zipkin-js 0.22
 * has no codec for it, so these tests write and read it from zipkin-js's TraceId).
 */
import type * as http from 'node:http';
import * as opentracing from 'opentracing';
import * as zipkin from 'zipkin';
import { InMemoryRecorder, Tracer } from '../../lib';
import type { PropagationName } from '../../lib';
import { getJson, sendJson, startServer } from '../helpers/interop';

/** `Tracer.extract` is typed as OpenTracing's; the context it returns is sextant's. */

const HTTP = opentracing.FORMAT_HTTP_HEADERS;
const { Some, None } = zipkin.option;

const records: zipkin.Record[] = [];
const zipkinRecorder: zipkin.Recorder = { record: (rec: zipkin.Record) => void records.push(rec) };

function zipkinTracer(traceId128Bit: boolean): zipkin.Tracer {
  return new zipkin.Tracer({
    ctxImpl: new zipkin.ExplicitContext(),
    recorder: zipkinRecorder,
    sampler: new zipkin.sampler.Sampler(zipkin.sampler.alwaysSample),
    traceId128Bit,
    supportsJoin: false,
    localServiceName: 'zipkin-service',
  });
}

const recorder = new InMemoryRecorder();
const sextantTracers: Partial<Record<PropagationName, Tracer>> = {};
function sextant(format: 'b3' | 'b3multi'): Tracer {
  sextantTracers[format] ??= new Tracer({ serviceName: 'sextant-service', propagation: [format], recorder });
  return sextantTracers[format] as Tracer;
}

afterEach(() => {
  records.length = 0;
  recorder.clear();
});

afterAll(async () => {
  for (const t of Object.values(sextantTracers)) await t.close();
});

/** A zipkin-js TraceId as a B3 single header, as the B3 specification writes it. */
function singleHeaderOf(id: zipkin.TraceId): string {
  const state = id.isDebug() ? 'd' : id.sampled.getOrElse(false) ? '1' : '0';
  const parent = id.parentSpanId.getOrElse('');
  return [id.traceId, id.spanId, state, ...(parent === '' ? [] : [parent])].join('-');
}

/** A B3 single header as a zipkin-js TraceId. */
function traceIdOfSingleHeader(value: string): zipkin.TraceId {
  const [traceId, spanId, state, parent] = value.split('-');
  return new zipkin.TraceId({
    traceId,
    spanId,
    parentId: parent === undefined ? None : new Some(parent),
    sampled: state === undefined ? None : new Some(state === '1' || state === 'd'),
    debug: state === 'd',
  });
}

interface SeenBySextant {
  traceId: string;
  parentSpanId: string | null;
  sampled: boolean;
  debug: boolean;
}

function sextantHandler(format: 'b3' | 'b3multi'): http.RequestListener {
  return (req, res) => {
    const t = sextant(format);
    const parent = t.extract(HTTP, req.headers);
    const span = t.startSpan('GET /sextant', { childOf: parent ?? undefined });
    span.finish();
    const seen: SeenBySextant = {
      traceId: span.context().traceId,
      parentSpanId: parent?.spanId ?? null,
      sampled: span.context().sampled,
      debug: span.context().debug,
    };
    sendJson(res, seen);
  };
}

interface SeenByZipkin {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  sampled: boolean | null;
  debug: boolean;
}

function seenBy(id: zipkin.TraceId): SeenByZipkin {
  return {
    traceId: id.traceId,
    spanId: id.spanId,
    parentSpanId: id.parentSpanId.getOrElse(null as unknown as string),
    sampled: id.sampled.getOrElse(null as unknown as boolean),
    debug: id.isDebug(),
  };
}

/** A zipkin-js server: its HttpServer instrumentation reads the B3 headers. */
function zipkinMultiHandler(tracer: zipkin.Tracer): http.RequestListener {
  const instrumentation = new zipkin.Instrumentation.HttpServer({ tracer, port: 0 });
  return (req, res) => {
    const readHeader = (<T>(name: string): zipkin.option.IOption<T> => {
      const value = req.headers[name.toLowerCase()];
      return (typeof value === 'string' ? new Some(value) : None) as zipkin.option.IOption<T>;
    }) as <T>(name: string) => zipkin.option.IOption<T>;
    const id = tracer.scoped(() => instrumentation.recordRequest(req.method ?? 'GET', req.url ?? '/', readHeader));
    tracer.scoped(() => instrumentation.recordResponse(id, '200'));
    sendJson(res, seenBy(id));
  };
}

/** A zipkin-js server that continues a B3 single header. */
function zipkinSingleHandler(tracer: zipkin.Tracer): http.RequestListener {
  return (req, res) => {
    const header = req.headers.b3;
    // join() is in zipkin-js but not in its type definitions
    const join = (tracer as unknown as { join(id: zipkin.TraceId): zipkin.TraceId }).join.bind(tracer);
    const id = typeof header === 'string' ? join(traceIdOfSingleHeader(header)) : tracer.createRootId();
    sendJson(res, seenBy(id));
  };
}

describe.each([
  ['64-bit', false],
  ['128-bit', true],
])('B3 multiple headers, %s trace ids', (_bits, wide) => {
  test('zipkin-js -> sextant: one trace, the parent is the caller span, sampled travels', async () => {
    const server = await startServer(sextantHandler('b3multi'));
    const tracer = zipkinTracer(wide);
    try {
      const client = new zipkin.Instrumentation.HttpClient({ tracer, remoteServiceName: 'sextant-service' });
      const { headers, id } = tracer.scoped(() => {
        const request = client.recordRequest({ headers: {} as Record<string, string> }, `${server.url}/`, 'GET');
        return { headers: request.headers, id: tracer.id };
      });
      const seen = await getJson<SeenBySextant>(`${server.url}/`, headers);
      tracer.scoped(() => client.recordResponse(id, '200'));

      expect(id.traceId).toHaveLength(wide ? 32 : 16);
      expect(seen).toMatchObject({ traceId: id.traceId.padStart(32, '0'), parentSpanId: id.spanId, sampled: true, debug: false });
      expect(recorder.spans()).toEqual([expect.objectContaining({ traceId: seen.traceId, parentSpanId: id.spanId })]);
    } finally {
      await server.close();
    }
  });

  test('sextant -> zipkin-js: one trace, the parent is the caller span, sampled travels', async () => {
    const tracer = zipkinTracer(wide);
    const server = await startServer(zipkinMultiHandler(tracer));
    try {
      const t = sextant('b3multi');
      const upstream = wide
        ? null
        : t.extract(HTTP, { 'x-b3-traceid': 'a3ce929d0e0e4736', 'x-b3-spanid': '00f067aa0ba902b7', 'x-b3-sampled': '1' });
      const span = t.startSpan('GET /zipkin', { childOf: upstream ?? undefined });
      const headers: Record<string, string> = {};
      t.inject(span, HTTP, headers);
      const seen = await getJson<SeenByZipkin>(`${server.url}/`, headers);
      span.finish();

      expect(seen.traceId.padStart(32, '0')).toBe(span.context().traceId);
      expect(seen.traceId).toHaveLength(wide ? 32 : 16);
      expect(seen).toMatchObject({ parentSpanId: span.context().spanId, sampled: true, debug: false });
      expect(seen.spanId).not.toBe(span.context().spanId);
      expect(records.some((r) => r.traceId.traceId === seen.traceId && r.traceId.spanId === seen.spanId)).toBe(true);
    } finally {
      await server.close();
    }
  });
});

describe('B3 multiple headers: sampling and debug', () => {
  test('an unsampled zipkin-js trace stays unsampled in sextant', async () => {
    const server = await startServer(sextantHandler('b3multi'));
    const tracer = new zipkin.Tracer({
      ctxImpl: new zipkin.ExplicitContext(),
      recorder: zipkinRecorder,
      sampler: new zipkin.sampler.Sampler(zipkin.sampler.neverSample),
    });
    try {
      const client = new zipkin.Instrumentation.HttpClient({ tracer });
      const { headers } = tracer.scoped(() => client.recordRequest({ headers: {} as Record<string, string> }, `${server.url}/`, 'GET'));
      expect(headers['X-B3-Sampled']).toBe('0');
      const seen = await getJson<SeenBySextant>(`${server.url}/`, headers);
      expect(seen.sampled).toBe(false);
      expect(recorder.spans()).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  test('zipkin-js debug -> sextant -> zipkin-js: X-B3-Flags crosses both hops', async () => {
    const tracer = zipkinTracer(false);
    const zipkinServer = await startServer(zipkinMultiHandler(tracer));
    const relay = await startServer((req, res) => {
      const t = sextant('b3multi');
      const span = t.startSpan('GET /relay', { childOf: t.extract(HTTP, req.headers) ?? undefined });
      const headers: Record<string, string> = {};
      t.inject(span, HTTP, headers);
      getJson(`${zipkinServer.url}/`, headers).then(
        (seen) => {
          span.finish();
          sendJson(res, { seen, relay: { spanId: span.context().spanId, debug: span.context().debug } });
        },
        () => res.writeHead(502).end(),
      );
    });
    try {
      const root = tracer.createRootId(None, true);
      const headers = zipkin.Request.addZipkinHeaders({ headers: {} as Record<string, string> }, root).headers;
      expect(headers['X-B3-Flags']).toBe('1');
      const { seen, relay: hop } = await getJson<{ seen: SeenByZipkin; relay: { spanId: string; debug: boolean } }>(
        `${relay.url}/`,
        headers,
      );
      expect(hop.debug).toBe(true);
      expect(seen).toMatchObject({ traceId: root.traceId, parentSpanId: hop.spanId, debug: true, sampled: true });
    } finally {
      await relay.close();
      await zipkinServer.close();
    }
  });
});

describe.each([
  ['64-bit', false],
  ['128-bit', true],
])('B3 single header, %s trace ids', (_bits, wide) => {
  test('zipkin-js -> sextant: one trace, the parent is the caller span', async () => {
    const server = await startServer(sextantHandler('b3'));
    const tracer = zipkinTracer(wide);
    try {
      const id = tracer.scoped(() => tracer.createChildId(tracer.createRootId()));
      const seen = await getJson<SeenBySextant>(`${server.url}/`, { b3: singleHeaderOf(id) });
      expect(seen).toMatchObject({ traceId: id.traceId.padStart(32, '0'), parentSpanId: id.spanId, sampled: true, debug: false });
    } finally {
      await server.close();
    }
  });

  test('sextant -> zipkin-js: one trace, the parent is the caller span', async () => {
    const tracer = zipkinTracer(wide);
    const server = await startServer(zipkinSingleHandler(tracer));
    try {
      const t = sextant('b3');
      const upstream = wide ? null : t.extract(HTTP, { b3: 'a3ce929d0e0e4736-00f067aa0ba902b7-1' });
      const span = t.startSpan('GET /zipkin', { childOf: upstream ?? undefined });
      const headers: Record<string, string> = {};
      t.inject(span, HTTP, headers);
      const seen = await getJson<SeenByZipkin>(`${server.url}/`, headers);
      expect(seen.traceId).toHaveLength(wide ? 32 : 16);
      expect(seen.traceId.padStart(32, '0')).toBe(span.context().traceId);
      expect(seen).toMatchObject({ parentSpanId: span.context().spanId, sampled: true, debug: false });
    } finally {
      await server.close();
    }
  });
});

describe('B3 single header: sampling states', () => {
  test.each([
    ['0', false, false],
    ['d', true, true],
  ])('state %s travels from zipkin-js to sextant and back', async (state, sampled, debug) => {
    const tracer = zipkinTracer(false);
    const zipkinServer = await startServer(zipkinSingleHandler(tracer));
    const relay = await startServer((req, res) => {
      const t = sextant('b3');
      const span = t.startSpan('GET /relay', { childOf: t.extract(HTTP, req.headers) ?? undefined });
      const headers: Record<string, string> = {};
      t.inject(span, HTTP, headers);
      getJson(`${zipkinServer.url}/`, headers).then(
        (seen) => sendJson(res, { seen, relay: { sampled: span.context().sampled, debug: span.context().debug } }),
        () => res.writeHead(502).end(),
      );
    });
    try {
      const root = tracer.createRootId(new Some(sampled), debug);
      expect(singleHeaderOf(root).split('-')[2]).toBe(state);
      const { seen, relay: hop } = await getJson<{ seen: SeenByZipkin; relay: { sampled: boolean; debug: boolean } }>(`${relay.url}/`, {
        b3: singleHeaderOf(root),
      });
      expect(hop).toEqual({ sampled, debug });
      expect(seen).toMatchObject({ traceId: root.traceId, sampled, debug });
    } finally {
      await relay.close();
      await zipkinServer.close();
    }
  });
});
