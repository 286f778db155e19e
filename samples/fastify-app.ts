/**
 * Tracing a Fastify app (Fastify 4 or 5): register `fastifyTracing` first. It applies to
 * the whole instance, encapsulated plugins included (no fastify-plugin needed).
 *
 *   - each request gets a server span continuing the caller's trace, named after the
 *     route (`GET /orders/:id`, prefixes included), active in the hooks after onRequest,
 *     in body parsing, in the handler and in the async work it starts;
 *   - spans you start there are its children;
 *   - errors that reach Fastify's onError hook are recorded on it.
 *
 * The program serves two requests on 127.0.0.1, prints their traces, and exits.
 *
 *     npx ts-node --transpile-only samples/fastify-app.ts
 */
import Fastify from 'fastify';
import { ConsoleRecorder, fastifyTracing, registeredTracer, Tracer } from '../lib';

// Under `node --require sextant/register`, the registered tracer already exports every
// request's span: use it, so this app's own spans go to the same place, in the same trace.
const tracer = registeredTracer() ?? new Tracer({ serviceName: 'orders', recorder: new ConsoleRecorder() });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const app = Fastify();
  await app.register(fastifyTracing(tracer, { ignorePaths: ['/healthz'] }));

  await app.register(
    async (orders) => {
      orders.get<{ Params: { id: string } }>('/:id', async (request) =>
        tracer.startActiveSpan('db.load-order', async (span) => {
          span.setTag('db.system', 'postgresql');
          await sleep(5);
          return { id: request.params.id, total: 42 };
        }),
      );
      orders.post('/:id/refund', async () => {
        await sleep(1);
        throw new Error('refunds are closed on Sundays');
      });
    },
    { prefix: '/orders' },
  );

  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    console.log('GET  /orders/42        ->', (await fetch(`${base}/orders/42`)).status);
    console.log('POST /orders/42/refund ->', (await fetch(`${base}/orders/42/refund`, { method: 'POST' })).status);
  } finally {
    await app.close();
    await tracer.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
