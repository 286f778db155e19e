/**
 * One trace from OpenTracing request spans, OpenTelemetry's GraphQL instrumentation and a
 * library instrumented only against `@opentelemetry/api`: sextant is the tracer of both.
 *
 *     npx ts-node --transpile-only samples/opentelemetry-graphql.ts
 *     OTEL_TRACES_EXPORTER=otlp OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4318 npx ts-node --transpile-only samples/opentelemetry-graphql.ts
 *
 * Without OTEL_TRACES_EXPORTER it prints the trace as a tree. Order matters: the tracer and
 * `registerOpenTelemetry` first, then the instrumentation, then the libraries it patches.
 */
import type { AddressInfo } from 'node:net';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { GraphQLInstrumentation } from '@opentelemetry/instrumentation-graphql';
import { ConsoleRecorder, initTracerFromEnv } from '../lib';
import { registerOpenTelemetry } from '../lib/opentelemetry';

const tracer = initTracerFromEnv({
  serviceName: process.env.OTEL_SERVICE_NAME ?? 'books-api',
  ...(process.env.OTEL_TRACES_EXPORTER === undefined ? { recorder: new ConsoleRecorder() } : {}),
});
const otel = registerOpenTelemetry(tracer);
registerInstrumentations({ instrumentations: [new GraphQLInstrumentation()] });

async function main(): Promise<void> {
  // Imported now, after the instrumentation: `graphql` is patched as it loads.
  const { booksServer } = await import('./opentelemetry/books-app');
  const server = booksServer(tracer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tenant': 'acme' },
    body: JSON.stringify({ query: 'query Books { books(author: "Le Guin") { title } }' }),
  });
  console.log(JSON.stringify(await response.json()));
  server.close();
  await tracer.close();
  otel.disable();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
