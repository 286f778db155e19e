/**
 * Sends a small trace to an OTLP/HTTP endpoint: Jaeger, Grafana Tempo, or an
 * OpenTelemetry Collector (all listen for OTLP/HTTP on port 4318, path /v1/traces).
 *
 *     npx ts-node --transpile-only samples/otlp-export.ts                       # http://127.0.0.1:4318/v1/traces
 *     npx ts-node --transpile-only samples/otlp-export.ts http://collector:4318/v1/traces
 *     OTLP_HEADERS='authorization=Bearer abc' npx ts-node --transpile-only samples/otlp-export.ts https://otlp.example.com/v1/traces
 *
 * It prints the trace id to search for, and what the recorder's stats say happened.
 * With nothing listening it still ends, within a few seconds, and says the spans failed.
 */
import { BatchRecorder, OtlpHttpExporter, Tracer } from '../lib';

const url = process.argv[2] ?? process.env.OTLP_TRACES_URL ?? 'http://127.0.0.1:4318/v1/traces';

/** `key=value,key2=value2`, as in OTEL_EXPORTER_OTLP_HEADERS. */
function parseHeaders(text: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (text ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at > 0) headers[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return headers;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const exporter = new OtlpHttpExporter({ url, headers: parseHeaders(process.env.OTLP_HEADERS), compression: 'gzip', timeoutMillis: 2000 });
  const recorder = new BatchRecorder(exporter, {
    scheduledDelayMillis: 1000,
    // Keep the sample short even when the endpoint is down; a service would keep the 30 s default.
    exportTimeoutMillis: 4000,
    // Ctrl-C while the sample runs still sends what was recorded.
    flushOnExit: true,
  });
  const tracer = new Tracer({
    serviceName: 'otlp-export-sample',
    recorder,
    tags: { 'service.version': '1.0.0', 'deployment.environment.name': 'dev' },
  });

  let traceId = '';
  await tracer.startActiveSpan(
    'POST /checkout',
    { tags: { 'span.kind': 'server', 'http.method': 'POST', 'http.route': '/checkout' } },
    async (root) => {
      traceId = root.context().toTraceId();
      await tracer.startActiveSpan('load-cart', async (span) => {
        span.setTag('cart.items', 3);
        await sleep(15);
      });
      await tracer.startActiveSpan('charge-card', { tags: { 'span.kind': 'client', 'peer.service': 'payments' } }, async (span) => {
        await sleep(25);
        span.log({ event: 'card-authorised', amount: 42.5 });
      });
      root.setTag('http.status_code', 200);
    },
  );

  // Sends what is queued, then shuts the exporter down. Never rejects.
  await tracer.close();
  const stats = recorder.stats();
  console.log(`trace ${traceId} → ${url}`);
  console.log(`spans exported: ${stats.exported}, failed: ${stats.failed}, dropped: ${stats.dropped}, requests: ${stats.exportRequests}`);
  if (stats.lastError !== undefined) console.log(`last error: ${stats.lastError}`);
}

void main();
