import { isIPv4, isIPv6 } from 'node:net';

const MAPPED_IPV4 = '::ffff:';

/**
 * Adds `peer.ipv4` or `peer.ipv6` for an address, unwrapping IPv4-mapped IPv6
 * addresses (`::ffff:10.0.0.1`), which is how a dual-stack server sees IPv4 clients.
 * Returns whether the address was an IP literal.
 */
export function addPeerAddressTags(tags: Record<string, unknown>, address: string | undefined): boolean {
  if (typeof address !== 'string' || address === '') return false;
  if (address.startsWith(MAPPED_IPV4) && isIPv4(address.slice(MAPPED_IPV4.length))) {
    tags['peer.ipv4'] = address.slice(MAPPED_IPV4.length);
    return true;
  }
  if (isIPv4(address)) {
    tags['peer.ipv4'] = address;
    return true;
  }
  if (isIPv6(address)) {
    tags['peer.ipv6'] = address;
    return true;
  }
  return false;
}

/** Adds `peer.port` when it is a usable port number. */
export function addPeerPortTag(tags: Record<string, unknown>, port: unknown): void {
  const n = typeof port === 'string' ? Number(port) : port;
  if (typeof n === 'number' && Number.isInteger(n) && n > 0 && n < 65536) tags['peer.port'] = n;
}

const PEER = Symbol('sextant.peer');

/** A connection's peer tags, worked out once: every request of a keep-alive connection has the same. */
interface Peer {
  readonly addressTag: 'peer.ipv4' | 'peer.ipv6' | null;
  readonly address: string;
  readonly port: number | undefined;
}

interface WithPeer {
  [PEER]?: Peer;
  remoteAddress?: string;
  remotePort?: number;
}

/**
 * Adds `peer.ipv4`/`peer.ipv6` and `peer.port` for the other end of a server's
 * connection, remembered on the socket (no address test per request).
 */
export function addSocketPeerTags(tags: Record<string, unknown>, socket: object): void {
  const target = socket as WithPeer;
  let peer = target[PEER];
  if (peer === undefined) {
    const found: Record<string, unknown> = {};
    const address = target.remoteAddress;
    // A socket already closed has no address: try again next time rather than remember nothing.
    if (!addPeerAddressTags(found, address)) return;
    addPeerPortTag(found, target.remotePort);
    const addressTag = 'peer.ipv4' in found ? 'peer.ipv4' : 'peer.ipv6';
    peer = { addressTag, address: found[addressTag] as string, port: found['peer.port'] as number | undefined };
    target[PEER] = peer;
  }
  if (peer.addressTag !== null) tags[peer.addressTag] = peer.address;
  if (peer.port !== undefined) tags['peer.port'] = peer.port;
}
