import { baselineOf, type HttpRow } from '../http/w6';
import type { PeerName } from '../peers/peer';
import type { MicroWorkloadId } from '../workloads';
import { BEFORE, IN_SPAN, OUTSIDE } from '../workloads/w4-async';
import { median, spread } from './stats';

/** Rounds of one (workload, peer, variant): operations per second per round. */
export interface MicroRow {
  workload: MicroWorkloadId;
  peer: PeerName;
  variant: string;
  opsPerSecond: number[];
  problems: string[];
}

export interface MemoryRow {
  peer: PeerName;
  bytesPerSpan: number[];
  queued: number;
  problems: string[];
}

export interface Results {
  /** installed version of each peer package */
  versions: Record<string, string>;
  date: string;
  node: string;
  machine: string;
  profile: string;
  /** W2's parent mechanism per peer */
  nestedVia: Partial<Record<PeerName, string>>;
  micro: MicroRow[];
  memory: MemoryRow[];
  http: HttpRow[];
  seconds: number;
}

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean | null;
}

const LABEL: Record<PeerName, string> = {
  noop: 'noop (opentracing)',
  otel: 'otel (own API)',
  'otel-shim': 'otel-shim (OpenTracing shim)',
  jaeger: 'jaeger (jaeger-client)',
  sextant: '**sextant**',
  als: 'bare AsyncLocalStorage',
  'sextant-otel': '**sextant via @opentelemetry/api**',
};

function row(results: Results, workload: MicroWorkloadId, peer: PeerName, variant: string): MicroRow | undefined {
  return results.micro.find((r) => r.workload === workload && r.peer === peer && r.variant === variant);
}

/** Median operations per second of a row that ran, else NaN. */
function rate(r: MicroRow | undefined): number {
  return r === undefined || r.problems.length > 0 ? NaN : median(r.opsPerSecond);
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '—';
}

function count(value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(0)} k`;
  return value.toFixed(0);
}

function nanos(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '—';
  const ns = 1e9 / perSecond;
  return ns >= 100 ? ns.toFixed(0) : ns.toFixed(1);
}

function times(value: number): string {
  return Number.isFinite(value) ? `${value >= 10 ? value.toFixed(0) : value.toFixed(2)}×` : '—';
}

function percent(value: number): string {
  return Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : '—';
}

function signedPercent(value: number): string {
  return Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}%` : '—';
}

function failed(r: MicroRow | undefined): string | null {
  if (r === undefined) return null;
  return r.problems.length > 0 ? `not timed: ${r.problems.slice(0, 2).join('; ')}` : null;
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((h, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

function throughputTable(results: Results, workload: MicroWorkloadId, variant: string, unit: string, peers: PeerName[]): string {
  const noop = rate(row(results, workload, 'noop', variant));
  const otel = rate(row(results, workload, 'otel', variant));
  const rows: string[][] = [];
  for (const peer of peers) {
    const r = row(results, workload, peer, variant);
    if (r === undefined) continue;
    const problem = failed(r);
    const perSecond = rate(r);
    const via = workload === 'W2' ? [results.nestedVia[peer] ?? ''] : [];
    if (problem !== null) {
      rows.push([LABEL[peer], ...via, problem, '', '', '', '']);
      continue;
    }
    rows.push([
      LABEL[peer],
      ...via,
      count(perSecond),
      nanos(perSecond),
      peer === 'noop' ? '1×' : times(noop / perSecond),
      times(perSecond / otel),
      `±${(spread(r.opsPerSecond) * 100).toFixed(0)}%`,
    ]);
  }
  const head = [
    'tracer',
    ...(workload === 'W2' ? ['parents via'] : []),
    `${unit}s/s`,
    `ns/${unit}`,
    'cost × noop',
    `${unit}s/s × otel`,
    'spread',
  ];
  return table(head, rows);
}

const FORMATS = ['tracecontext', 'tracecontext+baggage', 'b3', 'b3multi', 'jaeger', 'ottrace', 'xray', 'binary'];

function formatTable(results: Results): string {
  const w3cOtel = rate(row(results, 'W3', 'otel', 'tracecontext'));
  const rows: string[][] = [];
  for (const format of FORMATS) {
    const s = row(results, 'W3', 'sextant', format);
    const o = row(results, 'W3', 'otel', format);
    const j = row(results, 'W3', 'jaeger', format);
    if (s === undefined && o === undefined) continue;
    const sr = rate(s);
    const or = rate(o);
    rows.push([
      format,
      failed(s) ?? count(sr),
      o === undefined ? 'n/a' : (failed(o) ?? count(or)),
      o === undefined ? `${times(sr / w3cOtel)} (vs otel W3C)` : times(sr / or),
      j === undefined ? 'n/a' : (failed(j) ?? count(rate(j))),
    ]);
  }
  return table(['format', 'sextant round trips/s', 'otel round trips/s', 'sextant × otel', 'jaeger-client round trips/s'], rows);
}

/** W4 figures: ns per call of ten awaits, and the slowdown in span against the same process before any span. */
export function asyncOverheads(results: Results): Map<PeerName, { before: number; outside: number; inSpan: number; overhead: number }> {
  const out = new Map<PeerName, { before: number; outside: number; inSpan: number; overhead: number }>();
  for (const peer of ['noop', 'als', 'otel', 'otel-shim', 'sextant'] as PeerName[]) {
    if (row(results, 'W4', peer, IN_SPAN) === undefined) continue;
    const before = 1e9 / rate(row(results, 'W4', peer, BEFORE));
    const inSpan = 1e9 / rate(row(results, 'W4', peer, IN_SPAN));
    const outside = 1e9 / rate(row(results, 'W4', peer, OUTSIDE));
    out.set(peer, { before, outside, inSpan, overhead: inSpan / before - 1 });
  }
  return out;
}

function asyncTable(results: Results): string {
  const overheads = asyncOverheads(results);
  const otel = overheads.get('otel')?.overhead ?? NaN;
  const rows: string[][] = [];
  for (const [peer, o] of overheads) {
    const problem = [BEFORE, IN_SPAN, OUTSIDE].map((v) => failed(row(results, 'W4', peer, v))).find((p) => p !== null) ?? null;
    const label = peer === 'noop' ? `${LABEL.noop}: nothing to activate` : LABEL[peer];
    if (problem !== null) {
      rows.push([label, problem, '', '', '', '']);
      continue;
    }
    rows.push([
      label,
      fixed(o.before, 0),
      fixed(o.outside, 0),
      fixed(o.inSpan, 0),
      signedPercent(o.overhead),
      peer === 'noop' || peer === 'otel' ? '—' : `${signedPercent(o.overhead - otel)} pts`,
    ]);
  }
  return table(
    [
      'tracer',
      'ns/call before any span',
      'ns/call, no span active (after)',
      'ns/call in an active span',
      'slowdown in span vs before',
      'vs otel’s slowdown',
    ],
    rows,
  );
}

function memoryBytes(results: Results, peer: PeerName): number {
  const r = results.memory.find((m) => m.peer === peer);
  return r === undefined || r.problems.length > 0 ? NaN : median(r.bytesPerSpan);
}

function memoryTable(results: Results): string {
  const otel = memoryBytes(results, 'otel');
  const rows = results.memory.map((m) =>
    m.problems.length > 0
      ? [LABEL[m.peer], `not measured: ${m.problems.slice(0, 2).join('; ')}`, '', '']
      : [
          LABEL[m.peer],
          fixed(memoryBytes(results, m.peer), 0),
          m.peer === 'noop' ? '—' : times(memoryBytes(results, m.peer) / otel),
          String(m.queued),
        ],
  );
  return table(['tracer', 'retained bytes per queued span', '× otel', 'spans held'], rows);
}

function httpRate(results: Results, mode: string): number {
  const r = results.http.find((h) => h.mode === mode);
  return r === undefined || r.problems.length > 0 ? NaN : median(r.perSecond);
}

const HTTP_LABELS: Record<HttpRow['mode'], string> = {
  untraced: 'untraced node:http',
  als: 'bare AsyncLocalStorage.run (the floor)',
  sextant: '**sextant** traceHttpHandler (hand-wired)',
  'sextant-zero': '**sextant** zero-code (instrument(), as sextant/register)',
  otel: 'otel @opentelemetry/instrumentation-http',
  ddtrace: 'dd-trace (--require dd-trace/init)',
  'untraced-fetch': 'untraced, + 1 fetch per request',
  'sextant-fetch': '**sextant** traceHttpHandler + tracedFetch, + 1 fetch',
  'sextant-zero-fetch': '**sextant** zero-code, + 1 fetch',
  'otel-fetch': 'otel instrumentation-http + -undici, + 1 fetch',
  'ddtrace-fetch': 'dd-trace, + 1 fetch',
};

function httpCpu(results: Results, mode: HttpRow['mode']): number {
  return median(results.http.find((h) => h.mode === mode)?.cpuMicrosPerRequest ?? []);
}

/** Each traced row against its own untraced baseline (with or without the outbound fetch). */
function httpTable(results: Results): string {
  const rows = results.http.map((h) => {
    if (h.problems.length > 0) return [HTTP_LABELS[h.mode], `not timed: ${h.problems.slice(0, 2).join('; ')}`, '', '', '', ''];
    const base = baselineOf(h.mode);
    const cpu = median(h.cpuMicrosPerRequest);
    const baseCpu = httpCpu(results, base);
    return [
      HTTP_LABELS[h.mode],
      count(httpRate(results, h.mode)),
      percent(httpRate(results, h.mode) / httpRate(results, base)),
      `±${(spread(h.perSecond) * 100).toFixed(0)}%`,
      fixed(cpu, 1),
      h.mode === base ? '—' : `${cpu >= baseCpu ? '+' : ''}${fixed(cpu - baseCpu, 1)}`,
    ];
  });
  return table(['server', 'requests/s', 'throughput kept', 'spread', 'server CPU µs/request', 'added µs/request'], rows);
}

/** The issue's targets, as ratios measured in this run. */
export function targets(results: Results): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const ratio = (workload: MicroWorkloadId, variant: string) =>
    rate(row(results, workload, 'sextant', variant)) / rate(row(results, workload, 'otel', variant));
  const add = (target: string, value: number, shown: string, met: boolean) =>
    checks.push({ target, measured: shown, met: Number.isFinite(value) ? met : null });

  const w1 = ratio('W1', 'root');
  if (row(results, 'W1', 'sextant', 'root')) add('W1 ≥ 3× otel spans/s', w1, times(w1), w1 >= 3);
  const w2 = ratio('W2', 'chain');
  if (row(results, 'W2', 'sextant', 'chain')) add('W2 ≥ 2× otel chains/s', w2, times(w2), w2 >= 2);
  const viaApi = (workload: MicroWorkloadId, variant: string) =>
    rate(row(results, workload, 'sextant-otel', variant)) / rate(row(results, workload, 'otel', variant));
  const w1Api = viaApi('W1', 'root');
  if (row(results, 'W1', 'sextant-otel', 'root')) add('W1 through @opentelemetry/api ≥ 3× otel spans/s', w1Api, times(w1Api), w1Api >= 3);
  const w2Api = viaApi('W2', 'chain');
  if (row(results, 'W2', 'sextant-otel', 'chain')) add('W2 through @opentelemetry/api ≥ 3× otel chains/s', w2Api, times(w2Api), w2Api >= 3);
  const w3 = ratio('W3', 'default');
  if (row(results, 'W3', 'sextant', 'default')) add('W3 ≥ 3× otel round trips/s (W3C headers)', w3, times(w3), w3 >= 3);
  const async = asyncOverheads(results);
  const sextantAsync = async.get('sextant');
  const otelAsync = async.get('otel');
  if (sextantAsync !== undefined && otelAsync !== undefined) {
    const s = sextantAsync.overhead;
    const t = otelAsync.overhead;
    const major = Number(results.node.replace(/^v/, '').split('.')[0]);
    add(`W4 slowdown in span ≤ otel's (Node 20 target)`, s, `sextant ${signedPercent(s)}, otel ${signedPercent(t)}`, s <= t);
    if (major >= 24) add('W4 slowdown in span < 10% (Node 24 target)', s, signedPercent(s), s < 0.1);
    else
      checks.push({
        target: 'W4 slowdown in span < 10% (Node 24 target)',
        measured: `${signedPercent(s)} (run on Node 24 to judge)`,
        met: null,
      });
  }
  if (results.memory.some((m) => m.peer === 'sextant')) {
    const w5 = memoryBytes(results, 'sextant') / memoryBytes(results, 'otel');
    add('W5 ≤ 0.5× otel bytes per queued span', w5, times(w5), w5 <= 0.5);
  }
  const w6Targets: [HttpRow['mode'], string][] = [
    ['sextant', 'W6 hand-wired ≥ 90% of untraced throughput'],
    ['sextant-zero', 'W6 zero-code ≥ 90% of untraced throughput'],
    ['sextant-zero-fetch', 'W6 zero-code + fetch ≥ 90% of untraced + fetch'],
  ];
  for (const [mode, target] of w6Targets) {
    if (!results.http.some((h) => h.mode === mode)) continue;
    const w6 = httpRate(results, mode) / httpRate(results, baselineOf(mode));
    add(target, w6, percent(w6), w6 >= 0.9);
  }
  return checks;
}

/** The whole report, as markdown ready for README. */
export function renderReport(results: Results): string {
  const has = (workload: MicroWorkloadId) => results.micro.some((r) => r.workload === workload);
  const tracers: PeerName[] = ['noop', 'otel', 'otel-shim', 'jaeger', 'sextant', 'sextant-otel'];
  const parts = [
    `### Results: ${results.date}, Node ${results.node}, ${results.machine} (${results.profile} run, ${results.seconds.toFixed(0)} s)`,
    '',
    '`cost × noop`: time per operation as a multiple of OpenTracing’s no-op tracer. `× otel`: throughput as a multiple of OpenTelemetry’s (higher is better). Medians of rounds; `spread` is half the range of the rounds.',
    '',
    `Peers: ${Object.entries(results.versions)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}.`,
  ];
  if (has('W1'))
    parts.push(
      '',
      '#### W1: root span with two tags, through the batching path',
      '',
      throughputTable(results, 'W1', 'root', 'span', tracers),
    );
  if (has('W2')) {
    parts.push('', '#### W2: async chain of three nested active spans', '', throughputTable(results, 'W2', 'chain', 'chain', tracers));
    parts.push('', 'noop and jaeger-client have no active-span mechanism: their chains pass parents explicitly (`childOf`).');
    parts.push(
      '',
      '`sextant via @opentelemetry/api` makes the same calls as `otel (own API)`, on sextant registered with `registerOpenTelemetry`.',
    );
  }
  if (has('W3')) {
    parts.push(
      '',
      '#### W3: inject into HTTP headers and extract back (each tracer’s default header set-up)',
      '',
      throughputTable(results, 'W3', 'default', 'round trip', tracers),
    );
    parts.push('', 'sextant and otel: W3C `traceparent` (+ `baggage`, empty here); jaeger-client: `uber-trace-id`.');
    parts.push('', '#### W3 per wire format: sextant beside OpenTelemetry’s propagators', '', formatTable(results));
    parts.push(
      '',
      '`tracecontext+baggage` and `jaeger` carry two baggage items; `binary` is sextant’s FORMAT_BINARY (OpenTelemetry has none).',
    );
  }
  if (has('W4')) parts.push('', '#### W4: ten sequential awaits, with and without an active span', '', asyncTable(results));
  if (results.memory.length > 0)
    parts.push('', '#### W5: retained heap per finished span queued behind a stalled exporter', '', memoryTable(results));
  if (results.http.length > 0)
    parts.push('', '#### W6: node:http server, small JSON response, load from a second process over loopback', '', httpTable(results));
  const checks = targets(results);
  if (checks.length > 0) {
    parts.push(
      '',
      '#### Targets',
      '',
      table(
        ['target', 'measured', 'met'],
        checks.map((c) => [c.target, c.measured, c.met === null ? '—' : c.met ? 'yes' : '**no**']),
      ),
    );
  }
  return parts.join('\n');
}
