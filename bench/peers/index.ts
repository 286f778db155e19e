import { createAlsPeer } from './als';
import { createJaegerPeer } from './jaeger';
import { createNoopPeer } from './noop';
import { createOtelPeer } from './otel';
import { createOtelShimPeer } from './otel-shim';
import { createSextantPeer } from './sextant';
import { createSextantOtelPeer } from './sextant-otel';
import type { PeerHandle, PeerName, PeerOptions } from './peer';

export const PEER_NAMES: readonly PeerName[] = ['noop', 'otel', 'otel-shim', 'jaeger', 'sextant', 'als', 'sextant-otel'];

/** Builds one peer. Each bench process builds exactly one, so no tracer slows another. */
export function createPeer(name: PeerName, options: PeerOptions = {}): PeerHandle {
  switch (name) {
    case 'noop':
      return createNoopPeer();
    case 'otel':
      return createOtelPeer(options);
    case 'otel-shim':
      return createOtelShimPeer(options);
    case 'jaeger':
      return createJaegerPeer(options);
    case 'sextant':
      return createSextantPeer(options);
    case 'als':
      return createAlsPeer();
    case 'sextant-otel':
      return createSextantOtelPeer(options);
  }
}

export function isPeerName(value: unknown): value is PeerName {
  return typeof value === 'string' && (PEER_NAMES as readonly string[]).includes(value);
}
