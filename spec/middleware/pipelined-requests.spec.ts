import http from 'node:http';
import net from 'node:net';
import express from 'express';
import { InMemoryRecorder, instrument, Tracer, traceHttpHandler, tracingMiddleware, type Instrumentation } from '../../lib';
import { close, listen, spansWhen, waitFor } from '../helpers/middleware';

/*
 * Issue 11 item 8: when a pipelined connection closes, Node emits 'close' on the queued
 * requests' req (not even that, when their body was read) but never 'close' or 'finish'
 * on their res (before Node 22): their spans must still finish.
 */
describe('server spans on a pipelined connection the client closes', () => {
  let recorder: InMemoryRecorder;
  let tracer: Tracer;
  let server: http.Server | null = null;
  let tracing: Instrumentation | null = null;
  let arrived = 0;

  beforeEach(() => {
    recorder = new InMemoryRecorder();
    tracer = new Tracer({ serviceName: 'pipelined', recorder, logger: { warn: () => undefined } });
    arrived = 0;
  });
  afterEach(async () => {
    tracing?.disable();
    tracing = null;
    if (server !== null) await close(server);
    server = null;
  });

  /** Sends five pipelined GETs on one socket and closes it before any answer. */
  async function pipelineAndHangUp(base: string): Promise<void> {
    const { port } = new URL(base);
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(Array.from({ length: 5 }, (_, i) => `GET /r${i + 1} HTTP/1.1\r\nHost: x\r\n\r\n`).join(''));
    await waitFor(() => arrived === 5);
    socket.destroy();
  }

  // Each handler answers only after the client is gone; 'consume' reads the (empty) body first,
  // which closes req early on its own.
  const slowHandler =
    (consume: boolean) =>
    (req: http.IncomingMessage, res: http.ServerResponse): void => {
      arrived++;
      if (consume) req.resume();
      setTimeout(() => {
        if (!res.destroyed) res.end('late');
      }, 150);
    };

  const entryPoints: [string, (consume: boolean) => http.RequestListener][] = [
    ['traceHttpHandler', (consume) => traceHttpHandler(tracer, slowHandler(consume))],
    [
      'tracingMiddleware',
      (consume) => {
        const app = express();
        app.use(tracingMiddleware(tracer));
        app.use(slowHandler(consume));
        return app;
      },
    ],
    [
      'instrument()',
      (consume) => {
        tracing = instrument(tracer, { instrumentations: ['http'] });
        return slowHandler(consume);
      },
    ],
  ];

  describe.each(entryPoints)('%s', (_name, makeHandler) => {
    it.each([false, true])('finishes 5 of 5 spans, tagged aborted (body read: %s)', async (consume) => {
      server = http.createServer(makeHandler(consume));
      const base = await listen(server);

      await pipelineAndHangUp(base);
      const spans = await spansWhen(recorder, 5);

      expect(spans.map((s) => s.tags['http.url']).sort()).toEqual(['/r1', '/r2', '/r3', '/r4', '/r5']);
      expect(spans.every((s) => s.tags['http.aborted'] === true)).toBe(true);
      expect(spans.every((s) => s.tags['http.status_code'] === undefined)).toBe(true);
    });
  });
});
