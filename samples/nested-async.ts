/**
 * Nested async work with startActiveSpan: every span started inside the callback,
 * across awaits, timers and Promise.all, becomes a child of the active one.
 * The ConsoleRecorder prints the trace as a tree when the root finishes.
 *
 *     npx ts-node --transpile-only samples/nested-async.ts
 */
import { ConsoleRecorder, Tracer } from '../lib';

const tracer = new Tracer({ serviceName: 'catalog', recorder: new ConsoleRecorder() });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function loadProduct(id: number): Promise<{ id: number; price: number }> {
  return tracer.startActiveSpan('load-product', { tags: { 'product.id': id } }, async () => {
    await tracer.startActiveSpan('cache-lookup', async (span) => {
      await sleep(2);
      span.setTag('cache.hit', false);
    });
    await tracer.startActiveSpan('db-query', async () => sleep(5 + id));
    return { id, price: 100 * id };
  });
}

async function main(): Promise<void> {
  const total = await tracer.startActiveSpan('GET /basket', async (span) => {
    const products = await Promise.all([1, 2, 3].map(loadProduct));
    await tracer.startActiveSpan('render', async () => sleep(3));
    const sum = products.reduce((acc, p) => acc + p.price, 0);
    span.setTag('basket.total', sum);
    return sum;
  });
  console.log(`basket total: ${total}`);
  await tracer.close();
}

void main();
