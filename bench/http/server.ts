/**
 * W6's server process: a `node:http` server answering a small JSON response, either
 * untraced, inside a bare `AsyncLocalStorage.run()` (the floor under async-context
 * tracing), traced by sextant's `traceHttpHandler`, or traced by OpenTelemetry's own
 * `@opentelemetry/instrumentation-http`. Both tracers feed a discarding exporter
 * through their batching path. `node -r ./bench/register.js bench/http/server.ts <mode>`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveCommands } from '../harness/child';
import { ExportValve } from '../peers/export-valve';
import { SpanSink } from '../peers/peer';

export type ServerMode = 'untraced' | 'als' | 'sextant' | 'otel';

const BODY = JSON.stringify({ ok: true, service: 'bench', items: [1, 2, 3] });
const BODY_LENGTH = String(Buffer.byteLength(BODY));

let served = 0;

function answer(_req: IncomingMessage, res: ServerResponse): void {
  served++;
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': BODY_LENGTH });
  res.end(BODY);
}

interface Traced {
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  sink: SpanSink | null;
  flush(): Promise<void>;
  close(): Promise<void>;
}

async function untraced(): Promise<Traced> {
  return { handler: answer, sink: null, flush: async () => undefined, close: async () => undefined };
}

/** Not a tracer: the bare AsyncLocalStorage.run() every async-context tracer stands on. */
async function alsFloor(): Promise<Traced> {
  const { AsyncLocalStorage } = await import('node:async_hooks');
  const storage = new AsyncLocalStorage<{ request: number }>();
  let requests = 0;
  const handler = (req: IncomingMessage, res: ServerResponse) => storage.run({ request: requests++ }, answer, req, res);
  return { handler, sink: null, flush: async () => undefined, close: async () => undefined };
}

async function sextantTraced(): Promise<Traced> {
  const { Tracer, BatchRecorder, traceHttpHandler } = await import('../../lib');
  const { discardingExporter } = await import('../peers/sextant');
  const sink = new SpanSink();
  const tracer = new Tracer({ serviceName: 'bench', recorder: new BatchRecorder(discardingExporter(sink, new ExportValve(false))) });
  return { handler: traceHttpHandler(tracer, answer), sink, flush: () => tracer.flush(), close: () => tracer.close() };
}

/** OpenTelemetry's documented Node set-up; instrumentation must be registered before `http` loads. */
async function otelTraced(): Promise<Traced> {
  const { NodeTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-node');
  const { registerInstrumentations } = await import('@opentelemetry/instrumentation');
  const { HttpInstrumentation } = await import('@opentelemetry/instrumentation-http');
  const { DiscardingSpanExporter } = await import('../peers/otel-pipeline');
  const sink = new SpanSink();
  const provider = new NodeTracerProvider({
    spanProcessors: [new BatchSpanProcessor(new DiscardingSpanExporter(sink, new ExportValve(false)))],
  });
  provider.register();
  registerInstrumentations({ tracerProvider: provider, instrumentations: [new HttpInstrumentation()] });
  return { handler: answer, sink, flush: () => provider.forceFlush(), close: () => provider.shutdown() };
}

async function main(): Promise<void> {
  const mode = process.argv[2] as ServerMode;
  const setUp = { untraced, als: alsFloor, sextant: sextantTraced, otel: otelTraced }[mode];
  if (setUp === undefined) throw new Error(`unknown server mode ${mode}`);
  const traced = await setUp();
  const http = await import('node:http');
  const server = http.createServer(traced.handler);
  server.keepAliveTimeout = 60_000;

  serveCommands(async (message) => {
    switch (message.cmd) {
      case 'listen':
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        return (server.address() as { port: number }).port;
      case 'capture':
        traced.sink?.startCapture();
        return null;
      case 'captured':
        await traced.flush();
        return traced.sink?.stopCapture() ?? [];
      case 'counts':
        // Every request answered must have reached the exporter (traced modes).
        await traced.flush();
        return { served, exported: traced.sink?.exported ?? null };
      case 'usage': {
        // CPU time used so far (user + system, µs) and requests answered: the server's own cost per request.
        const usage = process.cpuUsage();
        return { served, cpuMicros: usage.user + usage.system };
      }
      case 'close':
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await traced.close();
        setImmediate(() => process.exit(0));
        return null;
      default:
        throw new Error(`unknown command ${String(message.cmd)}`);
    }
  });
}

void main();
