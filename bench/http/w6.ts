import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { Child } from '../harness/child';
import { rotate } from '../harness/stats';
import type { Profile } from '../harness/profiles';
import type { CapturedSpan } from '../peers/peer';
import { get, load, warm } from './load';
import { FETCH_MODES, SERVER_ONLY_MODES, type ServerMode } from './modes';

export const SERVER_MODES: readonly ServerMode[] = [...SERVER_ONLY_MODES, ...FETCH_MODES];

/** What each traced mode's throughput and CPU are compared with. */
export function baselineOf(mode: ServerMode): ServerMode {
  return (FETCH_MODES as readonly ServerMode[]).includes(mode) ? 'untraced-fetch' : 'untraced';
}

/**
 * dd-trace's set-up for `--require dd-trace/init`: every trace to the loopback sink
 * (its agent stand-in), and everything else that would talk to an agent or the
 * internet off (telemetry, remote configuration, runtime metrics, profiling, ...).
 */
function ddTraceEnv(sinkPort: number): NodeJS.ProcessEnv {
  return {
    DD_TRACE_AGENT_URL: `http://127.0.0.1:${sinkPort}`,
    DD_AGENT_HOST: '127.0.0.1',
    DD_SERVICE: 'bench',
    DD_TRACE_SAMPLE_RATE: '1',
    DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
    DD_REMOTE_CONFIGURATION_ENABLED: 'false',
    DD_RUNTIME_METRICS_ENABLED: 'false',
    DD_PROFILING_ENABLED: 'false',
    DD_APPSEC_ENABLED: 'false',
    DD_IAST_ENABLED: 'false',
    DD_DATA_STREAMS_ENABLED: 'false',
    DD_CRASHTRACKING_ENABLED: 'false',
    DD_DYNAMIC_INSTRUMENTATION_ENABLED: 'false',
    DD_TRACE_STATS_COMPUTATION_ENABLED: 'false',
    DD_TRACE_STARTUP_LOGS: 'false',
    DD_TRACE_GIT_METADATA_ENABLED: 'false',
    DD_LLMOBS_ENABLED: 'false',
  };
}

interface Usage {
  served: number;
  cpuMicros: number;
}

export interface HttpServer {
  mode: ServerMode | 'downstream' | 'sink';
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

/**
 * Starts one server process per mode, each on an ephemeral 127.0.0.1 port, plus the
 * processes they talk to: the downstream the -fetch modes call, and dd-trace's sink.
 */
export async function startServers(modes: readonly ServerMode[] = SERVER_MODES): Promise<HttpServer[]> {
  const script = path.join(__dirname, 'server.ts');
  const helper = async (mode: 'downstream' | 'sink'): Promise<HttpServer> => {
    const child = Child.start(`server:${mode}`, script, [mode]);
    return { mode, child, port: await child.request<number>({ cmd: 'listen' }) };
  };
  const [downstream, sink] = await Promise.all([helper('downstream'), helper('sink')]);
  const servers = await Promise.all(
    modes.map(async (mode) => {
      const dd = mode.startsWith('ddtrace');
      const child = Child.start(`server:${mode}`, script, [mode], dd ? ['-r', 'dd-trace/init'] : [], dd ? ddTraceEnv(sink.port) : {});
      const port = await child.request<number>({ cmd: 'listen', downstream: downstream.port });
      return { mode, child, port };
    }),
  );
  return [downstream, sink, ...servers];
}

/**
 * Sends one request carrying a W3C `traceparent` and checks the answer; for traced
 * servers, that exactly one server span (and, with a fetch, one client span under it)
 * reached the exporter, continuing that trace, and that the downstream got the trace.
 */
export async function verifyServer(server: HttpServer, downstream?: HttpServer): Promise<string[]> {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  await server.child.request({ cmd: 'capture' });
  const response = await get(server.port, { traceparent: `00-${traceId}-${spanId}-01` });
  const problems: string[] = [];
  if (response.status !== 200 || !response.body.includes('"ok":true')) problems.push(`answered ${response.status} ${response.body}`);
  const spans = await server.child.request<CapturedSpan[]>({ cmd: 'captured' });
  const mode = server.mode as ServerMode;
  const traced = !mode.startsWith('untraced') && mode !== 'als';
  const fetching = baselineOf(mode) === 'untraced-fetch';
  if (fetching && downstream !== undefined) {
    const sent = await downstream.child.request<string | null>({ cmd: 'last-traceparent' });
    if (traced && (sent === null || sent.split('-')[1] !== traceId))
      problems.push(`downstream got traceparent ${sent}, not in trace ${traceId}`);
    if (!traced && sent !== null) problems.push(`an untraced server sent traceparent ${sent}`);
  }
  if (!traced || mode.startsWith('ddtrace')) return problems;
  if (spans.length !== (fetching ? 2 : 1)) return [...problems, `${spans.length} spans exported for one request`];
  const span = spans.find((s) => s.parentSpanId === spanId);
  if (span === undefined) return [...problems, `no span continues the caller's ${spanId}`];
  if (span.traceId !== traceId) problems.push(`server span in trace ${span.traceId}, not the caller's ${traceId}`);
  if (span.spanId === spanId) problems.push('server span reused the caller span id');
  if (fetching) {
    const client = spans.find((s) => s !== span);
    if (client?.parentSpanId !== span.spanId || client.traceId !== traceId) problems.push('client span is not a child of the server span');
  }
  return problems;
}

/** Checks every request answered so far produced a span at the exporter (traced servers). */
async function countProblems(server: HttpServer): Promise<string[]> {
  const counts = await server.child.request<{ served: number; exported: number | null; spansPerRequest: number }>({ cmd: 'counts' });
  if (counts.exported === null || counts.exported === counts.served * counts.spansPerRequest) return [];
  return [`${counts.exported} spans exported for ${counts.served} requests (${counts.spansPerRequest} each)`];
}

/**
 * W6: rounds alternate between the servers; each turn is `seconds` of load at fixed
 * connections. Besides requests per second, each turn records the server's own CPU
 * time per request, which the load generator's speed does not cap.
 */
export async function runHttp(all: HttpServer[], profile: Profile, log: (line: string) => void): Promise<HttpRow[]> {
  const downstream = all.find((s) => s.mode === 'downstream');
  const servers = all.filter((s) => s.mode !== 'downstream' && s.mode !== 'sink');
  const rows = new Map<ServerMode, HttpRow>(
    servers.map((s) => [s.mode as ServerMode, { mode: s.mode as ServerMode, perSecond: [], cpuMicrosPerRequest: [], problems: [] }]),
  );
  const { rounds, seconds, warmRequests, connections } = profile.http;
  for (const server of servers) {
    const row = rows.get(server.mode as ServerMode)!;
    row.problems.push(...(await verifyServer(server, downstream)));
    const failures = await warm(server.port, connections, warmRequests);
    if (failures > 0) row.problems.push(`${failures} failed requests while warming up`);
  }
  for (let round = 0; round < rounds; round++) {
    for (const server of rotate(servers, round)) {
      const row = rows.get(server.mode as ServerMode)!;
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
