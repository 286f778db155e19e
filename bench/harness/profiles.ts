import type { MicroWorkloadId } from '../workloads';

/** How long and how often each part of the bench runs. */
export interface Profile {
  name: 'quick' | 'full';
  /** rounds per micro workload; each round runs every peer once, in rotating order */
  rounds: number;
  /** W4: processes per tracer, and rounds in each (figures pool the rounds of all of them) */
  async: { processes: number; rounds: number };
  /** length of one peer's turn in a round, per workload */
  roundMillis: Record<MicroWorkloadId, number>;
  /** untimed warm-up of each variant after it is verified, per workload */
  warmMillis: Record<MicroWorkloadId, number>;
  /** W5: spans recorded per step, and steps */
  memory: { spansPerStep: number; steps: number };
  /** W6: rounds of (untraced, als, sextant, otel), whole seconds of load per turn, warm-up requests, connections */
  http: { rounds: number; seconds: number; warmRequests: number; connections: number };
}

export const QUICK: Profile = {
  name: 'quick',
  rounds: 3,
  async: { processes: 1, rounds: 3 },
  roundMillis: { W1: 60, W2: 60, W3: 30, W4: 40 },
  warmMillis: { W1: 100, W2: 60, W3: 20, W4: 40 },
  memory: { spansPerStep: 5_000, steps: 2 },
  // autocannon runs whole seconds: one turn per server keeps the quick run short.
  http: { rounds: 1, seconds: 1, warmRequests: 400, connections: 10 },
};

export const FULL: Profile = {
  name: 'full',
  // Many short rounds rather than a few long ones: the median then shrugs off bursts of
  // load from other processes on the machine.
  rounds: 10,
  // How fast a process runs awaits once AsyncLocalStorage is on varies from process to
  // process by ±25%: W4 pools two processes per tracer so no single one decides.
  async: { processes: 2, rounds: 4 },
  roundMillis: { W1: 150, W2: 150, W3: 60, W4: 150 },
  warmMillis: { W1: 500, W2: 400, W3: 150, W4: 150 },
  memory: { spansPerStep: 25_000, steps: 5 },
  http: { rounds: 3, seconds: 1, warmRequests: 3000, connections: 10 },
};
