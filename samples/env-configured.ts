/**
 * A service configured only by environment variables: the code passes no tracer
 * options; the deployment manifest decides the service name, sampling, propagation
 * and where spans go, with the same OTEL_* variables OpenTelemetry SDKs read.
 *
 *     OTEL_SERVICE_NAME=inventory \
 *     OTEL_RESOURCE_ATTRIBUTES=service.version=1.4.2,deployment.environment=dev \
 *     OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=1 \
 *     OTEL_PROPAGATORS=tracecontext,baggage,b3multi \
 *     OTEL_TRACES_EXPORTER=console \
 *     npx ts-node --transpile-only samples/env-configured.ts
 *
 * With OTEL_TRACES_EXPORTER=otlp (the default) and OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4318
 * the same program ships its spans to an OpenTelemetry Collector, Jaeger or Tempo instead.
 * So that a bare `npx ts-node samples/env-configured.ts` prints something, the lines
 * marked "demo only" fill in the console exporter when nothing was set.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as opentracing from 'opentracing';
import { initTracerFromEnv } from '../lib';

process.env.OTEL_SERVICE_NAME ??= 'inventory'; // demo only
process.env.OTEL_TRACES_EXPORTER ??= 'console'; // demo only

const tracer = initTracerFromEnv();
opentracing.initGlobalTracer(tracer);

// The server side: continue whatever trace the caller's headers carry.
const server = http.createServer((req, res) => {
  const parent = tracer.extract(opentracing.FORMAT_HTTP_HEADERS, req.headers);
  const span = tracer.startSpan(`${req.method} /stock`, {
    childOf: parent ?? undefined,
    ignoreActiveSpan: true, // a request's parent is its caller, never whatever was active here
    tags: { [opentracing.Tags.SPAN_KIND]: opentracing.Tags.SPAN_KIND_RPC_SERVER, 'http.method': req.method },
  });
  tracer.scopeManager().activate(span, () => {
    const query = tracer.startSpan('db.query', { tags: { 'db.statement': 'SELECT count FROM stock WHERE sku = ?' } });
    setTimeout(() => {
      query.finish();
      res.end(JSON.stringify({ sku: 'A-1', count: 7 }));
      span.setTag('http.status_code', 200);
      span.finish();
    }, 5);
  });
});

// The client side: a span per outgoing call, its context injected into the request headers.
async function checkStock(port: number): Promise<string> {
  return tracer.startActiveSpan(
    'check-stock',
    { tags: { [opentracing.Tags.SPAN_KIND]: opentracing.Tags.SPAN_KIND_RPC_CLIENT } },
    (span) => {
      const headers: Record<string, string> = {};
      tracer.inject(span, opentracing.FORMAT_HTTP_HEADERS, headers);
      return new Promise<string>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path: '/stock', headers }, (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (body += chunk));
            res.on('end', () => resolve(body));
          })
          .on('error', reject);
      });
    },
  );
}

server.listen(0, '127.0.0.1', async () => {
  try {
    const body = await checkStock((server.address() as AddressInfo).port);
    console.log(`stock: ${body}`);
  } finally {
    server.close();
    await tracer.close(); // flushes whatever the configured exporter still holds
  }
});
