import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

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
    expect(files).toEqual(
      expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'dist/register.js', 'README.md', 'CHANGELOG.md', 'package.json']),
    );
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

  // The `./register` subpath, for both module systems: zero-code tracing of an app that imports nothing of sextant.
  it.each([
    ['--require', ['-e']],
    ['--import', ['--input-type=module', '-e']],
  ])('publishes sextant/register for %s', (flag, evalFlags) => {
    const out = execFileSync(
      process.execPath,
      [
        flag,
        'sextant/register',
        ...evalFlags,
        `(async () => {
      const http = await import('node:http');
      const { registeredTracer, Tracer } = await import('sextant');
      const { globalTracer } = await import('opentracing');
      const server = http.createServer((req, res) => res.end(String(registeredTracer().activeSpan() !== null)));
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      const body = await (await fetch('http://127.0.0.1:' + server.address().port + '/')).text();
      server.close();
      console.log(registeredTracer() instanceof Tracer, globalTracer().startSpan('x').context().toTraceId().length, body);
    })()`,
      ],
      { cwd: dir, encoding: 'utf8', env: { ...process.env, OTEL_TRACES_EXPORTER: 'none' } },
    );
    expect(out.trim()).toBe('true 32 true');
  });

  it('ships source maps that carry the sources they point to', () => {
    const maps = files.filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    for (const mapFile of maps) {
      const map = JSON.parse(readFileSync(join(dir, 'node_modules', 'sextant', mapFile), 'utf8')) as {
        sources: string[];
        sourcesContent?: (string | null)[];
      };
      map.sources.forEach((source, i) => {
        const shipped = files.includes(join(dirname(mapFile), source).replace(/\\/g, '/'));
        expect(shipped || typeof map.sourcesContent?.[i] === 'string').toBe(true);
      });
    }
  });

  // A consumer that lists no Node types (`types: []`) and checks library types
  // (`skipLibCheck: false`), with the TypeScript we build with and the newest one.
  const compilers = [
    ['TypeScript 5.9', join(root, 'node_modules', 'typescript', 'bin', 'tsc')],
    ['the newest TypeScript', join(root, 'node_modules', 'typescript-latest', 'bin', 'tsc')],
  ];
  it.each(compilers)(
    'gives TypeScript users its types (%s)',
    (_name, tsc) => {
      writeFileSync(
        join(dir, 'use.ts'),
        `
      import { Tracer, InMemoryRecorder, BatchRecorder, OtlpHttpExporter, tracingMiddleware, traceHttpHandler,
        type FinishedSpan, type TracerOptions, type Span } from 'sextant';
      const options: TracerOptions = { serviceName: 'ts', recorder: new InMemoryRecorder() };
      const tracer: Tracer = new Tracer(options);
      const check: (s: FinishedSpan) => string = (s) => s.traceId;
      tracer.startActiveSpan('x', (span: Span) => {
        const same: Tracer = span.tracer();
        return same.activeSpan()?.setTag('k', 1);
      });
      const recorder = new BatchRecorder(new OtlpHttpExporter({ url: 'http://127.0.0.1:4318/v1/traces' }));
      const middleware = tracingMiddleware(tracer);
      const handler = traceHttpHandler(tracer, (_req, res) => res.end());
      void check; void recorder; void middleware; void handler;
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
            skipLibCheck: false,
          },
          files: ['use.ts'],
        }),
      );
      execFileSync(process.execPath, [tsc, '-p', dir], { cwd: dir, encoding: 'utf8' });
    },
    60_000,
  );

  // In order: first without @opentelemetry/api installed beside the package, then with it.
  it("never loads @opentelemetry/api for require('sextant'); without it, the register path registers nothing", () => {
    const maybeRegister = join(dir, 'node_modules', 'sextant', 'dist', 'opentelemetry', 'maybe-register.js');
    const out = execFileSync(
      process.execPath,
      [
        '-e',
        `
      const { Tracer } = require('sextant');
      const { maybeRegisterOpenTelemetry } = require(${JSON.stringify(maybeRegister)});
      const warnings = [];
      const tracer = new Tracer({ serviceName: 'no-otel', logger: { warn: (m) => warnings.push(m) } });
      const quiet = maybeRegisterOpenTelemetry(tracer, {});
      const asked = maybeRegisterOpenTelemetry(tracer, { SEXTANT_OPENTELEMETRY: 'true' });
      const loaded = Object.keys(require.cache).filter((k) => k.includes('@opentelemetry')).length;
      console.log(quiet, asked, loaded, warnings.join('|'));
    `,
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(out.trim()).toBe(
      'null null 0 sextant: SEXTANT_OPENTELEMETRY=true but @opentelemetry/api is not installed; OpenTelemetry bridge off.',
    );
  });

  it('serves sextant/opentelemetry to require() and import, with types, once @opentelemetry/api is installed', () => {
    mkdirSync(join(dir, 'node_modules', '@opentelemetry'), { recursive: true });
    symlinkSync(join(root, 'node_modules', '@opentelemetry', 'api'), join(dir, 'node_modules', '@opentelemetry', 'api'), 'dir');
    const program = (load: string) => `
      ${load}
      const recorder = new InMemoryRecorder();
      const registration = registerOpenTelemetry(new Tracer({ serviceName: 'otel-subpath', recorder }));
      api.trace.getTracer('lib', '1.0.0').startSpan('through-the-api').end();
      registration.disable();
      const [span] = recorder.spans();
      console.log(span.operationName, span.scope.name, span.scope.version);
    `;
    const cjs = execFileSync(
      process.execPath,
      [
        '-e',
        program(`const { Tracer, InMemoryRecorder } = require('sextant');
        const { registerOpenTelemetry } = require('sextant/opentelemetry');
        const api = require('@opentelemetry/api');`),
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(cjs.trim()).toBe('through-the-api lib 1.0.0');
    const esm = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        program(`import { Tracer, InMemoryRecorder } from 'sextant';
        import { registerOpenTelemetry } from 'sextant/opentelemetry';
        import * as api from '@opentelemetry/api';`),
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(esm.trim()).toBe('through-the-api lib 1.0.0');

    writeFileSync(
      join(dir, 'use-otel.ts'),
      `
      import { Tracer } from 'sextant';
      import { registerOpenTelemetry, maybeRegisterOpenTelemetry, type OpenTelemetryRegistration } from 'sextant/opentelemetry';
      const registration: OpenTelemetryRegistration = registerOpenTelemetry(new Tracer({ serviceName: 'ts' }), { propagator: true });
      const maybe: OpenTelemetryRegistration | null = maybeRegisterOpenTelemetry(new Tracer({ serviceName: 'ts' }), {});
      registration.disable(); maybe?.disable();
    `,
    );
    writeFileSync(
      join(dir, 'tsconfig.otel.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: 'node16',
          moduleResolution: 'node16',
          target: 'ES2022',
          types: [],
          typeRoots: [join(root, 'node_modules', '@types')],
          skipLibCheck: false,
        },
        files: ['use-otel.ts'],
      }),
    );
    for (const [, tsc] of compilers)
      execFileSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.otel.json')], { cwd: dir, encoding: 'utf8' });
  }, 90_000);
});
