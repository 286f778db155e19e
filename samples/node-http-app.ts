/**
 * Tracing a plain `node:http` server: wrap the request handler in `traceHttpHandler`.
 *
 *   - each request gets a server span continuing the caller's trace, active for the whole
 *     handler (across awaits, and in `req`/`res` listeners); with no router to ask, it is
 *     named from `pathTemplates` (`GET /orders/:id`), else from the method alone;
 *   - a throw or rejection from the handler is recorded and answered with a 500;
 *   - an error the handler catches and answers itself is recorded with `recordError`.
 *
 * The program serves three requests on 127.0.0.1, prints their traces, and exits.
 *
 *     npx ts-node --transpile-only samples/node-http-app.ts
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConsoleRecorder, recordError, registeredTracer, requestSpan, traceHttpHandler, Tracer } from '../lib';

// Under `node --require sextant/register`, the registered tracer already exports every
// request's span: use it, so this app's own spans go to the same place, in the same trace.
const tracer = registeredTracer() ?? new Tracer({ serviceName: 'orders', recorder: new ConsoleRecorder() });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function chargeCard(orderId: string): Promise<void> {
  await sleep(1);
  throw new Error(`card declined for order ${orderId}`);
}

const handler = traceHttpHandler(
  tracer,
  async (req, res) => {
    const match = /^\/orders\/([^/?]+)(\/refund|\/pay)?/.exec(req.url ?? '');
    if (match === null) return void res.writeHead(404).end();
    const [, id, action] = match;
    if (action === '/refund') throw new Error('refunds are closed on Sundays'); // recorded, answered 500
    if (action === '/pay') {
      try {
        await chargeCard(id);
      } catch (error) {
        recordError(requestSpan(req)!, error); // handled here, so record it yourself
        return void res.writeHead(402, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'payment required' }));
      }
    }
    const order = await tracer.startActiveSpan('db.load-order', async () => {
      await sleep(5);
      return { id, total: 42 };
    });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(order));
  },
  { pathTemplates: ['/orders/:id', '/orders/:id/refund', '/orders/:id/pay'] },
);

async function main(): Promise<void> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    console.log('GET  /orders/42        ->', (await fetch(`${base}/orders/42`)).status);
    console.log('POST /orders/42/refund ->', (await fetch(`${base}/orders/42/refund`, { method: 'POST' })).status);
    console.log('POST /orders/42/pay    ->', (await fetch(`${base}/orders/42/pay`, { method: 'POST' })).status);
  } finally {
    server.close();
    server.closeAllConnections();
    await tracer.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
