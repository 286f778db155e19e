import { rmSync } from 'node:fs';
import { runNode, transpileLib } from '../helpers/child-node';
import type { ChildEnd } from '../helpers/child-node';
import { closedPortUrl, Collector } from '../helpers/export-collector';

/*
 * How long sextant holds a process at shutdown, seen from outside: real child `node`
 * processes against a collector that is down (a closed port) or hung (accepts, never
 * answers). Every bound is timeoutMillis (OTEL_EXPORTER_OTLP_TIMEOUT) plus a little,
 * never more than 30 s, whatever the queue holds; the lost spans are reported in one
 * warning with their count and the reason.
 */

const CHILD = `
const lib = process.env.SEXTANT_LIB;
const { Tracer } = require(lib + '/tracer');
const { BatchRecorder } = require(lib + '/recording/batch-recorder');
const { initTracerFromEnv } = require(lib + '/config/init-tracer-from-env');
const warn = (m) => process.stderr.write(m + '\\n');
let tracer;
if (process.env.EXPORTER === 'never-settles') {
  const exporter = { export: () => new Promise(() => {}), shutdown: () => new Promise(() => {}) };
  const recorder = new BatchRecorder(exporter, { exportTimeoutMillis: Number(process.env.BOUND) });
  tracer = new Tracer({ serviceName: 'child', recorder, logger: { warn } });
} else {
  tracer = initTracerFromEnv({ logger: { warn } });
}
for (let i = 0; i < Number(process.env.SPANS || '1'); i++) tracer.startSpan('span-' + i).finish();
const started = Date.now();
const say = (what) => process.stdout.write(what + ' ' + (Date.now() - started) + '\\n');
(async () => {
  if (process.env.ACTION === 'flush') { await tracer.flush(); say('after-flush'); }
  if (process.env.ACTION === 'close') { await tracer.close(); say('after-close'); }
  if (process.env.ACTION === 'recipe') {
    // README's shutdown recipe, as a server would use it.
    process.once('SIGTERM', () => { void tracer.close().finally(() => { say('closed'); process.exit(0); }); });
  }
  if (process.env.STAY_UP) { setInterval(() => {}, 1000); process.stdout.write('ready\\n'); }
})();
`;

let lib = '';
beforeAll(() => {
  lib = transpileLib(['tracer', 'recording/batch-recorder', 'config/init-tracer-from-env']);
});
afterAll(() => rmSync(lib, { recursive: true, force: true }));

/** The ms a child reported after `word`. */
function reported(end: ChildEnd, word: string): number {
  const match = new RegExp(`${word} (\\d+)`).exec(end.stdout);
  if (match === null) throw new Error(`the child never said ${word}: ${JSON.stringify(end)}`);
  return Number(match[1]);
}

/**
 * The spans the warnings count altogether. A process that ends by itself may have
 * exports fail before its exit flush starts (reported then, as any failure is); the
 * exit's own warning counts the rest, so together they count every span lost.
 */
function spansCounted(lines: string[]): number {
  return lines.reduce((sum, line) => sum + Number(/(\d+) spans (lost|could not be delivered)/.exec(line)?.[1] ?? 0), 0);
}

/** The warnings a child wrote (one per line). */
function warnings(end: ChildEnd): string[] {
  return end.stderr.split('\n').filter((line) => line !== '');
}

async function hungCollector(): Promise<Collector> {
  return Collector.start(() => 'hang');
}

async function withHung(test: (url: string) => Promise<void>): Promise<void> {
  const collector = await hungCollector();
  try {
    await test(collector.url('/v1/traces'));
  } finally {
    await collector.stop();
  }
}

describe('flush() and close() hold the process while awaited, and no longer than the bound', () => {
  it('await flush() with an exporter that never settles: the code after it runs, then the process ends normally', async () => {
    const end = await runNode(CHILD, lib, { EXPORTER: 'never-settles', BOUND: '500', ACTION: 'flush' });
    expect(end).toMatchObject({ code: 0, signal: null });
    expect(reported(end, 'after-flush')).toBeGreaterThanOrEqual(450);
    expect(warnings(end)).toEqual([
      'sextant: flush(): 1 spans could not be delivered within 500 ms: export timed out after 500 ms; see tracer.stats().',
    ]);
  });

  it('await close() with an exporter whose export and shutdown never settle: the code after it runs', async () => {
    const end = await runNode(CHILD, lib, { EXPORTER: 'never-settles', BOUND: '500', ACTION: 'close' });
    expect(end).toMatchObject({ code: 0, signal: null });
    expect(reported(end, 'after-close')).toBeLessThan(5000);
  });

  it('close() with the collector down and 2048 spans: within timeoutMillis, one warning with the count and ECONNREFUSED', async () => {
    const url = await closedPortUrl('/v1/traces');
    const end = await runNode(CHILD, lib, {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url,
      OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
      SPANS: '2048',
      ACTION: 'close',
    });
    expect(end).toMatchObject({ code: 0, signal: null });
    expect(reported(end, 'after-close')).toBeLessThan(3000);
    expect(warnings(end)).toEqual([
      expect.stringMatching(
        /^sextant: close\(\): 2048 spans could not be delivered( within 1 s)?: OTLP export to .* failed: .*ECONNREFUSED.*; see tracer\.stats\(\)\.$/,
      ),
    ]);
  });

  it('close() with a hung collector and every timeout 0 ("no limit"): 30 s at most, one warning', async () => {
    await withHung(async (url) => {
      const end = await runNode(
        CHILD,
        lib,
        {
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url,
          OTEL_EXPORTER_OTLP_TIMEOUT: '0',
          OTEL_BSP_EXPORT_TIMEOUT: '0',
          SPANS: '2048',
          ACTION: 'close',
        },
        { guardMillis: 50_000 },
      );
      expect(end).toMatchObject({ code: 0, signal: null });
      expect(reported(end, 'after-close')).toBeLessThanOrEqual(31_000);
      expect(warnings(end)).toEqual([expect.stringMatching(/^sextant: close\(\): 2048 spans could not be delivered within 30 s: /)]);
    });
  }, 60_000);
});

describe('a process that ends by itself, with flushOnExit (initTracerFromEnv’s default)', () => {
  it('is held no longer than timeoutMillis with the collector down, and says what was lost', async () => {
    const url = await closedPortUrl('/v1/traces');
    const end = await runNode(CHILD, lib, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url, OTEL_EXPORTER_OTLP_TIMEOUT: '1000', SPANS: '2048' });
    expect(end).toMatchObject({ code: 0, signal: null });
    expect(end.millis).toBeLessThan(6000);
    const lines = warnings(end);
    expect(lines[lines.length - 1]).toMatch(/^sextant: exit: \d+ spans could not be delivered( within 1 s)?: .*ECONNREFUSED/);
    expect(spansCounted(lines)).toBe(2048);
    expect(lines.length).toBeLessThanOrEqual(2);
  });

  it('is held no longer than timeoutMillis with a hung collector', async () => {
    await withHung(async (url) => {
      const end = await runNode(CHILD, lib, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url, OTEL_EXPORTER_OTLP_TIMEOUT: '1000', SPANS: '1024' });
      expect(end).toMatchObject({ code: 0, signal: null });
      expect(end.millis).toBeLessThan(6000);
      const lines = warnings(end);
      expect(lines[lines.length - 1]).toMatch(/^sextant: exit: \d+ spans could not be delivered within 1 s: /);
      expect(spansCounted(lines)).toBe(1024);
    });
  });
});

describe('SIGTERM', () => {
  it('with the collector down: the flush is bounded and logged, and the signal ends the process', async () => {
    const url = await closedPortUrl('/v1/traces');
    const end = await runNode(
      CHILD,
      lib,
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url, OTEL_EXPORTER_OTLP_TIMEOUT: '1000', SPANS: '100', STAY_UP: '1' },
      { signal: 'SIGTERM' },
    );
    expect(end).toMatchObject({ code: null, signal: 'SIGTERM' });
    expect(end.millisAfterSignal).toBeLessThan(4000);
    const lines = warnings(end);
    expect(lines[lines.length - 1]).toMatch(/^sextant: SIGTERM: \d+ spans could not be delivered( within 1 s)?: .*ECONNREFUSED/);
    expect(spansCounted(lines)).toBe(100);
  });

  it('the shutdown recipe (the application’s own handler closes the tracer and exits) is bounded and exits 0', async () => {
    await withHung(async (url) => {
      const end = await runNode(
        CHILD,
        lib,
        { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url, OTEL_EXPORTER_OTLP_TIMEOUT: '1000', SPANS: '100', STAY_UP: '1', ACTION: 'recipe' },
        { signal: 'SIGTERM' },
      );
      expect(end).toMatchObject({ code: 0, signal: null });
      expect(end.millisAfterSignal).toBeLessThan(4000);
      expect(end.stdout).toContain('closed');
      expect(warnings(end).some((w) => /100 spans could not be delivered within 1 s/.test(w))).toBe(true);
    });
  });
});
