import * as opentracing from 'opentracing';
import { explicitChain } from './explicit-chain';
import { W3_SPAN_ID, W3_TRACE_ID } from './peer';
import type { Peer, PeerHandle, RoundTripCase } from './peer';

/** The floor: OpenTracing's own no-op tracer. It records nothing, so nothing is verified. */
export function createNoopPeer(): PeerHandle {
  const tracer = new opentracing.Tracer();
  const peer: Peer = {
    name: 'noop',
    sink: null,
    rootSpan(i: number): void {
      tracer.startSpan('w1.root', { tags: { component: 'bench', iteration: i } }).finish();
    },
    nestedChain: explicitChain(tracer),
    nestedVia: 'explicit childOf',
    roundTrips(): RoundTripCase[] {
      const context = tracer.startSpan('w3').context();
      return [
        {
          format: 'default',
          expected: { traceId: W3_TRACE_ID, spanId: W3_SPAN_ID, sampled: true, baggage: {} },
          once(): unknown {
            const carrier: Record<string, string> = {};
            tracer.inject(context, opentracing.FORMAT_HTTP_HEADERS, carrier);
            return tracer.extract(opentracing.FORMAT_HTTP_HEADERS, carrier);
          },
          idsOf: () => null,
        },
      ];
    },
    // No active span to make: W4's untraced baseline runs the same code path with nothing active.
    withActiveSpan: <T>(fn: () => Promise<T>): Promise<T> => fn(),
    activeTraceId: () => null,
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  return { peer, release: () => undefined };
}
