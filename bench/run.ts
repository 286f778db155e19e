/**
 * `npm run bench [-- --quick] [-- --only=W1,W3,W6] [-- --w6=untraced,sextant-zero]`: sextant against real peer tracers
 * (`--only=W7`: the export cost alone).
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
import type { ServerMode } from './http/modes';
import { renderExportCost, runExportCost } from './export/w7';
import type { W7Row } from './export/w7';
import { runHttp, SERVER_MODES, startServers } from './http/w6';
import type { HttpServer } from './http/w6';
import type { PeerName } from './peers/peer';
import type { MicroWorkloadId } from './workloads';
import type { Sample } from './workloads/measure';
import { BEFORE } from './workloads/w4-async';
import type { MemoryResult } from './workloads/w5-memory';

const WORKER = path.join(__dirname, 'worker.ts');
const MICRO_ORDER: MicroWorkloadId[] = ['W1', 'W2', 'W3', 'W4'];
const MICRO_PEERS: PeerName[] = ['noop', 'otel', 'otel-shim', 'jaeger', 'sextant', 'sextant-otel'];
const ASYNC_PEERS: PeerName[] = ['noop', 'als', 'otel', 'otel-shim', 'sextant'];
const MEMORY_PEERS: PeerName[] = ['noop', 'otel', 'otel-shim', 'jaeger', 'sextant'];
/**
 * Process groups: W1-W3 share one process per tracer; W4 gets fresh ones, because how
 * fast a process runs plain awaits depends on what it ran before (heap and young
 * generation sizing), and W4 compares exactly that across processes.
 */
const GROUPS: { workloads: MicroWorkloadId[]; peers: PeerName[]; flags: string[] }[] = [
  { workloads: ['W1', 'W2', 'W3'], peers: MICRO_PEERS, flags: [] },
  // W4's tracers do nothing while timed, so the young generation's size would otherwise be
  // set by how much code each one loaded: all start at 16 MB, where a busy server's ends up.
  { workloads: ['W4'], peers: ASYNC_PEERS, flags: ['--min-semi-space-size=16'] },
];
const NESTED_VIA: Partial<Record<PeerName, string>> = {
  noop: 'explicit childOf',
  otel: 'startActiveSpan',
  'otel-shim': 'OTel context.with',
  jaeger: 'explicit childOf',
  sextant: 'startActiveSpan',
  'sextant-otel': 'startActiveSpan (OTel API)',
};

const T0 = Date.now();

function log(line: string): void {
  process.stderr.write(`[${((Date.now() - T0) / 1000).toFixed(1).padStart(5)} s] ${line}\n`);
}

function parseArgs(argv: string[]): { profile: Profile; only: Set<string>; servers: ServerMode[] } {
  const profile = argv.includes('--quick') ? QUICK : FULL;
  const onlyArg = argv.find((a) => a.startsWith('--only='));
  const only = new Set((onlyArg?.slice('--only='.length) ?? 'W1,W2,W3,W4,W5,W6,W7').split(',').map((s) => s.trim().toUpperCase()));
  // --w6=untraced,sextant-zero: only those W6 servers (each traced mode wants its untraced baseline).
  const serversArg = argv.find((a) => a.startsWith('--w6='));
  const servers = serversArg === undefined ? [...SERVER_MODES] : (serversArg.slice('--w6='.length).split(',') as ServerMode[]);
  const unknown = servers.filter((m) => !SERVER_MODES.includes(m));
  if (unknown.length > 0) throw new Error(`unknown W6 server ${unknown.join(', ')} (known: ${SERVER_MODES.join(', ')})`);
  return { profile, only, servers };
}

type VerifyReport = Record<string, Record<string, string[]>>;

interface MicroWorker {
  peer: PeerName;
  child: Child;
  /** the verification under way (null until started) */
  verified: Promise<VerifyReport> | null;
  verify(): Promise<VerifyReport>;
}

/** W5: one fresh process per tracer (node --expose-gc), all at once: heap figures do not depend on CPU time. */
async function measureMemory(profile: Profile): Promise<MemoryRow[]> {
  return Promise.all(
    MEMORY_PEERS.map(async (peer): Promise<MemoryRow> => {
      const child = Child.start(`memory:${peer}`, WORKER, [peer, 'memory'], ['--expose-gc']);
      try {
        const result = await child.request<MemoryResult>({ cmd: 'memory', ...profile.memory });
        log(
          `  W5 ${peer}: ${result.bytesPerSpan.map((b) => b.toFixed(0)).join(', ')} bytes/span${result.problems.length ? ` PROBLEMS ${result.problems.join('; ')}` : ''}`,
        );
        return { peer, ...result };
      } catch (error) {
        return { peer, bytesPerSpan: [], queued: 0, problems: [(error as Error).message.split('\n')[0]] };
      } finally {
        await child.stop();
      }
    }),
  );
}

/** One row per (workload, peer, variant): the rounds of several processes of one tracer pooled. */
function pooled(rows: MicroRow[]): MicroRow[] {
  const byKey = new Map<string, MicroRow>();
  for (const row of rows) {
    const key = `${row.workload}\0${row.peer}\0${row.variant}`;
    const seen = byKey.get(key);
    if (seen === undefined) byKey.set(key, { ...row, opsPerSecond: [...row.opsPerSecond], problems: [...row.problems] });
    else {
      seen.opsPerSecond.push(...row.opsPerSecond);
      seen.problems.push(...row.problems);
    }
  }
  return [...byKey.values()];
}

/**
 * W4's first part, before the workers are verified: the untraced baseline of each
 * process, timed before its tracer ever made a span active (verifying W4 does), in
 * rounds that rotate the peer order like every other figure.
 */
async function runBeforeAnySpan(workers: MicroWorker[], profile: Profile, rounds: number): Promise<MicroRow[]> {
  const rows = workers.map((worker): MicroRow => ({ workload: 'W4', peer: worker.peer, variant: BEFORE, opsPerSecond: [], problems: [] }));
  const run = (worker: MicroWorker, millis: number) =>
    worker.child.request<Sample>({ cmd: 'run', workload: 'W4', variant: BEFORE, millis });
  // A long warm-up: the baseline must not be timed on colder code than the spans are later.
  for (const worker of workers) await run(worker, 3 * profile.warmMillis.W4);
  for (let round = 0; round < rounds; round++) {
    for (const [index, worker] of rotate([...workers.entries()], round)) {
      const sample = await run(worker, profile.roundMillis.W4);
      rows[index].opsPerSecond.push(sample.ops / (sample.nanos / 1e9));
    }
  }
  return rows;
}

/** Times every verified (workload, peer, variant) in rounds that rotate the peer order. */
async function runMicro(workers: MicroWorker[], workloads: MicroWorkloadId[], profile: Profile, rounds: number): Promise<MicroRow[]> {
  const reports = new Map<MicroWorker, VerifyReport>();
  for (const worker of workers) {
    try {
      reports.set(worker, await (worker.verified ?? worker.verify()));
    } catch (error) {
      log(`  ${worker.peer}: could not be verified: ${(error as Error).message}`);
    }
  }
  const rows: MicroRow[] = [];
  for (const workload of workloads) {
    const planned: { worker: MicroWorker; row: MicroRow }[] = [];
    for (const worker of workers) {
      for (const [variant, problems] of Object.entries(reports.get(worker)?.[workload] ?? {})) {
        const row: MicroRow = { workload, peer: worker.peer, variant, opsPerSecond: [], problems: [...problems] };
        rows.push(row);
        if (problems.length > 0) log(`  ${workload} ${worker.peer} ${variant}: VERIFICATION FAILED: ${problems.join('; ')}`);
        planned.push({ worker, row });
      }
    }
    const peers = workers.filter((w) => planned.some((p) => p.worker === w));
    for (let round = 0; round < rounds; round++) {
      for (const worker of rotate(peers, round)) {
        for (const { row } of planned.filter((p) => p.worker === worker && p.row.problems.length === 0)) {
          try {
            const sample = await worker.child.request<Sample>({
              cmd: 'run',
              workload,
              variant: row.variant,
              millis: profile.roundMillis[workload],
            });
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

const VERSIONED = [
  'opentracing',
  '@opentelemetry/api',
  '@opentelemetry/sdk-trace-base',
  '@opentelemetry/context-async-hooks',
  '@opentelemetry/shim-opentracing',
  '@opentelemetry/instrumentation-http',
  '@opentelemetry/instrumentation-undici',
  'dd-trace',
  'jaeger-client',
  'autocannon',
];

/** The installed version of each peer package, as the report states them. */
function peerVersions(): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const name of VERSIONED) {
    try {
      // Read from disk: some packages' `exports` do not expose their package.json.
      const file = path.join(__dirname, '..', 'node_modules', name, 'package.json');
      versions[name] = (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
    } catch {
      versions[name] = 'unknown';
    }
  }
  return versions;
}

async function main(): Promise<void> {
  const started = Date.now();
  const { profile, only, servers: serverModes } = parseArgs(process.argv.slice(2));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { warmCache, ROOT } = require('./register.js') as { warmCache(dirs: string[]): void; ROOT: string };
  warmCache([path.join(ROOT, 'lib'), path.join(ROOT, 'bench')]);
  log(`sextant bench (${profile.name}) on Node ${process.version}`);

  // Set-up runs in parallel: start-up, verification and W5 are not timed.
  const groups = GROUPS.map(({ workloads, peers, flags }) => {
    const selected = workloads.filter((w) => only.has(w));
    // W4 is verified (which activates spans) only after its untraced baseline is timed.
    const deferred = selected.includes('W4');
    const copies = deferred ? profile.async.processes : 1;
    const workers: MicroWorker[] =
      selected.length === 0
        ? []
        : Array.from({ length: copies }, () => peers)
            .flat()
            .map((peer) => {
              const child = Child.start(`${peer}:${selected.join('+')}`, WORKER, [peer], flags);
              const verify = () => child.request<VerifyReport>({ cmd: 'verify', workloads: selected, warmMillis: profile.warmMillis });
              return { peer, child, verified: deferred ? null : verify(), verify };
            });
    return { workloads: selected, workers, deferred };
  });
  const allWorkers = groups.flatMap((g) => g.workers);
  const servers: Promise<HttpServer[]> = (only.has('W6') ? startServers(serverModes) : Promise.resolve([])).catch((error: unknown) => {
    log(`  W6 servers could not start: ${(error as Error).message.split('\n')[0]}`);
    return [];
  });
  let microRows: MicroRow[] = [];
  let httpRows: Results['http'] = [];
  let httpServers: HttpServer[] = [];
  let memory: MemoryRow[] = [];
  let exportCost: W7Row[] = [];
  try {
    memory = only.has('W5') ? await measureMemory(profile) : [];
    httpServers = await servers;
    for (const group of groups) {
      if (group.workers.length === 0) continue;
      const rounds = group.deferred ? profile.async.rounds : profile.rounds;
      if (group.deferred) {
        microRows.push(...(await runBeforeAnySpan(group.workers, profile, rounds)));
        for (const worker of group.workers) worker.verified = worker.verify();
      }
      microRows.push(...(await runMicro(group.workers, group.workloads, profile, rounds)));
      await Promise.all(group.workers.map((w) => w.child.stop()));
    }
    if (httpServers.length > 0) httpRows = await runHttp(httpServers, profile, log);
    if (only.has('W7')) exportCost = await runExportCost(profile.name, log);
  } finally {
    await Promise.all([...allWorkers.map((w) => w.child.stop()), ...httpServers.map((s) => s.child.stop())]);
  }
  microRows = MICRO_ORDER.flatMap((w) => pooled(microRows.filter((r) => r.workload === w)));

  const cpus = os.cpus();
  const results: Results = {
    versions: peerVersions(),
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
  if (exportCost.length > 0) process.stdout.write(`\n${renderExportCost(exportCost)}\n`);
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-node${process.versions.node}-${profile.name}.json`);
  fs.writeFileSync(file, JSON.stringify({ ...results, exportCost, targets: targets(results) }, null, 2));
  log(`raw figures: ${path.relative(process.cwd(), file)}`);
}

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
