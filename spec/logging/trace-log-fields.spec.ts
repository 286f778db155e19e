import http from 'node:http';
import { Writable } from 'node:stream';
import express from 'express';
import * as opentracing from 'opentracing';
import pino from 'pino';
import winston from 'winston';
import { AsyncLocalScopeManager, ConstSampler, InMemoryRecorder, Tracer, traceLogFields, tracingMiddleware } from '../../lib';
import { close, listen, onlySpan, spansWhen } from '../helpers/middleware';

/** A stream that keeps each JSON line written to it. */
function lineSink(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { stream, lines };
}

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;

describe('traceLogFields', () => {
  let recorder: InMemoryRecorder;
  let warnings: string[];
  let tracer: Tracer;

  beforeEach(() => {
    recorder = new InMemoryRecorder();
    warnings = [];
    tracer = new Tracer({ serviceName: 'logs', recorder, logger: { warn: (m) => warnings.push(m) } });
  });

  it("gives the active span's ids under OpenTelemetry's field names, and {} outside a span", async () => {
    expect(traceLogFields(tracer)).toEqual({});
    const inside = await tracer.startActiveSpan('work', async (span) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return { fields: traceLogFields(tracer), traceId: span.context().traceId, spanId: span.context().spanId };
    });
    expect(inside.fields).toEqual({ trace_id: inside.traceId, span_id: inside.spanId, trace_flags: '01' });
    expect(inside.fields).toMatchObject({ trace_id: expect.stringMatching(HEX32), span_id: expect.stringMatching(HEX16) });
    expect(traceLogFields(tracer)).toEqual({});
  });

  it("says '00' for a span that is not sampled, and follows the innermost span", () => {
    const unsampled = new Tracer({ serviceName: 'logs', recorder, sampler: new ConstSampler(false) });
    unsampled.startActiveSpan('quiet', () => {
      expect(traceLogFields(unsampled)).toMatchObject({ trace_flags: '00' });
    });
    tracer.startActiveSpan('outer', (outer) => {
      tracer.startActiveSpan('inner', (inner) => {
        expect(traceLogFields(tracer)).toMatchObject({ trace_id: outer.context().traceId, span_id: inner.context().spanId });
      });
      expect(traceLogFields(tracer)).toMatchObject({ span_id: outer.context().spanId });
    });
  });

  it('never throws: a hostile or wrong tracer gives {} and one warning per kind', () => {
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const throwing = {
      activeSpan: () => ({
        context: () => ({
          get traceId(): string {
            throw new Error('nope');
          },
        }),
      }),
    };
    const spanless = { activeSpan: () => ({ context: () => ({}) }) };
    const consoleWarn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      for (const bad of [revoked.proxy, null, undefined, 42, throwing, spanless, opentracing.globalTracer()]) {
        expect(traceLogFields(bad as never)).toEqual({});
      }
      // No tracer of ours to report through: console, once, saying what to pass instead.
      expect(consoleWarn).toHaveBeenCalledTimes(1);
      expect(String(consoleWarn.mock.calls[0][0])).toMatch(/^sextant: traceLogFields .*globalTracer/);
    } finally {
      consoleWarn.mockRestore();
    }
    // A tracer of ours whose scope manager throws reports through its own logger.
    const real = new AsyncLocalScopeManager();
    const failing = {
      active: (): never => {
        throw new Error('scope store gone');
      },
      activate: real.activate.bind(real),
      bind: real.bind.bind(real),
    };
    const broken = new Tracer({ serviceName: 'logs', logger: { warn: (m) => warnings.push(m) }, scopeManager: failing as never });
    expect(traceLogFields(broken)).toEqual({});
    expect(traceLogFields(broken)).toEqual({});
    expect(warnings.filter((w) => w.includes('scope store gone'))).toHaveLength(1);
  });

  it('puts the ids on pino log lines as a mixin', async () => {
    const sink = lineSink();
    const log = pino({ base: undefined, mixin: () => traceLogFields(tracer) }, sink.stream);

    log.info('starting');
    const ids = await tracer.startActiveSpan('charge', async (span) => {
      log.info({ amount: 3 }, 'charging');
      await new Promise((resolve) => setTimeout(resolve, 1));
      log.warn('charged');
      return { trace_id: span.context().traceId, span_id: span.context().spanId, trace_flags: '01' };
    });
    log.info('done');

    const lines = sink.lines();
    expect(lines.map((l) => l.msg)).toEqual(['starting', 'charging', 'charged', 'done']);
    expect(lines[0]).not.toHaveProperty('trace_id');
    expect(lines[1]).toMatchObject({ ...ids, amount: 3 });
    expect(lines[2]).toMatchObject(ids);
    expect(lines[3]).not.toHaveProperty('trace_id');
  });

  it('puts the ids on winston log lines as a format', async () => {
    const sink = lineSink();
    const traceIds = winston.format((info) => Object.assign(info, traceLogFields(tracer)));
    const log = winston.createLogger({
      format: winston.format.combine(traceIds(), winston.format.json()),
      transports: [new winston.transports.Stream({ stream: sink.stream })],
    });

    log.info('starting');
    const ids = await tracer.startActiveSpan('charge', async (span) => {
      await new Promise((resolve) => setImmediate(resolve));
      log.info('charging', { amount: 3 });
      return { trace_id: span.context().traceId, span_id: span.context().spanId, trace_flags: '01' };
    });
    await new Promise((resolve) => setImmediate(resolve));

    const lines = sink.lines();
    expect(lines.map((l) => l.message)).toEqual(['starting', 'charging']);
    expect(lines[0]).not.toHaveProperty('trace_id');
    expect(lines[1]).toMatchObject({ ...ids, amount: 3, level: 'info' });
  });

  it("joins a request's log lines to its server span", async () => {
    const sink = lineSink();
    const log = pino({ base: undefined, mixin: () => traceLogFields(tracer) }, sink.stream);
    const app = express();
    app.use(tracingMiddleware(tracer));
    app.get('/orders/:id', async (req, res) => {
      log.info({ order: req.params.id }, 'loading order');
      await new Promise((resolve) => setTimeout(resolve, 1));
      res.send('ok');
    });
    const server = http.createServer(app);
    try {
      const base = await listen(server);
      await (
        await fetch(`${base}/orders/9`, { headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } })
      ).text();
      await spansWhen(recorder, 1);
    } finally {
      await close(server);
    }
    const span = onlySpan(recorder, 'GET /orders/:id');
    expect(sink.lines()).toEqual([
      expect.objectContaining({ msg: 'loading order', order: '9', trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: span.spanId }),
    ]);
  });
});
