import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One request as the collector saw it, body already un-gzipped. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** the bytes on the wire */
  raw: Buffer;
  /** the body after Content-Encoding was undone */
  body: Buffer;
  /** the body parsed as JSON (undefined if it is not JSON) */
  json: unknown;
  /** Date.now() when the request ended */
  at: number;
}

/** How the collector answers request number `index` (0-based). */
export type Reply = { status: number; headers?: Record<string, string>; body?: string } | 'hang' | 'destroy';

/**
 * A real HTTP server on 127.0.0.1 (ephemeral port) standing in for an OTLP collector
 * or a Zipkin server: records every request and answers as the test says.
 *
 *     const collector = await Collector.start(() => ({ status: 200 }));
 *     // ... export to collector.url('/v1/traces')
 *     await collector.stop();
 */
export class Collector {
  readonly requests: ReceivedRequest[] = [];
  private readonly hanging: ServerResponse[] = [];
  private waiters: (() => void)[] = [];

  private readonly server: Server;

  private constructor(private readonly reply: (index: number, request: ReceivedRequest) => Reply) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.receive(req.method ?? '', req.url ?? '', req.headers, Buffer.concat(chunks), res));
    });
  }

  static async start(reply: (index: number, request: ReceivedRequest) => Reply = () => ({ status: 200 })): Promise<Collector> {
    const collector = new Collector(reply);
    await new Promise<void>((resolve) => collector.server.listen(0, '127.0.0.1', resolve));
    return collector;
  }

  url(path: string): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}${path}`;
  }

  /** Resolves once `count` requests have arrived (rejects after `timeoutMillis`). */
  waitForRequests(count: number, timeoutMillis = 5000): Promise<void> {
    if (this.requests.length >= count) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${this.requests.length} of ${count} requests arrived`)), timeoutMillis);
      const check = (): void => {
        if (this.requests.length >= count) {
          clearTimeout(timer);
          resolve();
        } else {
          this.waiters.push(check);
        }
      };
      this.waiters.push(check);
    });
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private receive(method: string, path: string, headers: IncomingHttpHeaders, raw: Buffer, res: ServerResponse): void {
    let body = raw;
    if (headers['content-encoding'] === 'gzip') body = gunzipSync(raw);
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      json = undefined;
    }
    const request: ReceivedRequest = { method, path, headers, raw, body, json, at: Date.now() };
    const index = this.requests.length;
    this.requests.push(request);
    const answer = this.reply(index, request);
    if (answer === 'hang') this.hanging.push(res);
    else if (answer === 'destroy') res.socket?.destroy();
    else {
      res.writeHead(answer.status, { 'content-type': 'application/json', ...(answer.headers ?? {}) });
      res.end(answer.body ?? '{}');
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/** A port on 127.0.0.1 where nothing listens (it was free a moment ago). */
export async function closedPortUrl(path: string): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}${path}`;
}
