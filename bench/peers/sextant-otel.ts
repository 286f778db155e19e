import * as api from '@opentelemetry/api';
import { Tracer } from '../../lib';
import { registerOpenTelemetry } from '../../lib/opentelemetry';
import { unregisterOtelGlobals } from './otel-pipeline';
import { ExportValve } from './export-valve';
import { SpanSink } from './peer';
import type { Peer, PeerHandle, PeerOptions } from './peer';
import { benchRecorder } from './sextant';
import { otelApiCalls } from './otel-api-calls';

/**
 * sextant behind `@opentelemetry/api` (`registerOpenTelemetry`): the same calls as the
 * `otel` peer makes on OpenTelemetry's SDK, here landing on sextant's Tracer and
 * BatchRecorder. W1 and W2 only; the wire formats (W3) and the active span (W4) are the
 * `sextant` peer's own.
 */
export function createSextantOtelPeer(options: PeerOptions = {}): PeerHandle {
  const sink = new SpanSink();
  const valve = new ExportValve(options.stalled === true);
  const recorder = benchRecorder(sink, valve, options);
  const sextant = new Tracer({ serviceName: 'bench', recorder });
  // One process runs one peer; a test process that ran the otel peer first hands the globals over.
  unregisterOtelGlobals();
  const registration = registerOpenTelemetry(sextant);
  const tracer = api.trace.getTracer('bench');

  const peer: Peer = {
    name: 'sextant-otel',
    sink,
    ...otelApiCalls(tracer),
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
