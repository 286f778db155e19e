import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import type * as TypeScript from 'typescript';

// Node's own require, outside Jest's module registry: it finds the TypeScript that
// ts-jest already loaded in this worker instead of evaluating it again.
const ts = createRequire(__filename)('typescript') as typeof TypeScript;
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

interface ChildEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  millis: number;
}

const ROOT = resolve(__dirname, '..', '..');
let compiledLib = '';

/** The modules the child program loads. */
const ENTRIES = ['tracer', 'recording/batch-recorder', 'export/otlp-http-exporter'];

/**
 * The child's modules (the entries and what they import, not all of lib/) transpiled
 * to JavaScript once, so each child starts in milliseconds rather than seconds.
 */
function transpileLib(): string {
  const out = mkdtempSync(join(tmpdir(), 'sextant-exit-'));
  const pending = ENTRIES.map((entry) => join(ROOT, 'lib', `${entry}.ts`));
  const done = new Set<string>();
  while (pending.length > 0) {
    const path = pending.pop() as string;
    if (done.has(path)) continue;
    done.add(path);
    const source = readFileSync(path, 'utf8');
    for (const match of source.matchAll(/from '(\.{1,2}\/[^']+)'/g)) pending.push(resolve(dirname(path), `${match[1]}.ts`));
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    const target = join(out, relative(join(ROOT, 'lib'), path)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  return out;
}

beforeAll(() => {
  compiledLib = transpileLib();
});
afterAll(() => rmSync(compiledLib, { recursive: true, force: true }));

function runChild(env: Record<string, string>, signal?: NodeJS.Signals): Promise<ChildEnd> {
  return new Promise((resolvePromise, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['-e', CHILD], {
      cwd: ROOT,
      // The transpiled lib finds its one dependency (opentracing) through NODE_PATH.
      env: { ...process.env, ...env, SEXTANT_LIB: compiledLib, NODE_PATH: join(ROOT, 'node_modules') },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('child did not end in time'));
    }, 20_000);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (signal !== undefined && output.includes('ready')) {
        output = '';
        child.kill(signal);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, endSignal) => {
      clearTimeout(guard);
      resolvePromise({ code, signal: endSignal, millis: Date.now() - started });
    });
  });
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
