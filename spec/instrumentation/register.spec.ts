import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildPackage, startService, type Service } from '../helpers/built-package';
import { Collector } from '../helpers/export-collector';
import { exportedSpans } from '../helpers/otlp-spans';
import { waitFor } from '../helpers/middleware';

const samples = resolve(__dirname, '..', '..', 'samples', 'zero-code');
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER = '00f067aa0ba902b7';

/**
 * `node --require sextant/register` and `node --import sextant/register`, through the
 * package's `exports` map, in real processes on this Node: zero-code tracing of apps
 * that do not import sextant, read back from a loopback OTLP receiver.
 */
describe('sextant/register', () => {
  let dir: string;
  let collector: Collector;
  const running: Service[] = [];

  beforeAll(() => {
    dir = buildPackage();
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(async () => {
    collector = await Collector.start();
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop(2000)));
    await collector.stop();
  });

  function otelEnv(service: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
      OTEL_SERVICE_NAME: service,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url(''),
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      PORT: '0',
      ...extra,
    };
  }

  async function start(flags: string[], script: string, env: NodeJS.ProcessEnv): Promise<Service> {
    const service = await startService(dir, flags, script, env);
    running.push(service);
    return service;
  }

  it('samples/zero-code: two services (CJS --require, ESM --import) make one trace, every parent right, no export spans', async () => {
    const prices = await start(['--require', 'sextant/register'], join(samples, 'backend.cjs'), otelEnv('prices'));
    const quotes = await start(
      ['--import', 'sextant/register'],
      join(samples, 'frontend.mjs'),
      otelEnv('quotes', { PRICES_URL: prices.url }),
    );

    const response = await fetch(`${quotes.url}/quote?items=apple,pear`, { headers: { traceparent: `00-${TRACE_ID}-${CALLER}-01` } });
    expect(await response.json()).toEqual({ cents: 215 });
    // SIGTERM: sextant flushes, then lets the signal end the process.
    expect(await quotes.stop()).toBe('SIGTERM');
    expect(await prices.stop()).toBe('SIGTERM');

    const spans = exportedSpans(collector);
    const summary = spans.map((s) => `${s.service} ${s.kind} ${s.name} ${String(s.attributes['http.url'])}`).sort();
    expect(summary).toEqual([
      expect.stringMatching(/^prices 2 GET \/prices\/apple$/),
      expect.stringMatching(/^prices 2 GET \/prices\/pear$/),
      expect.stringMatching(/^quotes 2 GET \/quote\?items=apple,pear$/),
      expect.stringMatching(/^quotes 3 GET 127\.0\.0\.1:\d+ http:\/\/127\.0\.0\.1:\d+\/prices\/apple$/),
      expect.stringMatching(/^quotes 3 GET 127\.0\.0\.1:\d+ http:\/\/127\.0\.0\.1:\d+\/prices\/pear$/),
    ]);
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([TRACE_ID]));
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const front = spans.find((s) => s.service === 'quotes' && s.kind === 2)!;
    expect(front.parentSpanId).toBe(CALLER);
    for (const client of spans.filter((s) => s.kind === 3)) expect(client.parentSpanId).toBe(front.spanId);
    for (const back of spans.filter((s) => s.service === 'prices')) {
      const parent = byId.get(back.parentSpanId)!;
      expect(parent.kind).toBe(3);
      expect(String(parent.attributes['http.url']).endsWith(String(back.attributes['http.url']))).toBe(true);
    }
    expect(spans.filter((s) => String(s.attributes['http.url']).includes('/v1/traces'))).toEqual([]);
  }, 60_000);

  it('Express + tracingMiddleware(registeredTracer()) under register (loaded twice, plus an instrument() call): one server span, named by route; the global tracer is the registered one', async () => {
    const app = join(dir, 'express-app.js');
    writeFileSync(
      app,
      `
      const express = require('express');
      const opentracing = require('opentracing');
      const { tracingMiddleware, registeredTracer, instrument } = require('sextant');
      const tracer = registeredTracer();
      instrument(tracer); // already on: says so, traces nothing twice
      const app = express();
      app.use(tracingMiddleware(tracer, { tags: () => ({ 'app.mounted': true }) }));
      app.get('/users/:id', (req, res) => {
        opentracing.globalTracer().startSpan('via-global-tracer').finish();
        res.json({ id: req.params.id, active: tracer.activeSpan() !== null });
      });
      const server = app.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port));
      `,
    );
    const service = await start(['--require', 'sextant/register', '--import', 'sextant/register'], app, otelEnv('users'));

    for (const id of ['1', '2']) expect(await (await fetch(`${service.url}/users/${id}`)).json()).toEqual({ id, active: true });
    await waitFor(() => exportedSpans(collector).length >= 4, 10_000);
    await service.stop();

    const spans = exportedSpans(collector);
    const servers = spans.filter((s) => s.kind === 2);
    expect(servers.map((s) => s.name)).toEqual(['GET /users/:id', 'GET /users/:id']);
    expect(servers.every((s) => s.attributes['app.mounted'] === true)).toBe(true);
    const manual = spans.filter((s) => s.name === 'via-global-tracer');
    expect(manual.map((s) => s.parentSpanId).sort()).toEqual(servers.map((s) => s.spanId).sort());
    expect(service.output()).toMatch(/'http' is already traced in this process/);
  }, 60_000);

  it('OTEL_NODE_DISABLED_INSTRUMENTATIONS=undici leaves fetch untraced; unknown names are reported', async () => {
    const app = join(dir, 'fetching-app.mjs');
    writeFileSync(
      app,
      `
      import http from 'node:http';
      const server = http.createServer(async (req, res) => {
        if (req.url === '/down') return res.end(String(req.headers.traceparent));
        res.end(await (await fetch('http://127.0.0.1:' + server.address().port + '/down')).text());
      });
      server.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port));
      `,
    );
    const service = await start(
      ['--import', 'sextant/register'],
      app,
      otelEnv('fetching', { OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,express', OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'undici' }),
    );

    expect(await (await fetch(`${service.url}/up`)).text()).toBe('undefined');
    await waitFor(() => exportedSpans(collector).length >= 2, 10_000);
    await service.stop();

    const spans = exportedSpans(collector);
    expect(spans.map((s) => `${s.kind} ${String(s.attributes['http.url'])}`).sort()).toEqual(['2 /down', '2 /up']);
    expect(spans[0].traceId).not.toBe(spans[1].traceId);
    expect(service.output()).toMatch(/OTEL_NODE_ENABLED_INSTRUMENTATIONS="http,express".*no instrumentation named express/);
  }, 60_000);

  /** Runs a script that ends by itself; resolves with its exit code and output. */
  function runToEnd(flags: string[], script: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
    const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));
    return new Promise((resolve) => {
      execFile(process.execPath, [...flags, script], { cwd: dir, env: { ...cleanEnv, ...env }, timeout: 30_000 }, (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, output: stdout + stderr }),
      );
    });
  }

  const SELF_CALL = `
    const http = require('node:http');
    const server = http.createServer((req, res) => res.end(req.headers.traceparent === undefined ? 'pong, no context' : 'pong, in a trace'));
    server.listen(0, '127.0.0.1', async () => {
      const body = await (await fetch('http://127.0.0.1:' + server.address().port + '/ping')).text();
      server.close();
      console.log(body);
    });
  `;

  it('flushes the spans of a process that ends by itself (no signal, no flush call)', async () => {
    const script = join(dir, 'self-call.js');
    writeFileSync(script, SELF_CALL);
    // The default batch delay (5 s) is far longer than the process lives: only the exit flush can send them.
    const env = otelEnv('ending');
    delete env.OTEL_BSP_SCHEDULE_DELAY;

    const { code, output } = await runToEnd(['--require', 'sextant/register'], script, env);

    expect({ code, output: output.trim() }).toEqual({ code: 0, output: 'pong, in a trace' });
    const spans = exportedSpans(collector);
    expect(spans.map((s) => `${s.kind} ${s.name}`).sort()).toEqual(['2 GET', expect.stringMatching(/^3 GET 127\.0\.0\.1:\d+$/)]);
    expect(spans[0].traceId).toBe(spans[1].traceId);
  }, 60_000);

  it('OTEL_SDK_DISABLED=true: nothing is instrumented, nothing exported', async () => {
    const script = join(dir, 'self-call-disabled.js');
    writeFileSync(script, SELF_CALL);

    const { code, output } = await runToEnd(['--require', 'sextant/register'], script, otelEnv('disabled', { OTEL_SDK_DISABLED: 'true' }));

    expect({ code, output: output.trim() }).toEqual({ code: 0, output: 'pong, no context' });
    expect(collector.requests).toEqual([]);
  }, 60_000);
});
