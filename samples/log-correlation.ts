/**
 * Log lines that lead to their trace: `traceLogFields(tracer)` gives the active span's
 * `{ trace_id, span_id, trace_flags }` (OpenTelemetry's field names), or `{}` outside a
 * span. Add it to every line once, where the logger is made:
 *
 *   - pino: as the `mixin` option;
 *   - winston: as a format, before the one that writes the line.
 *
 * The program serves one request on 127.0.0.1 that logs through both loggers, prints
 * the lines (JSON, on stdout) and the trace, and exits.
 *
 *     npx ts-node --transpile-only samples/log-correlation.ts
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import winston from 'winston';
import { ConsoleRecorder, Tracer, traceHttpHandler, traceLogFields } from '../lib';

const tracer = new Tracer({ serviceName: 'orders', recorder: new ConsoleRecorder() });

// pino: the mixin's fields are merged into every line.
const log = pino({ base: undefined, timestamp: false, mixin: () => traceLogFields(tracer) });

// winston: a format that adds the fields, then the JSON format that writes them.
const traceIds = winston.format((info) => Object.assign(info, traceLogFields(tracer)));
const audit = winston.createLogger({
  format: winston.format.combine(traceIds(), winston.format.json()),
  transports: [new winston.transports.Console()],
});

const server = http.createServer(
  traceHttpHandler(
    tracer,
    async (req, res) => {
      log.info({ path: req.url }, 'loading order');
      const total = await tracer.startActiveSpan('db.load-order', async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        log.info('order row read'); // this line carries the db.load-order span's id
        return 42;
      });
      audit.info('order viewed', { total });
      res.end(JSON.stringify({ total }));
    },
    { pathTemplates: ['/orders/:id'] },
  ),
);

async function main(): Promise<void> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  log.info('listening'); // outside any span: no trace fields
  try {
    await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/orders/42`)).text();
  } finally {
    server.close();
    server.closeAllConnections();
    await tracer.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
