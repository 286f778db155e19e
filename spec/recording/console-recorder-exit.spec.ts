import { rmSync } from 'node:fs';
import { runNode, transpileLib } from '../helpers/child-node';

/**
 * OTEL_TRACES_EXPORTER=console: a trace whose root is in another process waits for more
 * spans, and a process that ends (by itself, or by SIGTERM) must still print it.
 */
const CHILD = `
const opentracing = require('opentracing');
const { initTracerFromEnv } = require(process.env.SEXTANT_LIB + '/config/init-tracer-from-env');
const tracer = initTracerFromEnv({ logger: { warn: () => undefined } });
const upstream = tracer.extract(opentracing.FORMAT_HTTP_HEADERS, {
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
});
tracer.startSpan('GET /continued', { childOf: upstream }).finish();
if (process.env.MODE === 'signal') {
  console.log('ready');
  setInterval(() => undefined, 1000);
}
`;

let lib: string;
beforeAll(() => {
  lib = transpileLib(['config/init-tracer-from-env']);
}, 60_000);
afterAll(() => rmSync(lib, { recursive: true, force: true }));

describe('the console exporter at exit', () => {
  it('prints a trace still waiting for spans when the process ends by itself', async () => {
    const end = await runNode(CHILD, lib, { OTEL_TRACES_EXPORTER: 'console', MODE: 'exit' });
    expect(end.code).toBe(0);
    expect(end.stdout).toContain('trace 4bf92f3577b34da6a3ce929d0e0e4736');
    expect(end.stdout).toContain('GET /continued');
  }, 30_000);

  it('prints it on SIGTERM, then ends by the signal as it would have', async () => {
    const end = await runNode(CHILD, lib, { OTEL_TRACES_EXPORTER: 'console', MODE: 'signal' }, { signal: 'SIGTERM' });
    expect(end.signal).toBe('SIGTERM');
    expect(end.stdout).toContain('GET /continued');
  }, 30_000);
});
