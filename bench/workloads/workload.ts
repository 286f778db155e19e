import type { Peer } from '../peers/peer';
import type { Sample } from './measure';

export type MicroWorkloadId = 'W1' | 'W2' | 'W3' | 'W4';

/**
 * A workload timed in rounds (W1 to W4). Every peer runs the same `run`; `verify`
 * proves the peer really does the work (spans reach the exporter with the right ids
 * and parents) before any figure of it is believed.
 */
export interface MicroWorkload {
  id: MicroWorkloadId;
  title: string;
  /** what one operation is, e.g. `span`, `chain`, `round trip` */
  unit: string;
  /** the variants this peer runs (W3: one per wire format); empty when it does not apply */
  variants(peer: Peer): string[];
  /** problems found, or an empty list */
  verify(peer: Peer, variant: string): Promise<string[]>;
  /** times `variant` for about `millis` ms; throws if the peer skipped work (spans not exported) */
  run(peer: Peer, variant: string, millis: number): Promise<Sample>;
}

/** Throws unless exactly `expected` more spans reached the exporter since `before`. */
export async function expectExported(peer: Peer, before: number, expected: number): Promise<void> {
  if (peer.sink === null) return;
  await peer.flush();
  const got = peer.sink.exported - before;
  if (got !== expected) throw new Error(`${peer.name}: ${got} of ${expected} spans reached the exporter`);
}
