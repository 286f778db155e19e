/**
 * W6's server process: a `node:http` server answering a small JSON response, either
 * untraced, inside a bare `AsyncLocalStorage.run()` (the floor under async-context
 * tracing), traced by sextant (hand-wired `traceHttpHandler`, or zero-code `instrument()`
 * as `sextant/register` sets it up), by OpenTelemetry's own `@opentelemetry/instrumentation-http`
 * (and `-undici`), or by dd-trace (`--require dd-trace/init`, exporting to a loopback
 * sink). The `-fetch` modes also make one outbound `fetch` per request to a downstream
 * process before answering. sextant and OpenTelemetry feed a discarding exporter through
 * their batching path; dd-trace encodes and sends to the sink, as it would to its agent.
 *
 * Helper processes: `downstream` (what the `-fetch` modes call; it remembers the last
 * trace header it got) and `sink` (dd-trace's agent stand-in: reads and discards).
 *
 * `node -r ./bench/register.js bench/http/server.ts <mode>`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveCommands } from '../harness/child';
import { ExportValve } from '../peers/export-valve';
import { SpanSink } from '../peers/peer';

import type { ServerMode } from './modes';

export type { ServerMode } from './modes';
type HelperMode = 'downstream' | 'sink';

const BODY = JSON.stringify({ ok: true, service: 'bench', items: [1, 2, 3] });
const BODY_LENGTH = String(Buffer.byteLength(BODY));

let served = 0;
/** -fetch modes: requests between their fetch and their answer (a count must not catch one half done) */
let fetching = 0;
/** set by `listen` for the -fetch modes */
let downstreamUrl = '';
/** what fetch the -fetch modes call through (sextant's hand-wired mode wraps it) */
let outbound: (url: string) => Promise<Response> = (url) => fetch(url);

function answer(_req: IncomingMessage, res: ServerResponse): void {
  served++;
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': BODY_LENGTH });
  res.end(BODY);
}

function answerAfterFetch(req: IncomingMessage, res: ServerResponse): void {
  fetching++;
  outbound(downstreamUrl).then(
    async (response) => {
      await response.arrayBuffer();
      fetching--;
      answer(req, res);
    },
    () => {
      fetching--;
      res.statusCode = 502;
      res.end();
    },
  );
}

/** Resolves once no request is between its fetch and its answer (at most `limitMillis`). */
async function settled(limitMillis: number): Promise<void> {
  const deadline = Date.now() + limitMillis;
  while (fetching > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
}

interface Traced {
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  sink: SpanSink | null;
  /** spans exported per request answered (server span, plus a client span with a fetch) */
  spansPerRequest: number;
  flush(): Promise<void>;
  close(): Promise<void>;
}

type Handler = Traced['handler'];
const NOTHING = async (): Promise<void> => undefined;

async function untraced(handler: Handler): Promise<Traced> {
  return { handler, sink: null, spansPerRequest: 0, flush: NOTHING, close: NOTHING };
}

/** Not a tracer: the bare AsyncLocalStorage.run() every async-context tracer stands on. */
async function alsFloor(handler: Handler): Promise<Traced> {
  const { AsyncLocalStorage } = await import('node:async_hooks');
  const storage = new AsyncLocalStorage<{ request: number }>();
  let requests = 0;
  const floor = (req: IncomingMessage, res: ServerResponse) => storage.run({ request: requests++ }, handler, req, res);
  return { handler: floor, sink: null, spansPerRequest: 0, flush: NOTHING, close: NOTHING };
}

async function sextantTracer() {
  const { Tracer, BatchRecorder } = await import('../../lib');
  const { discardingExporter } = await import('../peers/sextant');
  const sink = new SpanSink();
  const tracer = new Tracer({ serviceName: 'bench', recorder: new BatchRecorder(discardingExporter(sink, new ExportValve(false))) });
  return { tracer, sink };
}

/** Hand-wired: traceHttpHandler around the handler, tracedFetch for the outbound call. */
async function sextantTraced(handler: Handler, withFetch: boolean): Promise<Traced> {
  const { traceHttpHandler, tracedFetch } = await import('../../lib');
  const { tracer, sink } = await sextantTracer();
  if (withFetch) {
    const traced = tracedFetch(tracer);
    outbound = (url) => traced(url);
  }
  const spansPerRequest = withFetch ? 2 : 1;
  return { handler: traceHttpHandler(tracer, handler), sink, spansPerRequest, flush: () => tracer.flush(), close: () => tracer.close() };
}

/** Zero-code: what `sextant/register` sets up (instrument() on the tracer), the handler untouched. */
async function sextantZeroCode(handler: Handler, withFetch: boolean): Promise<Traced> {
  const { instrument } = await import('../../lib');
  const { tracer, sink } = await sextantTracer();
  instrument(tracer);
  const spansPerRequest = withFetch ? 2 : 1;
  return { handler, sink, spansPerRequest, flush: () => tracer.flush(), close: () => tracer.close() };
}

/** OpenTelemetry's documented Node set-up; instrumentation must be registered before `http` loads. */
async function otelTraced(handler: Handler, withFetch: boolean): Promise<Traced> {
  const { NodeTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-node');
  const { registerInstrumentations } = await import('@opentelemetry/instrumentation');
  const { HttpInstrumentation } = await import('@opentelemetry/instrumentation-http');
  const { UndiciInstrumentation } = await import('@opentelemetry/instrumentation-undici');
  const { DiscardingSpanExporter } = await import('../peers/otel-pipeline');
  const sink = new SpanSink();
  const provider = new NodeTracerProvider({
    spanProcessors: [new BatchSpanProcessor(new DiscardingSpanExporter(sink, new ExportValve(false)))],
  });
  provider.register();
  registerInstrumentations({ tracerProvider: provider, instrumentations: [new HttpInstrumentation(), new UndiciInstrumentation()] });
  const spansPerRequest = withFetch ? 2 : 1;
  return { handler, sink, spansPerRequest, flush: () => provider.forceFlush(), close: () => provider.shutdown() };
}

/**
 * dd-trace, started by `--require dd-trace/init` (w6.ts passes the flag and its DD_*
 * environment): nothing to set up here. Its spans go to the sink process in msgpack,
 * so they are not counted; verification checks its trace reaches the downstream instead.
 */
async function ddTraced(handler: Handler): Promise<Traced> {
  return { handler, sink: null, spansPerRequest: 0, flush: NOTHING, close: NOTHING };
}

const SET_UP: Record<ServerMode, () => Promise<Traced>> = {
  untraced: () => untraced(answer),
  als: () => alsFloor(answer),
  sextant: () => sextantTraced(answer, false),
  'sextant-zero': () => sextantZeroCode(answer, false),
  otel: () => otelTraced(answer, false),
  ddtrace: () => ddTraced(answer),
  'untraced-fetch': () => untraced(answerAfterFetch),
  'sextant-fetch': () => sextantTraced(answerAfterFetch, true),
  'sextant-zero-fetch': () => sextantZeroCode(answerAfterFetch, true),
  'otel-fetch': () => otelTraced(answerAfterFetch, true),
  'ddtrace-fetch': () => ddTraced(answerAfterFetch),
};

/** The downstream the -fetch modes call: answers at once and keeps the last trace header it saw. */
function downstreamHandler(state: { lastTraceparent: string | null }): Handler {
  return (req, res) => {
    const header = req.headers.traceparent;
    state.lastTraceparent = typeof header === 'string' ? header : null;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' });
    res.end('{}');
  };
}

/** dd-trace's agent stand-in: reads every request to the end and answers 200. */
function sinkHandler(state: { requests: number }): Handler {
  return (req, res) => {
    req.resume();
    req.on('end', () => {
      state.requests++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"rate_by_service":{}}');
    });
  };
}

async function main(): Promise<void> {
  const mode = process.argv[2] as ServerMode | HelperMode;
  const downstream = { lastTraceparent: null as string | null };
  const sinkState = { requests: 0 };
  let traced: Traced;
  if (mode === 'downstream') traced = await untraced(downstreamHandler(downstream));
  else if (mode === 'sink') traced = await untraced(sinkHandler(sinkState));
  else {
    const setUp = SET_UP[mode];
    if (setUp === undefined) throw new Error(`unknown server mode ${mode}`);
    traced = await setUp();
  }
  const http = await import('node:http');
  const server = http.createServer(traced.handler);
  server.keepAliveTimeout = 60_000;

  serveCommands(async (message) => {
    switch (message.cmd) {
      case 'listen':
        if (typeof message.downstream === 'number') downstreamUrl = `http://127.0.0.1:${message.downstream}/`;
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
        await settled(2000);
        await traced.flush();
        return { served, exported: traced.sink?.exported ?? null, spansPerRequest: traced.spansPerRequest };
      case 'last-traceparent':
        return downstream.lastTraceparent;
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
