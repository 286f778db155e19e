/**
 * Real OpenTelemetry instrumentation from npm, running on sextant: each program runs in
 * its own node process (the instrumentations patch modules through Node's require, which
 * Jest's module registry bypasses) and exports over OTLP/HTTP to a collector on loopback.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { Collector } from '../helpers/export-collector';

const root = path.resolve(__dirname, '..', '..');
const tsNode = path.join(root, 'node_modules/ts-node/dist/bin.js');
const APP = 'spec/opentelemetry/fixtures/instrumented-app.ts';
/** The real `sextant/register`, from the sources (zero-code HTTP tracing off here: only the bridge is under test). */
const PRELOAD = './lib/register.ts';
const BRIDGE_ONLY = { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'http,undici' };

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: Record<string, unknown> }[];
}

const SERVER = 2;
const CLIENT = 3;

/** Runs a TypeScript program in its own node process with only these OTEL_* variables, exporting to `collector`. */
function run(
  collector: Collector,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_') && !k.startsWith('SEXTANT_')));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      {
        cwd: root,
        timeout: 60_000,
        env: {
          ...clean,
          OTEL_TRACES_EXPORTER: 'otlp',
          OTEL_EXPORTER_OTLP_ENDPOINT: collector.url(''),
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          ...env,
        },
      },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr }),
    );
  });
}

function exportedSpans(collector: Collector): ExportedSpan[] {
  const spans: ExportedSpan[] = [];
  for (const request of collector.requests) {
    const body = request.json as { resourceSpans: { scopeSpans: { spans: ExportedSpan[] }[] }[] };
    for (const resource of body.resourceSpans) for (const scope of resource.scopeSpans) spans.push(...scope.spans);
  }
  return spans;
}

/** The spans named `name` (exactly, or by prefix with a trailing `*`). */
function named(spans: ExportedSpan[], name: string): ExportedSpan[] {
  return spans.filter((s) => (name.endsWith('*') ? s.name.startsWith(name.slice(0, -1)) : s.name === name));
}

function one(spans: ExportedSpan[], name: string): ExportedSpan {
  const found = named(spans, name);
  if (found.length !== 1) throw new Error(`expected one '${name}', got ${found.length}: ${spans.map((s) => s.name).join(', ')}`);
  return found[0];
}

const attribute = (span: ExportedSpan, key: string): unknown => {
  const value = span.attributes.find((a) => a.key === key)?.value;
  return value === undefined ? undefined : Object.values(value)[0];
};

let collector: Collector;
beforeEach(async () => {
  collector = await Collector.start(() => ({ status: 200 }));
});
afterEach(() => collector.stop());

describe('@opentelemetry/instrumentation-graphql inside an OpenTracing request span', () => {
  it('samples/opentelemetry-graphql.ts: parse, validate, execute and resolver spans nest under the request, with the library’s and OpenTracing’s spans, in one exported trace', async () => {
    const { code, stdout, stderr } = await run(collector, [tsNode, '--transpile-only', 'samples/opentelemetry-graphql.ts'], {
      OTEL_SERVICE_NAME: 'books-under-test',
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('"title":"The Dispossessed"');
    const spans = exportedSpans(collector).filter((s) => s.name !== 'graphql.parseSchema');
    const request = one(spans, 'POST');
    expect(request.kind).toBe(SERVER);
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([request.traceId]));
    const execute = one(spans, 'query Books');
    const resolveBooks = one(spans, 'graphql.resolve books');
    const load = one(spans, 'load-books');
    const find = one(spans, 'catalog.findBooks');
    expect(one(spans, 'graphql.parse').parentSpanId).toBe(request.spanId);
    expect(one(spans, 'graphql.validate').parentSpanId).toBe(request.spanId);
    expect(execute.parentSpanId).toBe(request.spanId);
    expect(resolveBooks.parentSpanId).toBe(execute.spanId);
    expect(named(spans, 'graphql.resolve books.*').every((s) => s.parentSpanId === resolveBooks.spanId)).toBe(true);
    expect(load.parentSpanId).toBe(resolveBooks.spanId);
    expect(find.parentSpanId).toBe(load.spanId);
    expect(one(spans, 'catalog.index').parentSpanId).toBe(find.spanId);
    // The baggage item the OpenTracing request span set is OpenTelemetry baggage in the library.
    expect(attribute(find, 'catalog.tenant')).toBe('acme');
    expect(attribute(execute, 'graphql.operation.name')).toBe('Books');
  }, 60_000);
});

describe('more instrumentation packages, in-process and under the register path', () => {
  async function expectOneTrace(env: Record<string, string>, args: string[]): Promise<void> {
    const { code, stdout, stderr } = await run(collector, args, env);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.trim()).toBe('done');
    const spans = exportedSpans(collector);
    const job = one(spans, 'job');
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([job.traceId]));
    // dataloader: two loads under the job, the batch under the first load
    const loads = named(spans, 'dataloader.load');
    expect(loads.map((s) => s.parentSpanId)).toEqual([job.spanId, job.spanId]);
    expect(loads.map((s) => s.spanId)).toContain(one(spans, 'dataloader.batch').parentSpanId);
    // generic-pool
    expect(one(spans, 'generic-pool.acquire').parentSpanId).toBe(job.spanId);
    // fetch through undici: a client span under the job, its context (and the job's baggage) injected into the request
    const client = spans.find((s) => s.kind === CLIENT && s.name === 'GET');
    const server = spans.find((s) => s.kind === SERVER && s.name === 'GET');
    expect(client?.parentSpanId).toBe(job.spanId);
    expect(server?.parentSpanId).toBe(client?.spanId);
    expect(attribute(server as ExportedSpan, 'seen.tenant')).toBe('acme');
    // graphql, and the library written against @opentelemetry/api
    expect(one(spans, 'graphql.parse').parentSpanId).toBe(job.spanId);
    expect(one(spans, 'graphql.resolve hello').parentSpanId).toBe(one(spans, 'query').spanId);
    expect(one(spans, 'catalog.findBooks').parentSpanId).toBe(job.spanId);
  }

  it('in-process: the program calls registerOpenTelemetry(tracer)', async () => {
    await expectOneTrace({ SETUP: 'in-process', OTEL_SERVICE_NAME: 'in-process' }, [tsNode, '--transpile-only', APP]);
  }, 60_000);

  it('register path: sextant/register turns the bridge on', async () => {
    await expectOneTrace({ SETUP: 'register', OTEL_SERVICE_NAME: 'registered', ...BRIDGE_ONLY }, [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      PRELOAD,
      APP,
    ]);
  }, 60_000);

  it('register path with SEXTANT_OPENTELEMETRY=false: the instrumentations stay no-ops, OpenTracing spans are still exported', async () => {
    const { code, stdout, stderr } = await run(collector, ['-r', 'ts-node/register/transpile-only', '-r', PRELOAD, APP], {
      SETUP: 'register',
      SEXTANT_OPENTELEMETRY: 'false',
      ...BRIDGE_ONLY,
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.trim()).toBe('done');
    const names = exportedSpans(collector).map((s) => s.name);
    expect(names.sort()).toEqual(['GET', 'job']);
  }, 60_000);
});
