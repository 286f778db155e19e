import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Collector } from '../helpers/export-collector';
import { otlpRequestOf } from '../helpers/otlp-body';

const root = path.resolve(__dirname, '..', '..');
const tsNode = path.join(root, 'node_modules/ts-node/dist/bin.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a sample the way README says (`ts-node --transpile-only samples/x.ts`), in its own process. */
function runSample(name: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [tsNode, '--transpile-only', `samples/${name}`, ...args],
      { cwd: root, timeout: 60_000, env: { ...cleanEnv, ...env } },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr }),
    );
  });
}

/** The tree lines of a ConsoleRecorder trace, without durations and bars. */
function treeLines(output: string): string[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('  ') && l.endsWith('|'))
    .map((l) => l.replace(/ ·+ .*$/, ''));
}

describe('samples', () => {
  it('global-tracer.ts: spans started through opentracing.globalTracer() are children of the active span', async () => {
    const { code, stdout, stderr } = await runSample('global-tracer.ts');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^trace [0-9a-f]{32} · 2 spans/m);
    expect(treeLines(stdout)).toEqual(['  checkout (billing)', '  └─ charge-card (billing)']);
  }, 60_000);

  it('nested-async.ts: nested startActiveSpan across awaits and Promise.all makes one tree', async () => {
    const { code, stdout, stderr } = await runSample('nested-async.ts');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^trace [0-9a-f]{32} · 11 spans/m);
    const lines = treeLines(stdout);
    expect(lines[0]).toBe('  GET /basket (catalog)');
    expect(lines.filter((l) => /^ {2}[├└]─ load-product \(catalog\)$/.test(l))).toHaveLength(3);
    expect(lines.filter((l) => /^ {2}│ {2}[├└]─ (cache-lookup|db-query) \(catalog\)$/.test(l))).toHaveLength(6);
    expect(lines[lines.length - 1]).toBe('  └─ render (catalog)');
    expect(stdout).toContain('basket total: 600');
  }, 60_000);

  it('env-configured.ts: a service configured only by OTEL_* variables', async () => {
    const { code, stdout, stderr } = await runSample('env-configured.ts', [], {
      OTEL_SERVICE_NAME: 'inventory-under-test',
      OTEL_TRACES_EXPORTER: 'console',
      OTEL_PROPAGATORS: 'b3multi',
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = treeLines(stdout);
    expect(lines).toContain('  check-stock (inventory-under-test)');
    expect(lines.some((l) => l.includes('GET /stock (inventory-under-test)'))).toBe(true);
    expect(lines.some((l) => l.includes('db.query (inventory-under-test)'))).toBe(true);
  }, 60_000);

  it('otlp-export.ts: sends its trace to the OTLP endpoint it is given', async () => {
    const collector = await Collector.start(() => ({ status: 200 }));
    try {
      const { code, stdout, stderr } = await runSample('otlp-export.ts', [collector.url('/v1/traces')]);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const traceId = /trace ([0-9a-f]{32})/.exec(stdout)?.[1];
      expect(stdout).toContain('spans exported: 3, failed: 0, dropped: 0');
      expect(collector.requests.length).toBeGreaterThanOrEqual(1);
      // OTLP/HTTP protobuf by default: read the requests as the JSON shape.
      const body = JSON.stringify(collector.requests.map((r) => otlpRequestOf(r)));
      expect(body).toContain(traceId as string);
      expect(body).toContain('otlp-export-sample');
    } finally {
      await collector.stop();
    }
  }, 60_000);

  it('every sample is exercised by some spec', () => {
    const specs = (readdirSync(path.join(root, 'spec'), { recursive: true }) as string[])
      .filter((f) => f.endsWith('.spec.ts'))
      .map((f) => readFileSync(path.join(root, 'spec', f), 'utf8'))
      .join('\n');
    const samples = readdirSync(path.join(root, 'samples')).filter((f) => f.endsWith('.ts'));
    expect(samples.length).toBeGreaterThan(5);
    for (const sample of samples) {
      const base = sample.replace(/\.ts$/, '');
      expect([sample, base, `samples/${base}`].some((ref) => specs.includes(`'${ref}'`) || specs.includes(`samples/${base}`))).toBe(true);
    }
  });
});
