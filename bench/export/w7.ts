import * as path from 'node:path';
import { Child } from '../harness/child';
import { median, rotate } from '../harness/stats';
import { ENCODERS } from './w7-encoders';
import type { EncoderName } from './w7-encoders';
import type { W7Sample } from './w7-worker';

/*
 * W7, the cost of export: CPU time to encode a 512-span batch (10 tags and 1 log per
 * span) into one OTLP/HTTP request body, as protobuf and as JSON, by sextant's exporter
 * path and by OpenTelemetry's ProtobufTraceSerializer and JsonTraceSerializer on the
 * same spans recorded by OpenTelemetry's SDK; and the longest the event loop is blocked
 * by one batch (encoding is synchronous: one batch is one block). One process per
 * encoder; rounds rotate their order.
 */

const WORKER = path.join(__dirname, 'w7-worker.ts');

/** Rounds, batches per round and warm-up batches, per bench profile. */
const PLAN = { quick: { rounds: 3, batches: 20, warmBatches: 50 }, full: { rounds: 10, batches: 100, warmBatches: 300 } } as const;

/** One encoder's figures over every round. */
export interface W7Row {
  encoder: EncoderName;
  /** per round */
  samples: W7Sample[];
  problems: string[];
}

/** Runs W7 and returns a row per encoder. */
export async function runExportCost(profile: 'quick' | 'full', log: (line: string) => void): Promise<W7Row[]> {
  const plan = PLAN[profile];
  const children = ENCODERS.map((encoder) => ({ encoder, child: Child.start(`W7:${encoder}`, WORKER, [encoder]) }));
  const rows: W7Row[] = ENCODERS.map((encoder) => ({ encoder, samples: [], problems: [] }));
  try {
    const verified = await Promise.all(
      children.map(({ child }) =>
        child.request<string[]>({ cmd: 'verify', warmBatches: plan.warmBatches }).catch((e: Error) => [e.message.split('\n')[0]]),
      ),
    );
    verified.forEach((problems, i) => {
      rows[i].problems.push(...problems);
      if (problems.length > 0) log(`  W7 ${rows[i].encoder}: VERIFICATION FAILED: ${problems.join('; ')}`);
    });
    for (let round = 0; round < plan.rounds; round++) {
      for (const [i, { child }] of rotate([...children.entries()], round)) {
        if (rows[i].problems.length > 0) continue;
        rows[i].samples.push(await child.request<W7Sample>({ cmd: 'run', batches: plan.batches }));
      }
    }
    log('  W7 done');
  } finally {
    await Promise.all(children.map(({ child }) => child.stop()));
  }
  return rows;
}

function ms(value: number): string {
  return Number.isFinite(value) ? value.toFixed(3) : '—';
}

/** W7's figures: medians over rounds. */
function figures(row: W7Row | undefined): { cpu: number; block: number; longest: number; bytes: number } {
  const samples = row?.samples ?? [];
  return {
    cpu: median(samples.map((s) => s.cpuMillisPerBatch)),
    block: median(samples.map((s) => s.medianBlockMillis)),
    longest: median(samples.map((s) => s.longestBlockMillis)),
    bytes: samples.at(-1)?.bytes ?? NaN,
  };
}

/** W7 as a markdown section: the table and its two targets. */
export function renderExportCost(rows: W7Row[]): string {
  if (rows.length === 0) return '';
  const of = (name: EncoderName) => figures(rows.find((r) => r.encoder === name));
  const otelProtobuf = of('otel-protobuf');
  const lines = rows.map((row) => {
    if (row.problems.length > 0) return `| ${row.encoder} | not timed: ${row.problems.join('; ')} | | | | |`;
    const f = of(row.encoder);
    return `| ${row.encoder} | ${ms(f.cpu)} | ${(otelProtobuf.cpu / f.cpu).toFixed(2)}× | ${ms(f.block)} | ${ms(f.longest)} | ${f.bytes} |`;
  });
  const sextant = of('sextant-protobuf');
  const ratio = otelProtobuf.cpu / sextant.cpu;
  const blocks = (format: 'protobuf' | 'json') => of(`sextant-${format}`).longest <= of(`otel-${format}`).longest;
  return [
    '### W7: export cost (one 512-span batch, 10 tags and 1 log per span, into one OTLP/HTTP body)',
    '',
    '| encoder | CPU ms / batch | speed × OTel protobuf | median block ms | longest block ms (median of rounds) | body bytes |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...lines,
    '',
    `- sextant protobuf ≥ 3× faster than OpenTelemetry's ProtobufTraceSerializer: ${ratio.toFixed(2)}× — ${ratio >= 3 ? 'met' : 'NOT met'}`,
    `- no batch blocks the event loop longer than OpenTelemetry's: protobuf ${blocks('protobuf') ? 'met' : 'NOT met'}, JSON ${blocks('json') ? 'met' : 'NOT met'}`,
  ].join('\n');
}
