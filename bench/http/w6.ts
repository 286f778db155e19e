import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { Child } from '../harness/child';
import { rotate } from '../harness/stats';
import type { Profile } from '../harness/profiles';
import type { CapturedSpan } from '../peers/peer';
import { get, load, warm } from './load';
import type { ServerMode } from './server';

export const SERVER_MODES: readonly ServerMode[] = ['untraced', 'als', 'sextant', 'otel'];

interface Usage {
  served: number;
  cpuMicros: number;
}

export interface HttpServer {
  mode: ServerMode;
  child: Child;
  port: number;
}

export interface HttpRow {
  mode: ServerMode;
  /** requests per second, one per round */
  perSecond: number[];
  /** the server process's CPU time (user + system) per request, µs, one per round */
  cpuMicrosPerRequest: number[];
  problems: string[];
}

/** Starts one server process per mode; each listens on an ephemeral 127.0.0.1 port. */
export async function startServers(): Promise<HttpServer[]> {
  const script = path.join(__dirname, 'server.ts');
  return Promise.all(
    SERVER_MODES.map(async (mode) => {
      const child = Child.start(`server:${mode}`, script, [mode]);
      const port = await child.request<number>({ cmd: 'listen' });
      return { mode, child, port };
    }),
  );
}

/**
 * Sends one request carrying a W3C `traceparent` and checks the answer, and for traced
 * servers that exactly one server span reached the exporter, continuing that trace.
 */
export async function verifyServer(server: HttpServer): Promise<string[]> {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  await server.child.request({ cmd: 'capture' });
  const response = await get(server.port, { traceparent: `00-${traceId}-${spanId}-01` });
  const problems: string[] = [];
  if (response.status !== 200 || !response.body.includes('"ok":true')) problems.push(`answered ${response.status} ${response.body}`);
  const spans = await server.child.request<CapturedSpan[]>({ cmd: 'captured' });
  if (server.mode === 'untraced' || server.mode === 'als') return problems;
  if (spans.length !== 1) return [...problems, `${spans.length} spans exported for one request`];
  const [span] = spans;
  if (span.traceId !== traceId) problems.push(`server span in trace ${span.traceId}, not the caller's ${traceId}`);
  if (span.parentSpanId !== spanId) problems.push(`server span's parent is ${span.parentSpanId}, not the caller's ${spanId}`);
  if (span.spanId === spanId) problems.push('server span reused the caller span id');
  return problems;
}

/** Checks every request answered so far produced a span at the exporter (traced servers). */
async function countProblems(server: HttpServer): Promise<string[]> {
  const counts = await server.child.request<{ served: number; exported: number | null }>({ cmd: 'counts' });
  if (counts.exported === null || counts.exported === counts.served) return [];
  return [`${counts.exported} spans exported for ${counts.served} requests`];
}

/**
 * W6: rounds alternate between the servers; each turn is `seconds` of load at fixed
 * connections. Besides requests per second, each turn records the server's own CPU
 * time per request, which the load generator's speed does not cap.
 */
export async function runHttp(servers: HttpServer[], profile: Profile, log: (line: string) => void): Promise<HttpRow[]> {
  const rows = new Map<ServerMode, HttpRow>(
    servers.map((s) => [s.mode, { mode: s.mode, perSecond: [], cpuMicrosPerRequest: [], problems: [] }]),
  );
  const { rounds, seconds, warmRequests, connections } = profile.http;
  for (const server of servers) {
    const row = rows.get(server.mode)!;
    row.problems.push(...(await verifyServer(server)));
    const failures = await warm(server.port, connections, warmRequests);
    if (failures > 0) row.problems.push(`${failures} failed requests while warming up`);
  }
  for (let round = 0; round < rounds; round++) {
    for (const server of rotate(servers, round)) {
      const row = rows.get(server.mode)!;
      if (row.problems.length > 0) continue;
      const before = await server.child.request<Usage>({ cmd: 'usage' });
      const result = await load(server.port, connections, { seconds });
      const after = await server.child.request<Usage>({ cmd: 'usage' });
      if (result.failures > 0) row.problems.push(`${result.failures} failed requests`);
      row.perSecond.push(result.perSecond);
      row.cpuMicrosPerRequest.push((after.cpuMicros - before.cpuMicros) / Math.max(1, after.served - before.served));
      row.problems.push(...(await countProblems(server)));
      log(`  W6 ${server.mode} round ${round + 1}: ${Math.round(result.perSecond)} req/s`);
    }
  }
  return [...rows.values()];
}
