import * as api from '@opentelemetry/api';
import { BatchRecorder, Tracer } from '../../lib';
import { registerOpenTelemetry } from '../../lib/opentelemetry';
import { unregisterOtelGlobals } from './otel-pipeline';
import { ExportValve } from './export-valve';
import { RESOLVED, SpanSink } from './peer';
import type { Peer, PeerHandle, PeerOptions } from './peer';
import { discardingExporter } from './sextant';

/**
 * sextant behind `@opentelemetry/api` (`registerOpenTelemetry`): the same calls as the
 * `otel` peer makes on OpenTelemetry's SDK, here landing on sextant's Tracer and
 * BatchRecorder. W1 and W2 only; the wire formats (W3) and the active span (W4) are the
 * `sextant` peer's own.
 */
export function createSextantOtelPeer(options: PeerOptions = {}): PeerHandle {
  const sink = new SpanSink();
  const valve = new ExportValve(options.stalled === true);
  const recorder = new BatchRecorder(discardingExporter(sink, valve), {
    maxQueueSize: options.maxQueueSize ?? 2048,
    maxBatchSize: 512,
    scheduledDelayMillis: 5000,
    exportTimeoutMillis: 30000,
  });
  const sextant = new Tracer({ serviceName: 'bench', recorder });
  // One process runs one peer; a test process that ran the otel peer first hands the globals over.
  unregisterOtelGlobals();
  const registration = registerOpenTelemetry(sextant);
  const tracer = api.trace.getTracer('bench');

  const peer: Peer = {
    name: 'sextant-otel',
    sink,
    rootSpan(i: number): void {
      tracer.startSpan('w1.root', { attributes: { component: 'bench', iteration: i } }).end();
    },
    nestedChain(): Promise<void> {
      return tracer.startActiveSpan('w2.level1', async (level1) => {
        try {
          await RESOLVED;
          await tracer.startActiveSpan('w2.level2', async (level2) => {
            try {
              await RESOLVED;
              await tracer.startActiveSpan('w2.level3', async (level3) => {
                try {
                  await RESOLVED;
                } finally {
                  level3.end();
                }
              });
            } finally {
              level2.end();
            }
          });
        } finally {
          level1.end();
        }
      });
    },
    nestedVia: 'active span',
    roundTrips: () => [],
    withActiveSpan: null,
    activeTraceId(): string | null {
      const span = api.trace.getActiveSpan();
      return span === undefined ? null : span.spanContext().traceId;
    },
    flush: () => sextant.flush(),
    async close(): Promise<void> {
      await sextant.close();
      registration.disable();
    },
  };
  return { peer, release: () => valve.release() };
}
