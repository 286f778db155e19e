import type { MicroWorkloadId } from '../workloads';

/** How long and how often each part of the bench runs. */
export interface Profile {
  name: 'quick' | 'full';
  /** rounds per micro workload; each round runs every peer once, in rotating order */
  rounds: number;
  /** length of one peer's turn in a round, per workload */
  roundMillis: Record<MicroWorkloadId, number>;
  /** untimed warm-up of each variant after it is verified */
  warmMillis: number;
  /** W5: spans recorded per step, and steps */
  memory: { spansPerStep: number; steps: number };
  /** W6: rounds of (untraced, sextant, otel), seconds of load per turn, connections */
  http: { rounds: number; seconds: number; warmRequests: number; connections: number };
}

export const QUICK: Profile = {
  name: 'quick',
  rounds: 3,
  roundMillis: { W1: 60, W2: 60, W3: 40, W4: 60 },
  warmMillis: 40,
  memory: { spansPerStep: 10_000, steps: 3 },
  http: { rounds: 2, seconds: 1, warmRequests: 2000, connections: 10 },
};

export const FULL: Profile = {
  name: 'full',
  rounds: 7,
  roundMillis: { W1: 250, W2: 250, W3: 150, W4: 250 },
  warmMillis: 250,
  memory: { spansPerStep: 25_000, steps: 5 },
  http: { rounds: 4, seconds: 2.5, warmRequests: 5000, connections: 10 },
};
