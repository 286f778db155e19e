/**
 * Two services, one trace: the context-propagation example of the OpenTelemetry docs.
 *
 * Service A handles GET /greet: it sets the baggage item hello=world and calls service B
 * over HTTP with its context injected. Service B extracts that context, continues the
 * trace, and reads the baggage. Both run in this process on 127.0.0.1 (ephemeral ports)
 * and share one ConsoleRecorder, so the combined trace prints as one tree:
 *
 *     npx ts-node --transpile-only samples/two-services.ts
 *
 * In real life each service has its own tracer and its own process; nothing below relies
 * on their sharing one.
 */
import * as http from 'node:http';
import * as opentracing from 'opentracing';
import { ConsoleRecorder, Tracer } from '../lib';
import type { Recorder } from '../lib';

/** Service B: continues the caller's trace and answers with the baggage it received. */
function serviceB(tracer: Tracer): http.Server {
  return http.createServer((req, res) => {
    const parent = tracer.extract(opentracing.FORMAT_HTTP_HEADERS, req.headers);
    tracer.startActiveSpan('GET /hello', { childOf: parent ?? undefined, tags: { 'span.kind': 'server' } }, (span) => {
      const hello = span.getBaggageItem('hello') ?? '(no baggage)';
      tracer.startActiveSpan('compose greeting', (child) => child.setTag('greeting.word', hello));
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`hello ${hello}\n`);
    });
  });
}

/** GETs `url` with `headers`; resolves with the response body. */
function get(url: string, headers: http.OutgoingHttpHeaders = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(body));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** Service A: sets baggage hello=world and calls service B with the context injected. */
function serviceA(tracer: Tracer, serviceBUrl: string): http.Server {
  return http.createServer((req, res) => {
    const parent = tracer.extract(opentracing.FORMAT_HTTP_HEADERS, req.headers);
    void tracer.startActiveSpan('GET /greet', { childOf: parent ?? undefined, tags: { 'span.kind': 'server' } }, async (span) => {
      span.setBaggageItem('hello', 'world');
      const answer = await tracer.startActiveSpan('call service B', { tags: { 'span.kind': 'client' } }, (client) => {
        const headers: Record<string, string> = {};
        tracer.inject(client, opentracing.FORMAT_HTTP_HEADERS, headers);
        return get(serviceBUrl, headers);
      });
      res.writeHead(200, { 'content-type': 'text/plain' }).end(answer);
    });
  });
}

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}`));
  });
}

function close(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Starts both services, sends one request to A, prints the trace, and stops everything.
 * Resolves with A's answer.
 *
 *     await runTwoServices(); // prints the trace tree of service-a and service-b
 */
export async function runTwoServices(recorder: Recorder = new ConsoleRecorder()): Promise<string> {
  const tracerA = new Tracer({ serviceName: 'service-a', recorder });
  const tracerB = new Tracer({ serviceName: 'service-b', recorder });
  const b = serviceB(tracerB);
  const a = serviceA(tracerA, `${await listen(b)}/hello`);
  try {
    return await get(`${await listen(a)}/greet`);
  } finally {
    await Promise.all([close(a), close(b)]);
    await tracerB.close();
    await tracerA.close();
  }
}

if (require.main === module) {
  runTwoServices()
    .then((answer) => console.log(`service A answered: ${answer.trim()}`))
    .catch((error) => {
      console.error(error);
      process.exitCode = 1;
    });
}
