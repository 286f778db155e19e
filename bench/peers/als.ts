import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import type { Peer, PeerHandle, RoundTripCase } from './peer';

/**
 * Not a tracer: bare `AsyncLocalStorage.run()` with a small object, the floor under
 * every async-context tracer (W4 only). Shows what Node itself charges per await.
 */
export function createAlsPeer(): PeerHandle {
  const storage = new AsyncLocalStorage<{ traceId: string }>();
  const peer: Peer = {
    name: 'als',
    sink: null,
    rootSpan: null,
    nestedChain: null,
    nestedVia: 'none',
    roundTrips: (): RoundTripCase[] => [],
    withActiveSpan<T>(fn: () => Promise<T>): Promise<T> {
      return storage.run({ traceId: randomBytes(16).toString('hex') }, fn);
    },
    activeTraceId: () => storage.getStore()?.traceId ?? null,
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  return { peer, release: () => undefined };
}
