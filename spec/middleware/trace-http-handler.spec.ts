import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { Socket } from 'node:net';
import express from 'express';
import { InMemoryRecorder, Tracer, traceHttpHandler, type Span } from '../../lib';
import { close, isServerSpan, listen, onlySpan, spansWhen, waitFor } from '../helpers/middleware';

const quiet = { warn: () => undefined };

describe('traceHttpHandler with node:http', () => {
  let recorder: InMemoryRecorder;
  let tracer: Tracer;
  let server: http.Server | null = null;

  beforeEach(() => {
    recorder = new InMemoryRecorder();
    tracer = new Tracer({ serviceName: 'plain', recorder, logger: quiet });
  });
  afterEach(async () => {
    if (server !== null) await close(server);
    server = null;
  });

  async function serve(handler: http.RequestListener): Promise<string> {
    server = http.createServer(handler);
    return listen(server);
  }

  const idOf = (span: Span | null): string | null => (span === null ? null : span.context().spanId);

  it('starts a server span named by method or path template, with the request tags', async () => {
    const base = await serve(
      traceHttpHandler(tracer, (_req, res) => res.end('ok'), { pathTemplates: ['/users/:id', '/users/:id/avatar'] }),
    );

    await (await fetch(`${base}/users/42/avatar?size=64`)).text();
    await (await fetch(`${base}/other/42`, { method: 'PUT' })).text();
    const spans = await spansWhen(recorder, 2);

    expect(spans.map((s) => s.operationName)).toEqual(['GET /users/:id/avatar', 'PUT']);
    expect(spans[0].tags).toMatchObject({
      'span.kind': 'server',
      'http.method': 'GET',
      'http.url': '/users/42/avatar?size=64',
      'http.status_code': 200,
      'peer.ipv4': '127.0.0.1',
    });
    expect(spans[0].tags['peer.port']).toEqual(expect.any(Number));
  });

  it("runs req 'data'/'end' and res listeners with the request's span active", async () => {
    const seen: Record<string, string | null> = {};
    const base = await serve(
      traceHttpHandler(tracer, (req, res) => {
        seen.handler = idOf(tracer.activeSpan());
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          seen.data = idOf(tracer.activeSpan());
        });
        req.once('end', () => {
          seen.end = idOf(tracer.activeSpan());
          res.once('finish', () => {
            seen.finish = idOf(tracer.activeSpan());
          });
          setTimeout(() => {
            seen.timer = idOf(tracer.activeSpan());
            res.end(String(Buffer.concat(chunks).length));
          }, 1);
        });
      }),
    );

    const res = await fetch(`${base}/upload`, { method: 'POST', body: 'y'.repeat(200_000) });
    expect(await res.text()).toBe('200000');
    const [span] = await spansWhen(recorder, 1);

    expect(seen).toEqual({ handler: span.spanId, data: span.spanId, end: span.spanId, timer: span.spanId, finish: span.spanId });
  });

  it('keeps concurrent requests apart and continues upstream traces', async () => {
    const base = await serve(
      traceHttpHandler(tracer, async (req, res) => {
        const n = Number(req.url!.slice(1));
        await new Promise((resolve) => setTimeout(resolve, (n * 5) % 11));
        const child = tracer.startSpan('child', { tags: { n } });
        await new Promise((resolve) => setImmediate(resolve));
        child.finish();
        res.end(String(n));
      }),
    );

    const count = 30;
    const traceIds = Array.from({ length: count }, (_, n) => n.toString(16).padStart(32, 'a'));
    await Promise.all(
      traceIds.map((traceId, n) =>
        fetch(`${base}/${n}`, { headers: { traceparent: `00-${traceId}-${'b'.repeat(15)}${n % 10}-01` } }).then((r) => r.text()),
      ),
    );
    await spansWhen(recorder, count, isServerSpan);

    const spans = recorder.spans();
    for (let n = 0; n < count; n++) {
      const server = spans.find((s) => isServerSpan(s) && s.tags['http.url'] === `/${n}`)!;
      const child = spans.find((s) => s.operationName === 'child' && s.tags.n === n)!;
      expect(server.traceId).toBe(traceIds[n]);
      expect(server.parentSpanId).toBe(`${'b'.repeat(15)}${n % 10}`);
      expect(child.traceId).toBe(traceIds[n]);
      expect(child.parentSpanId).toBe(server.spanId);
    }
  });

  it('answers a throwing or rejecting handler with 500 and records the error', async () => {
    const base = await serve(
      traceHttpHandler(
        tracer,
        (req, res) => {
          res.setHeader('content-length', '1000');
          if (req.url === '/sync') throw new Error('sync failure');
          if (req.url === '/string') return Promise.reject('plain string');
          return (async () => {
            await new Promise((resolve) => setTimeout(resolve, 1));
            throw new Error('async failure');
          })();
        },
        { pathTemplates: ['/sync', '/async', '/string'] },
      ),
    );

    for (const path of ['/sync', '/async', '/string']) {
      const res = await fetch(base + path);
      expect(res.status).toBe(500);
      expect(await res.text()).toBe('Internal Server Error');
    }
    await spansWhen(recorder, 3);

    for (const [name, message] of [
      ['GET /sync', 'sync failure'],
      ['GET /async', 'async failure'],
      ['GET /string', 'plain string'],
    ]) {
      const span = onlySpan(recorder, name);
      expect(span.tags).toMatchObject({ error: true, 'http.status_code': 500 });
      expect(span.logs.find((l) => l.fields.event === 'error')?.fields.message).toBe(message);
    }
  });

  it('cuts the connection when the handler fails after sending headers, and calls onError when given', async () => {
    const failures: string[] = [];
    const base = await serve(
      traceHttpHandler(
        tracer,
        (req, res) => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write('partial ');
          if (req.url === '/custom') throw new Error('custom');
          throw new Error('half way');
        },
        {
          onError: (error, req, res) => {
            failures.push(`${req.url} ${(error as Error).message} ${tracer.activeSpan() !== null}`);
            if (req.url === '/custom') res.end('handled');
            else res.destroy();
          },
        },
      ),
    );

    const body = await (await fetch(`${base}/custom`)).text();
    expect(body).toBe('partial handled');
    await expect(fetch(`${base}/cut`).then((r) => r.text())).rejects.toThrow();
    await spansWhen(recorder, 2);

    expect(failures).toEqual(['/custom custom true', '/cut half way true']);
    expect(recorder.spans().every((s) => s.tags.error === true)).toBe(true);
    expect(recorder.spans().find((s) => s.tags['http.url'] === '/cut')!.tags['http.aborted']).toBe(true);
  });

  it('destroys a half-sent response by default', async () => {
    const base = await serve(
      traceHttpHandler(tracer, (_req, res) => {
        res.writeHead(200);
        res.write('partial');
        throw new Error('after headers');
      }),
    );
    await expect(fetch(base).then((r) => r.text())).rejects.toThrow();
    const [span] = await spansWhen(recorder, 1);
    expect(span.tags).toMatchObject({ error: true, 'http.aborted': true, 'http.status_code': 200 });
  });

  it('finishes and tags an aborted request', async () => {
    let reached = false;
    let closedWith: string | null = null;
    const base = await serve(
      traceHttpHandler(tracer, (_req, res) => {
        reached = true;
        res.on('close', () => {
          closedWith = idOf(tracer.activeSpan());
        });
      }),
    );

    const req = http.get(`${base}/hang`);
    req.on('error', () => undefined);
    await waitFor(() => reached);
    req.destroy();
    const [span] = await spansWhen(recorder, 1);

    expect(span.tags['http.aborted']).toBe(true);
    expect(span.tags['http.status_code']).toBeUndefined();
    expect(closedWith).toBe(span.spanId);
  });

  it('names spans after Express routes when wrapping an Express app', async () => {
    const app = express();
    app.get('/items/:id', (_req, res) => void res.send('item'));
    const base = await serve(traceHttpHandler(tracer, app));

    await (await fetch(`${base}/items/9`)).text();
    const [span] = await spansWhen(recorder, 1);
    expect(span.operationName).toBe('GET /items/:id');
  });

  it('passes `this` through and rejects bad arguments, naming them', async () => {
    const thisValues: unknown[] = [];
    const handler = traceHttpHandler(tracer, function (this: unknown, _req, res) {
      thisValues.push(this);
      res.end();
    });
    const base = await serve(handler);
    await (await fetch(base)).text();
    expect(thisValues).toEqual([server]);

    expect(() => traceHttpHandler(tracer, 'nope' as never)).toThrow(/handler must be a function/);
    expect(() => traceHttpHandler(tracer, () => undefined, { onError: true as never })).toThrow(/options\.onError/);
    expect(() => traceHttpHandler(tracer, () => undefined, { ignorePaths: 5 as never })).toThrow(/traceHttpHandler options\.ignorePaths/);
    expect(() => traceHttpHandler(tracer, () => undefined, { onerror: () => 1 } as never)).toThrow(/options\.onerror is not an option/);
    expect(() => traceHttpHandler(null as never, () => undefined)).toThrow(TypeError);
  });

  it('ends the span of a response no node:http connection carries (as fastify.inject() makes) on its finish event', () => {
    // A ServerResponse on a mock socket publishes no diagnostics_channel message: listeners must end the span.
    const socket = new EventEmitter() as unknown as Socket;
    const req = new http.IncomingMessage(socket);
    req.method = 'GET';
    req.url = '/injected';
    const res = new http.ServerResponse(req);
    traceHttpHandler(tracer, () => undefined)(req, res);
    expect(recorder.spans()).toHaveLength(0);

    res.emit('finish');

    expect(recorder.spans().map((s) => s.tags['http.url'])).toEqual(['/injected']);
  });
});
