import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('the packed package', () => {
  let dir: string;
  let files: string[];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sextant-pack-'));
    const output = execFileSync(npm, ['pack', '--json', '--pack-destination', dir], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const [packed] = JSON.parse(output.slice(output.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    files = packed.files.map((f) => f.path);
    const installed = join(dir, 'node_modules', 'sextant');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', join(dir, packed.filename), '-C', installed, '--strip-components=1']);
    symlinkSync(join(root, 'node_modules', 'opentracing'), join(dir, 'node_modules', 'opentracing'), 'dir');
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ships the build, types and docs, not the sources or tests', () => {
    expect(files).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'README.md', 'CHANGELOG.md', 'package.json']));
    expect(files.filter((f) => f.startsWith('spec/') || f.startsWith('lib/') || f.startsWith('bench/'))).toEqual([]);
  });

  it('depends on opentracing only', () => {
    const pkg = JSON.parse(readFileSync(join(dir, 'node_modules', 'sextant', 'package.json'), 'utf8'));
    expect(Object.keys(pkg.dependencies)).toEqual(['opentracing']);
    expect(pkg.engines.node).toBe('>=20');
  });

  it('works with require()', () => {
    const out = execFileSync(
      process.execPath,
      [
        '-e',
        `
      const { Tracer, InMemoryRecorder } = require('sextant');
      const recorder = new InMemoryRecorder();
      const tracer = new Tracer({ serviceName: 'cjs', recorder });
      tracer.startSpan('hello').finish();
      console.log(recorder.spans()[0].operationName, recorder.spans()[0].traceId.length);
    `,
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(out.trim()).toBe('hello 32');
  });

  it('works with import', () => {
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `
      import { Tracer, InMemoryRecorder } from 'sextant';
      import * as opentracing from 'opentracing';
      const recorder = new InMemoryRecorder();
      const tracer = new Tracer({ serviceName: 'esm', recorder });
      opentracing.initGlobalTracer(tracer);
      opentracing.globalTracer().startSpan('hello').finish();
      console.log(recorder.spans()[0].serviceName);
    `,
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(out.trim()).toBe('esm');
  });

  it('gives TypeScript users its types', () => {
    writeFileSync(
      join(dir, 'use.ts'),
      `
      import { Tracer, type FinishedSpan, type TracerOptions } from 'sextant';
      const options: TracerOptions = { serviceName: 'ts' };
      const tracer: Tracer = new Tracer(options);
      const check: (s: FinishedSpan) => string = (s) => s.traceId;
      tracer.startActiveSpan('x', (span) => span.setTag('k', 1));
      void check;
    `,
    );
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: 'node16',
          moduleResolution: 'node16',
          target: 'ES2022',
          types: [],
          typeRoots: [join(root, 'node_modules', '@types')],
          skipLibCheck: true,
        },
        files: ['use.ts'],
      }),
    );
    execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { cwd: dir, encoding: 'utf8' });
  }, 60_000);
});
