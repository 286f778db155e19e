/**
 * The service the W3C Trace Context test suite drives (repository w3c/trace-context,
 * folder test/). For each `{ url, arguments }` in the JSON array POSTed to /test, it POSTs
 * `arguments` to `url` with the context of a child span injected, and answers once every
 * callback is done.
 *
 * Run it, then point the suite at the address it prints:
 *
 *     npx ts-node --transpile-only samples/w3c-test-service.ts
 *     STRICT_LEVEL=2 SPEC_LEVEL=2 python3 test.py http://127.0.0.1:PORT/test
 *
 * or let it run the suite itself and exit with the suite's status:
 *
 *     W3C_TEST_PY=/path/to/trace-context/test/test.py npx ts-node --transpile-only samples/w3c-test-service.ts
 *
 * It listens on 127.0.0.1 (PORT, default an ephemeral port), calls back only to loopback
 * addresses, and exits on its own after IDLE_EXIT_MS (default 15000) without a request.
 */
import * as http from 'node:http';
import { spawn } from 'node:child_process';
import * as opentracing from 'opentracing';
import { Tracer } from '../lib';
import type { Span } from '../lib';

const MAX_BODY_BYTES = 1 << 20;
const CALLBACK_TIMEOUT_MS = 5000;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

interface Action {
  url: string;
  arguments: unknown;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy(new Error('request body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function actionsOf(body: string): Action[] {
  const parsed: unknown = JSON.parse(body);
  if (!Array.isArray(parsed)) throw new Error('expected a JSON array');
  return parsed.map((item: unknown) => {
    const { url, arguments: args } = (item ?? {}) as { url?: unknown; arguments?: unknown };
    if (typeof url !== 'string') throw new Error('every action needs a url');
    const target = new URL(url);
    // A test helper must not become a way to reach other hosts.
    if (target.protocol !== 'http:' || !LOOPBACK.has(target.hostname)) throw new Error(`refusing to call ${target.host}`);
    return { url, arguments: args ?? [] };
  });
}

/** POSTs `action.arguments` to `action.url` with `span`'s context in the headers. */
function callBack(tracer: Tracer, span: Span, action: Action): Promise<void> {
  const body = JSON.stringify(action.arguments);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
  tracer.inject(span, opentracing.FORMAT_HTTP_HEADERS, headers);
  return new Promise((resolve, reject) => {
    const req = http.request(action.url, { method: 'POST', headers, timeout: CALLBACK_TIMEOUT_MS }, (res) => {
      res.resume();
      res.on('end', resolve);
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('callback timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Starts the test service on 127.0.0.1. Resolves with the server once it listens.
 *
 *     const server = await startW3CTestService(new Tracer({ serviceName: 'w3c' }));
 */
export function startW3CTestService(tracer: Tracer, port = 0): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    void (async () => {
      if (req.method !== 'POST' || req.url !== '/test') {
        res.writeHead(404).end();
        return;
      }
      const parent = tracer.extract(opentracing.FORMAT_HTTP_HEADERS, req.headers);
      const span = tracer.startSpan('POST /test', { childOf: parent ?? undefined, tags: { 'span.kind': 'server' } });
      try {
        const actions = actionsOf(await readBody(req));
        // One after another: the suite expects its callbacks in order.
        for (const action of actions) {
          const child = tracer.startSpan('POST callback', { childOf: span, tags: { 'span.kind': 'client', 'http.url': action.url } });
          try {
            await callBack(tracer, child, action);
          } finally {
            child.finish();
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch (error) {
        span.setTag('error', true);
        res.writeHead(400, { 'content-type': 'text/plain' }).end(String(error));
      } finally {
        span.finish();
      }
    })();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

async function main(): Promise<void> {
  const tracer = new Tracer({ serviceName: 'w3c-test-service' });
  const server = await startW3CTestService(tracer, Number(process.env.PORT ?? 0));
  const { port } = server.address() as { port: number };
  const endpoint = `http://127.0.0.1:${port}/test`;
  console.log(`W3C Trace Context test service listening on ${endpoint}`);

  const idleMillis = Number(process.env.IDLE_EXIT_MS ?? 15000);
  const idle = setTimeout(() => server.close(), idleMillis);
  server.on('request', () => idle.refresh());
  server.on('close', () => clearTimeout(idle));

  const suite = process.env.W3C_TEST_PY;
  if (suite !== undefined) {
    const python = spawn(process.env.PYTHON ?? 'python3', [suite, endpoint], {
      stdio: 'inherit',
      env: { ...process.env, STRICT_LEVEL: process.env.STRICT_LEVEL ?? '2', SPEC_LEVEL: process.env.SPEC_LEVEL ?? '2' },
    });
    python.on('exit', (code) => {
      process.exitCode = code ?? 1;
      server.close();
      server.closeAllConnections();
    });
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
