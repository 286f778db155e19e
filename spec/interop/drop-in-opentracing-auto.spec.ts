/**
 * @risingstack/opentracing-auto from npm (an OpenTracing auto-instrumentation that patches
 * `http`, `express` 4, pg, mysql, mongodb and redis through require-in-the-middle), with
 * sextant as its tracer. It patches modules process-wide, so the app runs in its own
 * process (spec/interop/fixtures/opentracing-auto-app.ts).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import type { FinishedSpan } from '../../lib';

const root = path.resolve(__dirname, '..', '..');

function runFixture(): Promise<{ answer: { id: string; leaf: string }; spans: FinishedSpan[]; warnings: string[] }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(root, 'node_modules/ts-node/dist/bin.js'), '--transpile-only', 'spec/interop/fixtures/opentracing-auto-app.ts'],
      { cwd: root, timeout: 60_000 },
      (error, stdout, stderr) => (error !== null ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout))),
    );
  });
}

describe('drop-in: @risingstack/opentracing-auto 1.5.2 with Express 4', () => {
  let run: Awaited<ReturnType<typeof runFixture>>;
  beforeAll(async () => {
    run = await runFixture();
  });

  it("records its server and client spans as one trace, continuing the caller's and propagated through sextant's inject", () => {
    const { answer, spans, warnings } = run;
    expect(warnings).toEqual([]);
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const one = (name: string, url: string): FinishedSpan => {
      const found = spans.filter((s) => s.operationName === name && String(s.tags['http.url']).endsWith(url));
      expect(found).toHaveLength(1);
      return found[0];
    };
    const front = one('http_server', '/users/3');
    const client = one('http_request', '/leaf');
    const leaf = one('http_server', '/leaf');

    expect(front).toMatchObject({ traceId, parentSpanId: 'b7ad6b7169203331', serviceName: 'auto' });
    expect(front.tags).toMatchObject({ 'span.kind': 'server', request_path: '/users/:id', 'http.status_code': 200 });
    expect(client).toMatchObject({ traceId, parentSpanId: front.spanId });
    expect(client.tags).toMatchObject({ 'span.kind': 'client', 'http.status_code': 200 });
    expect(leaf).toMatchObject({ traceId, parentSpanId: client.spanId });
    // The client span's context went out in sextant's default format.
    expect(answer).toEqual({ id: '3', leaf: `leaf:00-${traceId}-${client.spanId}-01` });
  });

  it('keeps its spans in its own CLS namespace: spans the app starts through sextant are not their children', () => {
    const { spans } = run;
    const own = spans.find((s) => s.operationName === 'app.own-span');
    expect(own).toBeDefined();
    // What a user must know before mixing it with sextant's helpers (see the notes on this package).
    expect(own!.parentSpanId).toBeUndefined();
    expect(own!.traceId).not.toBe('0af7651916cd43dd8448eb211c80319c');
  });
});
