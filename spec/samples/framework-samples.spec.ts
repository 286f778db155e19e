import { runSample, treeLines } from '../helpers/run-sample';

/** What each framework sample prints: one trace per request, the failed one marked '!'. */
const ORDER_TREES = ['  GET /orders/:id (orders)', '  └─ db.load-order (orders)', '  POST /orders/:id/refund (orders) !'];

describe('framework samples (each run as its README says, in its own process)', () => {
  it.each([
    ['express-app.ts', []],
    ['koa-app.ts', []],
    ['fastify-app.ts', []],
    ['nestjs-app.ts', []],
    ['nestjs-app.ts', ['--fastify']],
  ])(
    '%s %j: a server span named by the route, its child, and the refund error',
    async (sample, args) => {
      const { code, stdout, stderr } = await runSample(sample, args);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(treeLines(stdout)).toEqual(ORDER_TREES);
      expect(stdout).toContain('GET  /orders/42        -> 200');
      expect(stdout).toContain('POST /orders/42/refund -> 500');
    },
    60_000,
  );

  it('node-http-app.ts: named from pathTemplates; a throw and a recordError both mark their span', async () => {
    const { code, stdout, stderr } = await runSample('node-http-app.ts');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(treeLines(stdout)).toEqual([...ORDER_TREES, '  POST /orders/:id/pay (orders) !']);
    expect(stdout).toContain('POST /orders/42/pay    -> 402');
  }, 60_000);

  it('log-correlation.ts: pino and winston lines carry the ids of the span active when they were written', async () => {
    const { code, stdout, stderr } = await runSample('log-correlation.ts');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const traceId = /^trace ([0-9a-f]{32})/m.exec(stdout)?.[1];
    expect(traceId).toBeDefined();
    const byMessage = new Map(lines.map((l) => [l.msg ?? l.message, l]));
    expect(byMessage.get('listening')).not.toHaveProperty('trace_id');
    const request = byMessage.get('loading order')!;
    const row = byMessage.get('order row read')!;
    const audit = byMessage.get('order viewed')!;
    expect([request.trace_id, row.trace_id, audit.trace_id]).toEqual([traceId, traceId, traceId]);
    expect(audit.span_id).toBe(request.span_id); // both in the server span
    expect(row.span_id).not.toBe(request.span_id); // inside db.load-order
    expect(request.trace_flags).toBe('01');
    expect(treeLines(stdout)).toEqual(['  GET /orders/:id (orders)', '  └─ db.load-order (orders)']);
  }, 60_000);
});
