/**
 * The drop-in matrix's register column: the apps of drop-in-frameworks.spec.ts (every
 * framework, with its helper and without), express-opentracing and apollo-opentracing
 * from npm, all served by one child process started as a user starts it —
 * `node --require sextant/register`, through the built package's `exports`, exporting
 * OTLP/JSON to a loopback collector. Every request is made first, then each case reads
 * its own trace back (each request has its own URL, or its own upstream trace id).
 */
import { execFile } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildPackage, startService, type Service } from '../helpers/built-package';
import { Collector } from '../helpers/export-collector';
import { installScript, linkPackages } from '../helpers/installed-script';
import { waitFor } from '../helpers/middleware';
import { treeLines } from '../helpers/run-sample';
import { exportedSpans, spanTree, type ExportedSpan } from '../helpers/otlp-spans';
import { adapters } from './fixtures/framework-apps';

const CALLER = '00f067aa0ba902b7';
const SERVER = 2;
/** A distinct upstream trace id per request. */
const traceIdFor = (n: number): string => `4bf92f3577b34da6a3ce9290${n.toString(16).padStart(8, '0')}`;

const frameworkCases = adapters.flatMap((a, i) => [
  { label: `${a.framework} ${a.version} with ${a.helper}`, app: `${a.key} helper`, n: 2 * i + 1, named: true, helper: true },
  { label: `${a.framework} ${a.version}, no helper`, app: `${a.key} none`, n: 2 * i + 2, named: a.routeNamedWithoutHelper, helper: false },
]);
const expressOpentracingCases = ['4', '5'].flatMap((major, i) => [
  { label: `Express ${major} alone`, app: `express-opentracing express${major} alone`, n: 101 + 2 * i },
  { label: `Express ${major} behind tracingMiddleware`, app: `express-opentracing express${major} tracingMiddleware`, n: 102 + 2 * i },
]);
const APOLLO_TRACE = traceIdFor(200);
const GET_USER = 'query GetUser { user(id: "1") { name friends { name } } }';

/** Every package a fixture or sample loads, linked beside the built sextant. */
const PACKAGES = [
  'express4',
  'koa',
  'koa2',
  '@koa/router',
  'fastify',
  'fastify4',
  'express-opentracing',
  'apollo-server',
  'apollo-opentracing',
  '@risingstack/opentracing-auto',
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/platform-express',
  '@nestjs/platform-fastify',
  'reflect-metadata',
  'rxjs',
];

let dir: string;
beforeAll(() => {
  dir = buildPackage();
  linkPackages(dir, PACKAGES);
  installScript(dir, 'spec/interop/fixtures/framework-apps.ts');
}, 60_000);
afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** The environment of a service under register exporting OTLP/JSON to `collector` */
function registerEnv(collector: Collector, service: string): NodeJS.ProcessEnv {
  return {
    OTEL_SERVICE_NAME: service,
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.url(''),
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '50',
    NODE_ENV: 'production',
  };
}

/**
 * Where the app's `require('sextant')` leads: to the copy `--require sextant/register`
 * loaded, or to a copy of its own (an app bundled with sextant inside, or one installed
 * apart from the register's), which must cooperate with the register's: one span per request.
 */
const installs = [
  ['the app and register share one installed sextant', (): string => dir],
  [
    'the app has its own copy of sextant',
    (): string => {
      const appDir = join(dir, 'own-copy');
      cpSync(join(dir, 'node_modules', 'sextant'), join(appDir, 'node_modules', 'sextant'), { recursive: true });
      installScript(appDir, 'spec/interop/fixtures/framework-apps.ts');
      return appDir;
    },
  ],
] as const;

describe.each(installs)('drop-in under node --require sextant/register, %s (one child process serves the matrix)', (_label, appDir) => {
  let collector: Collector;
  let service: Service | null = null;
  let spans: ExportedSpan[] = [];
  const answers = new Map<string, { status: number; body: unknown }>();

  async function call(name: string, url: string, init: RequestInit = {}): Promise<void> {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
    answers.set(name, { status: res.status, body: await res.json().catch(() => null) });
  }

  beforeAll(async () => {
    const script = installScript(appDir(), 'spec/interop/fixtures/register-matrix-app.ts');
    collector = await Collector.start();
    service = await startService(dir, ['--require', 'sextant/register'], script, registerEnv(collector, 'matrix'));
    const apps = JSON.parse(/^apps (.*)$/m.exec(service.output())![1]) as Record<string, string>;

    // In parallel per app, in order within one (each app's requests on its own connection).
    const requests: Promise<void>[] = [];
    for (const c of frameworkCases) {
      const base = apps[c.app];
      requests.push(
        (async () => {
          await call(`${c.app} order`, `${base}/orders/${c.n}`, { headers: { traceparent: `00-${traceIdFor(c.n)}-${CALLER}-01` } });
          await call(`${c.app} refund`, `${base}/orders/${c.n}/refund`);
        })(),
      );
    }
    for (const c of expressOpentracingCases) {
      const base = apps[c.app];
      requests.push(
        (async () => {
          await call(`${c.app} no header`, `${base}/users/${c.n}`);
          await call(`${c.app} header`, `${base}/users/${c.n}0`, { headers: { traceparent: `00-${traceIdFor(c.n)}-${CALLER}-01` } });
        })(),
      );
    }
    const graphql = (body: object, headers: Record<string, string> = {}): RequestInit => ({
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    requests.push(
      (async () => {
        await call(
          'apollo header',
          apps.apollo,
          graphql({ query: GET_USER, operationName: 'GetUser' }, { traceparent: `00-${APOLLO_TRACE}-${CALLER}-01` }),
        );
        await call('apollo no header', apps.apollo, graphql({ query: '{ user(id: "2") { name } }' }));
      })(),
    );
    await Promise.all(requests);

    // 4 spans per framework app and per express-opentracing request, 7 + 4 for the two GraphQL requests.
    const expected = frameworkCases.length * 4 + expressOpentracingCases.length * 2 * 4 + 11;
    await waitFor(() => exportedSpans(collector).length >= expected, 15_000).catch(() => undefined);
    expect(await service.stop()).toBe('SIGTERM');
    spans = exportedSpans(collector);
  }, 120_000);

  afterAll(async () => {
    await service?.stop(2000);
    await collector?.stop();
  });

  const serverSpansAt = (url: string): ExportedSpan[] => spans.filter((s) => s.kind === SERVER && s.attributes['http.url'] === url);
  const inTrace = (traceId: string): ExportedSpan[] => spans.filter((s) => s.traceId === traceId);

  it("warns only about express-opentracing's double finish, once per kind, and exports no span of its own export requests", () => {
    const lines = service!
      .output()
      .split('\n')
      .filter((line) => line !== '' && !/^(apps|listening on) /.test(line));
    // The package ends its span on both 'finish' and 'close'; sextant records it once and says so once.
    expect(lines.sort()).toEqual(
      ['finish', 'log', 'setOperationName', 'setTag'].map(
        (method) => `sextant: span.${method}() called after finish() on '/users/:id'; ignored (reported once).`,
      ),
    );
    expect(spans.filter((s) => String(s.attributes['http.url']).includes('/v1/traces'))).toEqual([]);
  });

  describe.each(frameworkCases)('$label', ({ app, n, named, helper }) => {
    it(`one server span per request, continuing the upstream trace, named ${named ? 'by the route' : 'by the method'}, handler spans nested`, () => {
      expect(answers.get(`${app} order`)).toEqual({ status: 200, body: { id: String(n) } });
      const [server, ...others] = serverSpansAt(`/orders/${n}`);
      expect(others).toEqual([]);
      expect(server).toMatchObject({ traceId: traceIdFor(n), parentSpanId: CALLER, name: named ? 'GET /orders/:id' : 'GET' });
      expect(server.attributes).toMatchObject({ 'http.method': 'GET', 'http.status_code': 200 });
      expect(spanTree(spans, server)).toEqual([
        server.name,
        `${server.name} > db.load-order`,
        `${server.name} > db.load-order > cache.lookup`,
      ]);
      expect(inTrace(server.traceId)).toHaveLength(3);
    });

    it(helper ? "the handler's error recorded once on the one server span" : 'a failing request marked error by its 500', () => {
      expect(answers.get(`${app} refund`)?.status).toBe(500);
      const [server, ...others] = serverSpansAt(`/orders/${n}/refund`);
      expect(others).toEqual([]);
      expect(server).toMatchObject({ parentSpanId: '', name: named ? 'GET /orders/:id/refund' : 'GET', status: 2 });
      expect(server.attributes).toMatchObject({ 'http.status_code': 500 });
      expect(inTrace(server.traceId)).toHaveLength(1);
      if (helper) {
        expect(server.events.map((e) => e.name)).toEqual(['error']);
        expect(server.events[0].attributes.message).toBe('refunds are closed');
        expect(String(server.events[0].attributes.stack)).toContain('refunds are closed');
      } else {
        // Nothing sees the error object without a helper: the 500 alone marks the span.
        expect(server.events).toEqual([]);
      }
    });
  });

  describe.each(expressOpentracingCases)('express-opentracing 0.1.1 on $label', ({ app, n }) => {
    it('no upstream header: one trace, its span a child of the one sextant server span', () => {
      expect(answers.get(`${app} no header`)).toEqual({ status: 200, body: { id: String(n) } });
      const [server, ...others] = serverSpansAt(`/users/${n}`).filter((s) => s.name === 'GET /users/:id');
      expect(others).toEqual([]);
      expect(server.parentSpanId).toBe('');
      expect(spanTree(spans, server)).toEqual([
        'GET /users/:id',
        'GET /users/:id > /users/:id',
        'GET /users/:id > /users/:id > db.load-user',
        'GET /users/:id > audit',
      ]);
      expect(inTrace(server.traceId)).toHaveLength(4);
    });

    it('upstream header: one trace, both server spans children of the caller', () => {
      expect(answers.get(`${app} header`)?.status).toBe(200);
      const trace = inTrace(traceIdFor(n));
      expect(
        trace
          .filter((s) => s.kind === SERVER && s.parentSpanId === CALLER)
          .map((s) => s.name)
          .sort(),
      ).toEqual(['/users/:id', 'GET /users/:id']);
      expect(trace).toHaveLength(4);
    });
  });

  describe('apollo-opentracing 3.0.45 on apollo-server 3', () => {
    it('no upstream header: its request span a child of the one sextant server span, field spans nested below it', () => {
      expect(answers.get('apollo no header')).toEqual({ status: 200, body: { data: { user: { name: 'Grace' } } } });
      const servers = spans.filter((s) => s.kind === SERVER && s.name.startsWith('POST') && s.traceId !== APOLLO_TRACE);
      expect(servers).toHaveLength(1);
      const [server] = servers;
      expect(server.parentSpanId).toBe('');
      const request = spans.find((s) => s.parentSpanId === server.spanId)!;
      expect(spanTree(spans, server)).toEqual([
        server.name,
        `${server.name} > ${request.name}`,
        `${server.name} > ${request.name} > user`,
        `${server.name} > ${request.name} > user > name`,
      ]);
      expect(inTrace(server.traceId)).toHaveLength(4);
    });

    it('upstream header: the request span and the server span both children of the caller, field spans nested, one trace', () => {
      expect(answers.get('apollo header')?.status).toBe(200);
      const trace = inTrace(APOLLO_TRACE);
      const roots = trace.filter((s) => s.parentSpanId === CALLER);
      expect(roots.map((s) => s.kind).sort()).toEqual([1, SERVER].sort());
      const request = roots.find((s) => s.kind !== SERVER)!;
      expect(spanTree(trace, request).map((path) => path.split(' > ').slice(1).join(' > '))).toEqual([
        '',
        'user',
        'user > friends',
        'user > friends > name',
        'user > friends > name',
        'user > name',
      ]);
      expect(trace).toHaveLength(7);
    });
  });
});

/**
 * @risingstack/opentracing-auto patches `http` and `express` itself (require-in-the-middle),
 * so it gets processes of its own. Its spans are read from the console exporter's trees:
 * with an HTTP exporter the process does not live long enough (last case).
 */
describe('drop-in under register: @risingstack/opentracing-auto 1.5.2 with Express 4', () => {
  const TRACE = traceIdFor(300);
  let script: string;
  let collector: Collector;
  let output = '';
  const answers: { id: string; leaf: string }[] = [];

  beforeAll(async () => {
    script = installScript(dir, 'spec/interop/fixtures/opentracing-auto-register-app.ts');
    collector = await Collector.start();
    const service = await startService(dir, ['--require', 'sextant/register'], script, {
      ...registerEnv(collector, 'auto'),
      OTEL_TRACES_EXPORTER: 'console',
    });
    try {
      for (const [id, headers] of [
        ['3', { traceparent: `00-${TRACE}-${CALLER}-01` }],
        ['4', {}],
      ] as const) {
        const res = await fetch(`${service.url}/users/${id}`, { headers, signal: AbortSignal.timeout(10_000) });
        answers.push((await res.json()) as { id: string; leaf: string });
      }
      // The console exporter prints a trace when its local root ends, which may be just after the answer.
      await waitFor(() => treeLines(service.output()).length >= 6, 5000);
    } finally {
      expect(await service.stop()).toBe('SIGTERM');
      output = service.output();
    }
  }, 60_000);
  afterAll(async () => {
    await collector?.stop();
  });

  /** The console exporter's output, one block per printed trace (its header line first). */
  const traceBlocks = (): string[] => output.split(/\n(?=trace [0-9a-f]{32} )/).filter((block) => /^trace [0-9a-f]{32} /.test(block));

  it("no upstream header: its server span nested under sextant's, one client span per call (its own), two server spans per hop", () => {
    expect(answers[1].id).toBe('4');
    const local = traceBlocks().filter((block) => !block.startsWith(`trace ${TRACE}`));
    expect(local).toHaveLength(1);
    expect(treeLines(local[0])).toEqual([
      '  GET /users/:id (auto)',
      '  ├─ http_server (auto)',
      '  │  └─ http_request (auto)',
      // sextant's zero-code client span stays out: the request already carries the package's traceparent.
      '  │     ├─ GET /leaf/:id (auto)',
      '  │     └─ http_server (auto)',
      // Spans the app starts are children of the active (sextant's) server span.
      '  └─ app.own-span (auto)',
    ]);
  });

  it("upstream header: the caller's trace goes on downstream through the package's client span", () => {
    expect(answers[0]).toEqual({ id: '3', leaf: expect.stringMatching(new RegExp(`^leaf:00-${TRACE}-[0-9a-f]{16}-01$`)) });
  });

  it('upstream header: the trace, still waiting for its remote root when SIGTERM came, is printed at exit: both server spans children of the caller', () => {
    const upstream = traceBlocks().filter((block) => block.startsWith(`trace ${TRACE}`));
    expect(upstream).toHaveLength(1);
    expect(treeLines(upstream[0])).toEqual([
      '  GET /users/:id (auto)',
      '  └─ app.own-span (auto)',
      '  http_server (auto)',
      '  └─ http_request (auto)',
      '     ├─ GET /leaf/:id (auto)',
      '     └─ http_server (auto)',
    ]);
  });

  it("with sextant's OTLP exporter the app crashes at the first export: the package's http.request wrapper takes request(url, options) for request(options, callback)", async () => {
    const service = await startService(dir, ['--require', 'sextant/register'], script, registerEnv(collector, 'auto'));
    await (await fetch(`${service.url}/users/5`, { signal: AbortSignal.timeout(10_000) })).text();
    await collector.waitForRequests(1, 10_000);
    const status = await service.stop(10_000);

    // The export went out without its options (method, headers, body)...
    expect(collector.requests.map((r) => `${r.method} ${r.path} ${r.raw.length} bytes`)).toEqual(['GET /v1/traces 0 bytes']);
    // ...and the wrapper called the options object as the response callback, outside any try.
    expect(service.output()).toMatch(
      /TypeError: callback is not a function\n\s+at ClientRequest\.<anonymous> \(.*@risingstack\/opentracing-auto\//,
    );
    expect(status).toBe(1);
  }, 30_000);
});

/**
 * The framework samples, installed as a user who copied them has them (importing
 * 'sextant') and run under `node --require sextant/register`, unchanged: each takes
 * `registeredTracer()` when there is one (else builds its own, with a ConsoleRecorder).
 */
describe('drop-in under register: the framework samples, unchanged', () => {
  let collector: Collector;
  beforeEach(async () => {
    collector = await Collector.start();
  });
  afterEach(async () => {
    await collector.stop();
  });

  /** Runs an installed sample to its end under register; killed after 60 s. */
  function runUnderRegister(script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));
    const env = { ...cleanEnv, ...registerEnv(collector, 'orders') };
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['--require', 'sextant/register', script, ...args],
        { cwd: dir, env, timeout: 60_000 },
        (error, stdout, stderr) =>
          resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr }),
      );
    });
  }

  it.each([
    ['express-app.ts', [], []],
    ['koa-app.ts', [], []],
    ['fastify-app.ts', [], []],
    ['nestjs-app.ts', [], []],
    ['nestjs-app.ts', ['--fastify'], []],
    ['node-http-app.ts', [], ['POST /orders/:id/pay']],
  ])(
    '%s %j: one server span per request (the zero-code span, adopted and named by the helper), errors recorded once; the handler spans in the same trace',
    async (sample, args, moreFailing) => {
      const { code, stdout, stderr } = await runUnderRegister(installScript(dir, `samples/${sample}`), args);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toContain('GET  /orders/42        -> 200');
      expect(stdout).toContain('POST /orders/42/refund -> 500');

      // The process ended by itself: register's exit flush sent everything.
      const spans = exportedSpans(collector);
      const servers = spans.filter((s) => s.kind === SERVER);
      const failing = ['POST /orders/:id/refund', ...moreFailing];
      expect(servers.map((s) => s.name).sort()).toEqual(['GET /orders/:id', ...failing].sort());
      for (const server of servers) {
        // The sample's own fetch, traced by zero-code tracing, is the server span's parent.
        expect(spans.find((s) => s.spanId === server.parentSpanId)).toMatchObject({ kind: 3, traceId: server.traceId });
        expect(server.events.map((e) => e.name)).toEqual(failing.includes(server.name) ? ['error'] : []);
      }
      // The sample takes registeredTracer() when there is one: its handler spans are exported
      // with the server span, as its children; nothing is left for a console of its own.
      const get = servers.find((s) => s.name === 'GET /orders/:id')!;
      expect(spans.filter((s) => s.name === 'db.load-order')).toEqual([
        expect.objectContaining({ traceId: get.traceId, parentSpanId: get.spanId }),
      ]);
      expect(treeLines(stdout)).toEqual([]);
    },
    60_000,
  );
});
