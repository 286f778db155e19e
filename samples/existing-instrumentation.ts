/**
 * Existing OpenTracing instrumentation, unchanged, recording through sextant.
 *
 * The app below is instrumented with the `express-opentracing` package from npm exactly
 * as its README shows: the middleware uses `opentracing.globalTracer()`, and handlers
 * start child spans from `req.span`. Nothing in it knows about sextant; the only
 * sextant line is `opentracing.initGlobalTracer(tracer)` at startup.
 *
 * Note: `opentracing.globalTracer()` forwards only startSpan, inject and extract, which
 * is all such instrumentation uses. Scope helpers (activeSpan, startActiveSpan,
 * scopeManager) need the sextant `Tracer` instance itself.
 *
 * express-opentracing finishes each span on both the response's 'finish' and 'close'
 * events. sextant records the span once, ignores the second finish() and the tags and
 * logs that come with it, and warns about that misuse once per kind.
 *
 *     npx ts-node --transpile-only samples/existing-instrumentation.ts
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import * as opentracing from 'opentracing';
import { ConsoleRecorder, Tracer } from '../lib';

// express-opentracing ships no type declarations; this is its documented default export.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const middleware = require('express-opentracing').default as (options?: { tracer?: opentracing.Tracer }) => express.RequestHandler;

/** The existing app: OpenTracing instrumentation only, no sextant. */
function existingApp(): express.Express {
  const app = express();
  app.use(middleware());
  app.get('/orders/:id', (req, res) => {
    const span = (req as typeof req & { span: opentracing.Span }).span;
    const query = opentracing.globalTracer().startSpan('db.load-order', { childOf: span });
    query.setTag(opentracing.Tags.DB_TYPE, 'sql');
    query.finish();
    res.json({ id: req.params.id, status: 'shipped' });
  });
  return app;
}

/**
 * Installs sextant as the global tracer, sends the existing app one request with an
 * upstream W3C `traceparent`, prints the trace, and shuts down.
 */
export async function runExistingInstrumentation(write: (text: string) => void = (text) => void process.stdout.write(text)): Promise<void> {
  // sextant's own warnings normally go to console.warn; collected here to print them after the trace.
  const warnings: string[] = [];
  const logger = { warn: (message: string) => void warnings.push(message) };
  const tracer = new Tracer({ serviceName: 'orders', recorder: new ConsoleRecorder({ write }), logger });
  opentracing.initGlobalTracer(tracer);

  const server = http.createServer(existingApp());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const upstream = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const response = await fetch(`${url}/orders/1001`, { headers: { traceparent: upstream } });
    write(`app answered: ${await response.text()}\n`);
    write(`response traceparent (injected by express-opentracing through sextant): ${response.headers.get('traceparent')}\n`);
  } finally {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    // The trace continues an upstream one, so its root is elsewhere: close() prints it now.
    await tracer.close();
    opentracing.initGlobalTracer(new opentracing.Tracer());
  }
  if (warnings.length > 0) write(`\nsextant warnings (each kind once):\n${warnings.map((w) => `  ${w}\n`).join('')}`);
}

if (require.main === module) {
  runExistingInstrumentation().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
