import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import express from 'express';
import {
  BatchRecorder,
  InMemoryRecorder,
  instrument,
  OtlpHttpExporter,
  Tracer,
  type FinishedSpan,
  type Instrumentation,
  type Span,
} from '../../lib';
import { Collector } from '../helpers/export-collector';
import { close, isClientSpan, isServerSpan, listen, onlySpan, spansWhen, waitFor } from '../helpers/middleware';
import { canTraceNodeHttpClients } from '../helpers/node-versions';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN_ID = 'b7ad6b7169203331';
const TRACEPARENT = `00-${TRACE_ID}-${CALLER_SPAN_ID}-01`;

describe('instrument(): zero-code HTTP tracing through diagnostics_channel', () => {
  let recorder: InMemoryRecorder;
  let tracer: Tracer;
  let warnings: string[];
  let tracing: Instrumentation | null = null;
  const servers: http.Server[] = [];

  beforeEach(() => {
    recorder = new InMemoryRecorder();
    warnings = [];
    tracer = new Tracer({ serviceName: 'zero', recorder, logger: { warn: (m) => warnings.push(m) } });
  });
  afterEach(async () => {
    tracing?.disable();
    tracing = null;
    await Promise.all(servers.splice(0).map(close));
  });

  async function serve(handler: http.RequestListener): Promise<string> {
    const server = http.createServer(handler);
    servers.push(server);
    return listen(server);
  }

  const idOf = (span: Span | null): string | null => (span === null ? null : span.context().spanId);

  it('traces a plain node:http server: a server span continuing the caller, with the request tags', async () => {
    tracing = instrument(tracer, { instrumentations: ['http'] });
    const base = await serve((_req, res) => res.end('ok'));

    const response = await fetch(`${base}/users/42?size=64`, { headers: { traceparent: TRACEPARENT } });
    await response.text();
    const [span] = await spansWhen(recorder, 1);

    expect(span.operationName).toBe('GET');
    expect(span.traceId).toBe(TRACE_ID);
    expect(span.parentSpanId).toBe(CALLER_SPAN_ID);
    expect(span.tags).toMatchObject({
      'span.kind': 'server',
      'http.method': 'GET',
      'http.url': '/users/42?size=64',
      'http.status_code': 200,
      'peer.ipv4': '127.0.0.1',
    });
  });

  it('makes the span active for the handler, across awaits, and in req/res listeners added later', async () => {
    const seen: Record<string, string | null> = {};
    tracing = instrument(tracer, { instrumentations: ['http'] });
    const base = await serve(async (req, res) => {
      seen.handler = idOf(tracer.activeSpan());
      await sleep(5);
      seen.afterAwait = idOf(tracer.activeSpan());
      const child = tracer.startSpan('load');
      child.finish();
      req.on('data', () => (seen.data = idOf(tracer.activeSpan())));
      req.on('end', () => {
        seen.end = idOf(tracer.activeSpan());
        setTimeout(() => {
          res.on('finish', () => (seen.finish = idOf(tracer.activeSpan())));
          res.end('done');
        }, 5);
      });
    });

    await (await fetch(`${base}/upload`, { method: 'POST', body: 'x'.repeat(1000) })).text();
    const server = (await spansWhen(recorder, 1, isServerSpan))[0];
    await waitFor(() => seen.finish !== undefined);

    expect(seen).toEqual({
      handler: server.spanId,
      afterAwait: server.spanId,
      data: server.spanId,
      end: server.spanId,
      finish: server.spanId,
    });
    expect(onlySpan(recorder, 'load').parentSpanId).toBe(server.spanId);
  });

  it('leaves no span active for an ignored request on a keep-alive connection that carried a traced one', async () => {
    const seen: (string | null)[] = [];
    tracing = instrument(tracer, { instrumentations: ['http'], ignorePaths: ['/healthz'] });
    const base = await serve((_req, res) => {
      seen.push(idOf(tracer.activeSpan()));
      res.end('ok');
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = (path: string): Promise<void> =>
      new Promise((resolve, reject) => {
        http.get(`${base}${path}`, { agent }, (res) => res.resume().on('end', resolve)).on('error', reject);
      });
    try {
      await get('/traced');
      await get('/healthz');
    } finally {
      agent.destroy();
    }
    const [span] = await spansWhen(recorder, 1, isServerSpan);

    expect(seen).toEqual([span.spanId, null]);
    expect(recorder.spans().filter(isServerSpan)).toHaveLength(1);
  });

  it('names the span by the Express route, with no sextant code in the app', async () => {
    tracing = instrument(tracer, { instrumentations: ['http'] });
    const app = express();
    const users = express.Router();
    users.get('/:id', (req, res) => {
      res.json({ id: req.params.id });
    });
    app.use('/users', users);
    app.get('/items/:sku', (_req, res) => {
      res.send('item');
    });
    const base = await serve(app);

    await (await fetch(`${base}/users/7`)).text();
    await (await fetch(`${base}/items/abc`)).text();
    await (await fetch(`${base}/nowhere`)).text();
    const spans = await spansWhen(recorder, 3);

    expect(spans.map((s) => s.operationName).sort()).toEqual(['GET', 'GET /items/:sku', 'GET /users/:id']);
    expect(spans.find((s) => s.operationName === 'GET')?.tags['http.status_code']).toBe(404);
  });

  it('applies pathTemplates, operationName, tags and ignorePaths', async () => {
    tracing = instrument(tracer, {
      instrumentations: ['http'],
      pathTemplates: ['/orders/:id'],
      ignorePaths: ['/healthz'],
      tags: (req) => ({ 'tenant.id': req.headers['x-tenant'] }),
      operationName: (req) => (req.url?.startsWith('/graphql') ? 'POST graphql' : ''),
    });
    const base = await serve((_req, res) => res.end('ok'));

    await (await fetch(`${base}/orders/9`, { headers: { 'x-tenant': 'acme' } })).text();
    await (await fetch(`${base}/graphql`, { method: 'POST', body: '{}' })).text();
    await (await fetch(`${base}/healthz`)).text();
    const spans = await spansWhen(recorder, 2);
    await sleep(20);

    expect(recorder.spans().map((s) => s.operationName)).toEqual(['GET /orders/:id', 'POST graphql']);
    expect(spans[0].tags['tenant.id']).toBe('acme');
  });

  it('captures allow-listed request and response headers, credentials redacted, none by default', async () => {
    tracing = instrument(tracer, {
      instrumentations: ['http'],
      captureHeaders: { request: ['User-Agent', 'authorization', 'x-session-token'], response: ['content-type', 'set-cookie'] },
    });
    const base = await serve((_req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.setHeader('set-cookie', ['sid=secret-value']);
      res.setHeader('x-not-listed', 'no');
      res.end('ok');
    });

    await (
      await fetch(`${base}/`, {
        headers: { 'user-agent': 'probe/1', authorization: 'Bearer abc.def', 'x-session-token': 'tkn', 'x-other': 'no' },
      })
    ).text();
    const [span] = await spansWhen(recorder, 1);

    expect(span.tags).toMatchObject({
      'http.request.header.user-agent': 'probe/1',
      'http.request.header.authorization': 'REDACTED',
      'http.request.header.x-session-token': 'REDACTED',
      'http.response.header.content-type': 'text/plain',
      'http.response.header.set-cookie': 'REDACTED',
    });
    expect(JSON.stringify(span.tags)).not.toMatch(/abc\.def|secret-value|tkn|x-other|x-not-listed/);
  });

  it('records no header by default', async () => {
    tracing = instrument(tracer, { instrumentations: ['http'] });
    const base = await serve((_req, res) => res.end('ok'));
    await (await fetch(`${base}/`, { headers: { authorization: 'Bearer abc' } })).text();
    const [span] = await spansWhen(recorder, 1);
    expect(Object.keys(span.tags).filter((k) => k.includes('header'))).toEqual([]);
  });

  it('redacts credential-like query values in http.url', async () => {
    tracing = instrument(tracer, { instrumentations: ['http'] });
    const base = await serve((_req, res) => res.end('ok'));
    await (await fetch(`${base}/download?file=a.txt&X-Goog-Signature=abc&Token=t0k&access_token=xyz`)).text();
    const [span] = await spansWhen(recorder, 1);
    expect(span.tags['http.url']).toBe('/download?file=a.txt&X-Goog-Signature=REDACTED&Token=REDACTED&access_token=REDACTED');
  });

  it('traces outbound fetch: a client span, child of the active span, its context sent downstream', async () => {
    let received: string | undefined;
    const downstream = await serve((req, res) => {
      received = req.headers.traceparent as string | undefined;
      res.end('{}');
    });
    tracing = instrument(tracer, { instrumentations: ['undici'] });

    await tracer.startActiveSpan('job', async () => {
      await (await fetch(`${downstream}/items?key=k1`, { headers: { accept: 'application/json' } })).text();
    });
    const client = (await spansWhen(recorder, 1, isClientSpan))[0];
    const job = onlySpan(recorder, 'job');

    expect(client.parentSpanId).toBe(job.spanId);
    expect(client.traceId).toBe(job.traceId);
    expect(received).toBe(`00-${client.traceId}-${client.spanId}-01`);
    expect(client.operationName).toBe(`GET ${new URL(downstream).host}`);
    expect(client.tags).toMatchObject({
      'span.kind': 'client',
      component: 'fetch',
      'http.method': 'GET',
      'http.url': `${downstream}/items?key=REDACTED`,
      'http.status_code': 200,
      'peer.ipv4': '127.0.0.1',
      'peer.port': Number(new URL(downstream).port),
    });
  });

  it('ends a fetch span with the error when the call fails, and tags a 5xx as an error', async () => {
    const downstream = await serve((req, res) => {
      if (req.url === '/hang') return; // never answered; the caller aborts
      res.statusCode = 503;
      res.end();
    });
    tracing = instrument(tracer, { instrumentations: ['undici'] });

    await (await fetch(`${downstream}/busy`)).text();
    await expect(fetch(`${downstream}/hang`, { signal: AbortSignal.timeout(50) })).rejects.toThrow();
    const spans = await spansWhen(recorder, 2, isClientSpan);

    const busy = spans.find((s) => String(s.tags['http.url']).endsWith('/busy'))!;
    const hung = spans.find((s) => String(s.tags['http.url']).endsWith('/hang'))!;
    expect(busy.tags).toMatchObject({ 'http.status_code': 503, error: true });
    expect(hung.tags.error).toBe(true);
    expect(hung.logs[0].fields.event).toBe('error');
  });

  it(`outbound node:http: ${canTraceNodeHttpClients() ? 'a client span, context injected' : 'neither span nor header (Node < 22.12 cannot add headers)'}`, async () => {
    let received: string | undefined = 'unset';
    const downstream = await serve((req, res) => {
      received = req.headers.traceparent as string | undefined;
      res.end('{}');
    });
    tracing = instrument(tracer, { instrumentations: ['http'] });

    await tracer.startActiveSpan('job', () => getText(`${downstream}/a?password=p`));
    await spansWhen(recorder, canTraceNodeHttpClients() ? 3 : 2);
    const clients = recorder.spans().filter(isClientSpan);

    if (canTraceNodeHttpClients()) {
      expect(clients).toHaveLength(1);
      expect(clients[0].parentSpanId).toBe(onlySpan(recorder, 'job').spanId);
      expect(received).toBe(`00-${clients[0].traceId}-${clients[0].spanId}-01`);
      expect(clients[0].tags).toMatchObject({
        component: 'node:http',
        'http.url': `${downstream}/a?password=REDACTED`,
        'http.status_code': 200,
      });
    } else {
      // The downstream server span is a root: nothing was injected, and no client span claims otherwise.
      expect(received).toBeUndefined();
      expect(clients).toEqual([]);
    }
  });

  it("never traces sextant's own export requests", async () => {
    const collector = await Collector.start();
    try {
      const exporterOptions = { url: collector.url('/v1/traces'), protocol: 'http/json' as const };
      const exporting = new Tracer({
        serviceName: 'exporting',
        recorder: new BatchRecorder(new OtlpHttpExporter(exporterOptions), { scheduledDelayMillis: 10 }),
      });
      // The stand-in collector lives in this process: its own server spans are not the point here.
      tracing = instrument(exporting, { instrumentations: ['http'], ignorePaths: ['/v1/traces'] });
      await exporting.startActiveSpan('work', async () => sleep(1));
      await collector.waitForRequests(1);
      await sleep(100);
      await exporting.close();

      // One export, carrying the span; had the export request been traced, its client span would follow in a second one.
      const names = collector.requests.flatMap((r) => JSON.stringify(r.json).match(/"name":"[^"]*"/g) ?? []);
      expect(names).toEqual(['"name":"sextant"', '"name":"work"']);
      expect(collector.requests).toHaveLength(1);
    } finally {
      await collector.stop();
    }
  });

  it('disable() stops tracing; a request under way when it is called still ends its span', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let arrived = false;
    tracing = instrument(tracer, { instrumentations: ['http'] });
    const base = await serve(async (req, res) => {
      if (req.url === '/slow') {
        arrived = true;
        await gate;
      }
      res.end('ok');
    });

    const slow = fetch(`${base}/slow`).then((r) => r.text());
    await waitFor(() => arrived);
    tracing.disable();
    release();
    await slow;
    await (await fetch(`${base}/after`)).text();
    await sleep(20);

    expect(recorder.spans().map((s) => s.tags['http.url'])).toEqual(['/slow']);
    expect(recorder.spans()[0].tags['http.status_code']).toBe(200);
  });

  it('traces once when instrument() is called twice, and says so', async () => {
    tracing = instrument(tracer, { instrumentations: ['http', 'undici'] });
    const second = instrument(tracer);
    try {
      const base = await serve((_req, res) => res.end('ok'));
      await (await fetch(`${base}/`)).text();
      await spansWhen(recorder, 2);
      await sleep(20);
      expect(recorder.spans().filter(isServerSpan)).toHaveLength(1);
      expect(recorder.spans().filter(isClientSpan)).toHaveLength(1);
      expect(warnings.join('\n')).toMatch(/'http' is already traced in this process/);
    } finally {
      second.disable();
    }
  });

  it('keeps 300 concurrent requests apart: each handler sees its own span, through awaits and an outbound call', async () => {
    const downstream = await serve((_req, res) => setTimeout(() => res.end('{}'), Math.random() * 5));
    tracing = instrument(tracer);
    const mismatches: string[] = [];
    const base = await serve(async (req, res) => {
      const mine = tracer.activeSpan();
      await sleep(Math.random() * 10);
      await (await fetch(`${downstream}/d?for=${req.url?.slice(1)}`)).text();
      if (tracer.activeSpan() !== mine) mismatches.push(String(req.url));
      tracer.startSpan('inner', { tags: { for: req.url } }).finish();
      res.end('ok');
    });

    const callers = Array.from({ length: 300 }, (_, i) => `${(i + 1).toString(16).padStart(32, 'a')}`);
    await Promise.all(
      callers.map(async (traceId, i) => {
        const headers = { traceparent: `00-${traceId}-${'1'.padStart(16, '0')}-01` };
        // The test's own fetch is traced too, but a request that carries a context is left alone.
        await (await fetch(`${base}/${i}`, { headers })).text();
      }),
    );
    const spans = await spansWhen(recorder, 300 * 4, () => true);

    expect(mismatches).toEqual([]);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const inbound = spans.filter((s: FinishedSpan) => isServerSpan(s) && !String(s.tags['http.url']).startsWith('/d'));
    expect(inbound).toHaveLength(300);
    for (const server of inbound) {
      const i = Number(String(server.tags['http.url']).slice(1));
      expect(server.traceId).toBe(callers[i]);
      const inner = spans.find((s) => s.operationName === 'inner' && s.tags.for === `/${i}`)!;
      expect(inner.parentSpanId).toBe(server.spanId);
      const client = spans.find((s) => isClientSpan(s) && String(s.tags['http.url']).endsWith(`for=${i}`))!;
      expect(client.parentSpanId).toBe(server.spanId);
      const downstreamSpan = spans.find((s) => isServerSpan(s) && s.tags['http.url'] === `/d?for=${i}`)!;
      expect(downstreamSpan.parentSpanId).toBe(client.spanId);
      expect(byId.get(downstreamSpan.parentSpanId!)?.traceId).toBe(callers[i]);
    }
  }, 60_000);

  it('refuses options that cannot work with a TypeError naming the option', () => {
    expect(() => instrument(tracer, { instrumentations: ['http', 'express' as never] })).toThrow(
      /instrument\(\) options.instrumentations must be an array of instrumentation names \(http, undici\), got "express"/,
    );
    expect(() => instrument(tracer, { ignorePath: [] } as never)).toThrow(/options.ignorePath is not an option/);
    expect(() => instrument(tracer, { captureHeaders: { request: ['bad header'] } })).toThrow(/options.captureHeaders.request must be/);
    expect(() => instrument(tracer, { redactQueryParameters: 'token' as never })).toThrow(/options.redactQueryParameters must be/);
    expect(() => instrument({} as never)).toThrow(/instrument\(\) tracer must be a sextant Tracer/);
  });
});

function getText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}
