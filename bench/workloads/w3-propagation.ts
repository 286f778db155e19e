import type { Peer, RoundTripCase } from '../peers/peer';
import { roundTripProblems } from './checks';
import { timeSync } from './measure';
import type { MicroWorkload } from './workload';

const cases = new WeakMap<Peer, Map<string, RoundTripCase>>();

/** The peer's round-trip cases by format, built once per peer. */
export function roundTripCases(peer: Peer): Map<string, RoundTripCase> {
  let byFormat = cases.get(peer);
  if (byFormat === undefined) {
    byFormat = new Map(peer.roundTrips().map((c) => [c.format, c]));
    cases.set(peer, byFormat);
  }
  return byFormat;
}

/** W3: inject a span context into a fresh HTTP header object and extract it back. */
export const W3: MicroWorkload = {
  id: 'W3',
  title: 'inject into an HTTP header object and extract back',
  unit: 'round trip',
  variants: (peer) => [...roundTripCases(peer).keys()],

  async verify(peer, format) {
    const c = roundTripCases(peer).get(format)!;
    const exportedBefore = peer.sink?.exported ?? 0;
    const extracted = c.once();
    if (peer.name === 'noop') return extracted === null ? ['noop extract returned null'] : [];
    const problems = roundTripProblems(c.expected, c.idsOf(extracted));
    // A second round trip from the same case must give the same answer (no state carried over).
    problems.push(...roundTripProblems(c.expected, c.idsOf(c.once())));
    await peer.flush();
    if ((peer.sink?.exported ?? 0) !== exportedBefore) problems.push('a round trip recorded spans');
    return problems;
  },

  async run(peer, format, millis) {
    const c = roundTripCases(peer).get(format)!;
    const sample = await timeSync(() => c.once(), millis, 512);
    if (sample.misses > 0) throw new Error(`${peer.name} ${format}: ${sample.misses} round trips extracted nothing`);
    return sample;
  },
};
