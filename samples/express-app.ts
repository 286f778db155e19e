/**
 * Tracing an Express app (Express 4 or 5): `tracingMiddleware` first, your routes, then
 * `tracing.errorHandler` before your own error handlers.
 *
 *   - each request gets a server span continuing the caller's trace, named after the
 *     matched route (`GET /orders/:id`), active while the request is handled;
 *   - spans you start in handlers are its children;
 *   - errors passed to `next(error)` (or thrown by Express 5 async handlers) are recorded on it.
 *
 * The program serves two requests on 127.0.0.1, prints their traces, and exits.
 *
 *     npx ts-node --transpile-only samples/express-app.ts
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { ConsoleRecorder, registeredTracer, Tracer, tracingMiddleware } from '../lib';

// Under `node --require sextant/register`, the registered tracer already exports every
// request's span: use it, so this app's own spans go to the same place, in the same trace.
const tracer = registeredTracer() ?? new Tracer({ serviceName: 'orders', recorder: new ConsoleRecorder() });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const app = express();
const tracing = tracingMiddleware(tracer, { ignorePaths: ['/healthz'] });
app.use(tracing);

app.get('/orders/:id', async (req, res) => {
  const order = await tracer.startActiveSpan('db.load-order', async (span) => {
    span.setTag('db.system', 'postgresql');
    await sleep(5);
    return { id: req.params.id, total: 42 };
  });
  res.json(order);
});

app.post('/orders/:id/refund', async () => {
  await sleep(1);
  throw new Error('refunds are closed on Sundays'); // Express 5 passes it to the error handlers
});

app.use(tracing.errorHandler); // records the error on the request's span, then passes it on
app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
  res.status(500).json({ error: error.message });
});

async function main(): Promise<void> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    console.log('GET  /orders/42        ->', (await fetch(`${base}/orders/42`)).status);
    console.log('POST /orders/42/refund ->', (await fetch(`${base}/orders/42/refund`, { method: 'POST' })).status);
  } finally {
    server.close();
    server.closeAllConnections();
    await tracer.close(); // flushes what is still buffered
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
