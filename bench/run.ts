/**
 * `npm run bench [-- --quick] [-- --only=W1,W3,W6]`: sextant against real peer tracers.
 *
 * Every tracer runs in its own Node process (bench/worker.ts); rounds alternate between
 * them and medians of rounds are reported, each figure also as a ratio to OpenTracing's
 * no-op tracer and to OpenTelemetry's. Every workload is verified in each process
 * before it is timed, and every timed run checks afterwards that each span it made
 * reached the exporter. The markdown report goes to stdout, the raw figures to
 * bench/results/.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Child } from './harness/child';
import { FULL, QUICK } from './harness/profiles';
import type { Profile } from './harness/profiles';
import { renderReport, targets } from './harness/report';
import type { MemoryRow, MicroRow, Results } from './harness/report';
import { rotate } from './harness/stats';
import { runHttp, startServers } from './http/w6';
import type { HttpServer } from './http/w6';
import type { PeerName } from './peers/peer';
import type { MicroWorkloadId } from './workloads';
import type { Sample } from './workloads/measure';
import type { MemoryResult } from './workloads/w5-memory';

const WORKER = path.join(__dirname, 'worker.ts');
const MICRO_PEERS: PeerName[] = ['noop', 'otel', 'otel-shim', 'jaeger', 'sextant', 'als'];
const MEMORY_PEERS: PeerName[] = ['noop', 'otel', 'otel-shim', 'jaeger', 'sextant'];
const MICRO_ORDER: MicroWorkloadId[] = ['W1', 'W2', 'W3', 'W4'];
const NESTED_VIA: Partial<Record<PeerName, string>> = {
  noop: 'explicit childOf',
  otel: 'startActiveSpan',
  'otel-shim': 'OTel context.with',
  jaeger: 'explicit childOf',
  sextant: 'startActiveSpan',
};

const T0 = Date.now();

function log(line: string): void {
  process.stderr.write(`[${((Date.now() - T0) / 1000).toFixed(1).padStart(5)} s] ${line}\n`);
}

function parseArgs(argv: string[]): { profile: Profile; only: Set<string> } {
  const profile = argv.includes('--quick') ? QUICK : FULL;
  const onlyArg = argv.find((a) => a.startsWith('--only='));
  const only = new Set((onlyArg?.slice('--only='.length) ?? 'W1,W2,W3,W4,W5,W6').split(',').map((s) => s.trim().toUpperCase()));
  return { profile, only };
}

type VerifyReport = Record<string, Record<string, string[]>>;

interface MicroWorker {
  peer: PeerName;
  child: Child;
  verified: Promise<VerifyReport>;
}

/** W5: one fresh process per tracer (node --expose-gc), one after another. */
async function measureMemory(profile: Profile): Promise<MemoryRow[]> {
  const rows: MemoryRow[] = [];
  for (const peer of MEMORY_PEERS) {
    const child = Child.start(`memory:${peer}`, WORKER, [peer, 'memory'], ['--expose-gc']);
    try {
      const result = await child.request<MemoryResult>({ cmd: 'memory', ...profile.memory });
      rows.push({ peer, ...result });
      log(`  W5 ${peer}: ${result.bytesPerSpan.map((b) => b.toFixed(0)).join(', ')} bytes/span${result.problems.length ? ` PROBLEMS ${result.problems.join('; ')}` : ''}`);
    } catch (error) {
      rows.push({ peer, bytesPerSpan: [], queued: 0, problems: [(error as Error).message.split('\n')[0]] });
    } finally {
      await child.stop();
    }
  }
  return rows;
}

/** Times every verified (workload, peer, variant) in rounds that rotate the peer order. */
async function runMicro(workers: MicroWorker[], reports: Map<PeerName, VerifyReport>, profile: Profile, only: Set<string>): Promise<MicroRow[]> {
  const rows: MicroRow[] = [];
  for (const workload of MICRO_ORDER) {
    if (!only.has(workload)) continue;
    const planned: { worker: MicroWorker; row: MicroRow }[] = [];
    for (const worker of workers) {
      for (const [variant, problems] of Object.entries(reports.get(worker.peer)?.[workload] ?? {})) {
        const row: MicroRow = { workload, peer: worker.peer, variant, opsPerSecond: [], problems: [...problems] };
        rows.push(row);
        if (problems.length > 0) log(`  ${workload} ${worker.peer} ${variant}: VERIFICATION FAILED: ${problems.join('; ')}`);
        planned.push({ worker, row });
      }
    }
    const peers = workers.filter((w) => planned.some((p) => p.worker === w));
    for (let round = 0; round < profile.rounds; round++) {
      for (const worker of rotate(peers, round)) {
        for (const { row } of planned.filter((p) => p.worker === worker && p.row.problems.length === 0)) {
          try {
            const sample = await worker.child.request<Sample>({ cmd: 'run', workload, variant: row.variant, millis: profile.roundMillis[workload] });
            row.opsPerSecond.push(sample.ops / (sample.nanos / 1e9));
          } catch (error) {
            row.problems.push((error as Error).message.split('\n')[0]);
            log(`  ${workload} ${worker.peer} ${row.variant}: FAILED: ${row.problems.at(-1)}`);
          }
        }
      }
    }
    log(`  ${workload} done`);
  }
  return rows;
}

async function main(): Promise<void> {
  const started = Date.now();
  const { profile, only } = parseArgs(process.argv.slice(2));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { warmCache, ROOT } = require('./register.js') as { warmCache(dirs: string[]): void; ROOT: string };
  warmCache([path.join(ROOT, 'lib'), path.join(ROOT, 'bench')]);
  log(`sextant bench (${profile.name}) on Node ${process.version}`);

  const micro = MICRO_ORDER.some((w) => only.has(w));
  // Set-up runs in parallel: start-up, verification and W5 are not timed.
  const workers: MicroWorker[] = micro
    ? MICRO_PEERS.map((peer) => {
        const child = Child.start(peer, WORKER, [peer]);
        return { peer, child, verified: child.request<VerifyReport>({ cmd: 'verify', warmMillis: profile.warmMillis }) };
      })
    : [];
  const servers: Promise<HttpServer[]> = only.has('W6') ? startServers() : Promise.resolve([]);
  const memory = only.has('W5') ? await measureMemory(profile) : [];
  const reports = new Map<PeerName, VerifyReport>();
  for (const worker of workers) {
    try {
      reports.set(worker.peer, await worker.verified);
    } catch (error) {
      log(`  ${worker.peer}: could not be verified: ${(error as Error).message}`);
    }
  }
  log('  verified; timing');

  let microRows: MicroRow[] = [];
  let httpRows: Results['http'] = [];
  const httpServers = await servers;
  try {
    microRows = await runMicro(workers, reports, profile, only);
    await Promise.all(workers.map((w) => w.child.stop()));
    if (httpServers.length > 0) httpRows = await runHttp(httpServers, profile, log);
  } finally {
    await Promise.all([...workers.map((w) => w.child.stop()), ...httpServers.map((s) => s.child.stop())]);
  }

  const cpus = os.cpus();
  const results: Results = {
    date: new Date().toISOString().slice(0, 10),
    node: process.version,
    machine: `${os.platform()} ${os.arch()}, ${cpus[0]?.model.trim() ?? 'unknown CPU'} × ${cpus.length}`,
    profile: profile.name,
    nestedVia: NESTED_VIA,
    micro: microRows,
    memory,
    http: httpRows,
    seconds: (Date.now() - started) / 1000,
  };
  process.stdout.write(`${renderReport(results)}\n`);
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-node${process.versions.node}-${profile.name}.json`);
  fs.writeFileSync(file, JSON.stringify({ ...results, targets: targets(results) }, null, 2));
  log(`raw figures: ${path.relative(process.cwd(), file)}`);
}

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
