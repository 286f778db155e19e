/**
 * Tracing a Koa app (Koa 2 or 3) with @koa/router: `koaTracing` first, then the router.
 *
 *   - each request gets a server span continuing the caller's trace, named after the
 *     route the router matched (`GET /orders/:id`), active in every middleware after it;
 *   - spans you start in middleware and routes are its children, across awaits;
 *   - an error thrown downstream is recorded on it (message and stack) and re-thrown, so
 *     Koa still answers it; an error middleware that answers errors itself records them
 *     with `recordError`.
 *
 * The program serves two requests on 127.0.0.1, prints their traces, and exits.
 *
 *     npx ts-node --transpile-only samples/koa-app.ts
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import { ConsoleRecorder, koaTracing, recordError, registeredTracer, requestSpan, Tracer } from '../lib';

// Under `node --require sextant/register`, the registered tracer already exports every
// request's span: use it, so this app's own spans go to the same place, in the same trace.
const tracer = registeredTracer() ?? new Tracer({ serviceName: 'orders', recorder: new ConsoleRecorder() });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const app = new Koa();
app.use(koaTracing(tracer, { ignorePaths: ['/healthz'] }));

// An error middleware that answers errors itself: koaTracing (before it) never sees them
// thrown, so record them here. The request's span is active, and requestSpan(ctx.req) names it.
app.use(async (ctx, next) => {
  try {
    await next();
  } catch (error) {
    recordError(requestSpan(ctx.req)!, error);
    ctx.status = 500;
    ctx.body = { error: (error as Error).message };
  }
});

const router = new Router({ prefix: '/orders' });
router.get('/:id', async (ctx) => {
  ctx.body = await tracer.startActiveSpan('db.load-order', async (span) => {
    span.setTag('db.system', 'postgresql');
    await sleep(5);
    return { id: ctx.params.id, total: 42 };
  });
});
router.post('/:id/refund', async () => {
  await sleep(1);
  throw new Error('refunds are closed on Sundays');
});
app.use(router.routes());
app.use(router.allowedMethods());

async function main(): Promise<void> {
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    console.log('GET  /orders/42        ->', (await fetch(`${base}/orders/42`)).status);
    console.log('POST /orders/42/refund ->', (await fetch(`${base}/orders/42/refund`, { method: 'POST' })).status);
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
