import { rmSync } from 'node:fs';
import { runNode, transpileLib } from '../helpers/child-node';
import type { ChildEnd } from '../helpers/child-node';
import { Collector } from '../helpers/export-collector';
import type { Reply } from '../helpers/export-collector';
import { otlpSpansOf } from '../helpers/otlp-body';

/**
 * flushOnExit and unref'd timers can only be seen from outside a process: each test
 * runs a small program in a child Node.js (the same binary as the test) and watches
 * what reaches a collector and how the child ends.
 */
const CHILD = `
const { Tracer } = require(process.env.SEXTANT_LIB + '/tracer');
const { BatchRecorder } = require(process.env.SEXTANT_LIB + '/recording/batch-recorder');
const { OtlpHttpExporter } = require(process.env.SEXTANT_LIB + '/export/otlp-http-exporter');
const mode = process.env.MODE;
const recorder = new BatchRecorder(new OtlpHttpExporter({ url: process.env.COLLECTOR_URL, retry: { maxAttempts: 1 } }), {
  flushOnExit: mode !== 'no-hook',
  scheduledDelayMillis: 60000,
  exportTimeoutMillis: Number(process.env.EXPORT_TIMEOUT || 30000),
});
const tracer = new Tracer({ serviceName: 'child', recorder, logger: { warn() {} } });
tracer.startSpan('span-' + mode).finish();
if (mode === 'app-sigint') {
  process.on('SIGINT', () => setTimeout(() => process.exit(7), 300));
}
if (process.env.STAY_UP) {
  setInterval(() => {}, 1000); // a server would keep the loop alive like this
  process.stdout.write('ready\\n');
}
`;

let compiledLib = '';

/** The modules the child program loads. */
const ENTRIES = ['tracer', 'recording/batch-recorder', 'export/otlp-http-exporter'];

beforeAll(() => {
  compiledLib = transpileLib(ENTRIES);
});
afterAll(() => rmSync(compiledLib, { recursive: true, force: true }));

function runChild(env: Record<string, string>, signal?: NodeJS.Signals): Promise<ChildEnd> {
  return runNode(CHILD, compiledLib, env, { signal });
}

function spanNames(collector: Collector): string[] {
  return collector.requests.flatMap((r) => otlpSpansOf(r).map((s) => s.name));
}

async function withCollector(reply: () => Reply, test: (collector: Collector) => Promise<void>): Promise<void> {
  const collector = await Collector.start(reply);
  try {
    await test(collector);
  } finally {
    await collector.stop();
  }
}

describe('BatchRecorder and process exit (child processes)', () => {
  it('without flushOnExit, its timers do not keep the process alive', async () => {
    await withCollector(
      () => ({ status: 200 }),
      async (collector) => {
        const end = await runChild({ MODE: 'no-hook', COLLECTOR_URL: collector.url('/v1/traces') });
        // The 60 s delay timer did not hold the process: it ended on its own, and the
        // queued span was lost, as documented.
        expect(end).toMatchObject({ code: 0, signal: null });
        expect(spanNames(collector)).toEqual([]);
      },
    );
  });

  it('flushOnExit flushes on beforeExit, then the process ends normally', async () => {
    await withCollector(
      () => ({ status: 200 }),
      async (collector) => {
        const end = await runChild({ MODE: 'before-exit', COLLECTOR_URL: collector.url('/v1/traces') });
        expect(end).toMatchObject({ code: 0, signal: null });
        expect(spanNames(collector)).toEqual(['span-before-exit']);
      },
    );
  });

  it('flushOnExit flushes on SIGTERM, then dies by SIGTERM as it would have', async () => {
    await withCollector(
      () => ({ status: 200 }),
      async (collector) => {
        const end = await runChild({ MODE: 'sigterm', STAY_UP: '1', COLLECTOR_URL: collector.url('/v1/traces') }, 'SIGTERM');
        expect(end).toMatchObject({ code: null, signal: 'SIGTERM' });
        expect(spanNames(collector)).toEqual(['span-sigterm']);
      },
    );
  });

  it('flushOnExit flushes on SIGINT and leaves the exit to an application SIGINT handler', async () => {
    await withCollector(
      () => ({ status: 200 }),
      async (collector) => {
        const end = await runChild({ MODE: 'app-sigint', STAY_UP: '1', COLLECTOR_URL: collector.url('/v1/traces') }, 'SIGINT');
        // The application's handler chose exit code 7; sextant did not kill it first.
        expect(end).toMatchObject({ code: 7, signal: null });
        expect(spanNames(collector)).toEqual(['span-app-sigint']);
      },
    );
  });

  it('on SIGTERM with a backend that never answers, the flush is bounded and the signal still ends the process', async () => {
    await withCollector(
      () => 'hang',
      async (collector) => {
        const end = await runChild(
          { MODE: 'sigterm-hang', STAY_UP: '1', EXPORT_TIMEOUT: '500', COLLECTOR_URL: collector.url('/v1/traces') },
          'SIGTERM',
        );
        expect(end).toMatchObject({ code: null, signal: 'SIGTERM' });
        expect(collector.requests).toHaveLength(1);
      },
    );
  });
});
